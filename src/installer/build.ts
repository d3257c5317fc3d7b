import { join } from 'node:path';
import { BUILDPACK_VERSION, SLUG } from '../constants.js';
import { readConfig } from '../config/variables.js';
import type { BuildContext } from './build-context.js';
import { PackageCache } from './cache.js';
import { readEnvDir } from './env-dir.js';
import { BuildError } from './errors.js';
import { installNode } from './node-runtime.js';
import { installOfficialAgent, type InstalledAgent } from './official.js';
import { formatBytes, type BuildOutput } from './output.js';
import { diskUsage } from './size.js';
import { installBundles, installProfileScript, installWrapper, writeBuildInfo } from './slug.js';

export async function build(ctx: BuildContext, out: BuildOutput): Promise<void> {
  const { config, problems } = readConfig(readEnvDir(ctx.envDir), 'compile');
  if (problems.length > 0) {
    throw new BuildError(
      'CONFIG_INVALID',
      `Invalid build configuration: ${problems.map((p) => p.message).join('; ')}`,
      `Fix it with: heroku config:set ${problems[0]!.variable}=<value> (see the variable table in the buildpack README), then rebuild.`,
    );
  }
  const flavor = config.DD_AGENT_FLAVOR;
  out.step(`Datadog buildpack ${BUILDPACK_VERSION}: ${flavor} agent`);
  const cache = new PackageCache(ctx.cacheDir);

  let agent: InstalledAgent | undefined;
  if (flavor === 'official') {
    agent = await installOfficialAgent(ctx, config, cache, out);
  } else {
    if (cache.reconcile({ stack: ctx.stack, flavor, version: '', repo: '' }) === 'changed') {
      out.detail('Flavour or stack changed: cached agent packages flushed');
    }
    out.detail('Built-in agent: nothing to download');
  }

  out.step('Installing the agent runtime');
  installBundles(ctx.buildpackDir, ctx.buildDir);
  const node = installNode(ctx.buildDir, ctx.runningNode);
  out.detail(node.reused ? `Using the app's Node ${node.version} (${node.path})` : `Node ${node.version} installed (${node.path})`);
  installWrapper(ctx.buildpackDir, ctx.buildDir);
  installProfileScript(ctx.buildpackDir, ctx.buildDir);
  out.detail(`agent-wrapper on the dyno PATH (${SLUG.binDir}), start-up script ${SLUG.profileScript}`);
  writeBuildInfo(ctx.buildDir, {
    buildpackVersion: BUILDPACK_VERSION,
    flavor,
    ...(agent === undefined ? {} : { agentPackage: agent.packageName, agentVersion: agent.version }),
    apmEnabled: config.DD_APM_ENABLED,
    processAgent: config.DD_PROCESS_AGENT,
    node: node.path,
    ...(ctx.stack === '' ? {} : { stack: ctx.stack }),
  });

  const runtimeBytes = diskUsage(join(ctx.buildDir, SLUG.buildpackRoot)) + diskUsage(join(ctx.buildDir, SLUG.binDir, 'agent-wrapper'));
  const agentBytes = agent === undefined ? 0 : diskUsage(join(ctx.buildDir, SLUG.agentRoot)) + diskUsage(join(ctx.buildDir, SLUG.confDir));
  const parts = [agent === undefined ? undefined : `agent ${formatBytes(agentBytes)}`, `runtime ${formatBytes(runtimeBytes)}${node.reused ? '' : ' incl. node'}`];
  out.step(`Datadog ${agent === undefined ? 'built-in agent' : `Agent ${agent.version}`} adds ${formatBytes(agentBytes + runtimeBytes)} to the slug (${parts.filter((p) => p !== undefined).join(', ')})`);
}

// The classic buildpack API (Heroku Cedar, `bin/compile BUILD_DIR CACHE_DIR ENV_DIR`): everything
// in the slug under .apt/, Node copied beside the bundles unless the app has its own, and
// .profile.d/datadog.sh to start the agent at dyno boot.
import { join } from 'node:path';
import { BUILDPACK_VERSION, SLUG } from '../constants.js';
import type { BuildContext } from './build-context.js';
import { buildInfoOf, installAgent, readBuildConfig, sizeLine } from './build.js';
import { PackageCache } from './cache.js';
import { installNode } from './node-runtime.js';
import type { BuildOutput } from './output.js';
import { diskUsage } from './size.js';
import { installBundles, installProfileScript, installWrapper, writeBuildInfo } from './slug.js';

export async function compile(ctx: BuildContext, out: BuildOutput): Promise<void> {
  const config = readBuildConfig(ctx.envDir);
  out.step(`Datadog buildpack ${BUILDPACK_VERSION}: ${config.DD_AGENT_FLAVOR} agent`);
  if (config.DD_AGENT_FLAVOR === 'builtin' && new PackageCache(ctx.cacheDir).reconcile({ stack: ctx.stack, flavor: 'builtin', version: '', repo: '' }) === 'changed') {
    out.detail('Flavour or stack changed: cached agent packages flushed');
  }
  const agent = await installAgent(ctx, config, out);

  out.step('Installing the agent runtime');
  installBundles(ctx.buildpackDir, ctx.buildDir);
  const node = installNode(ctx.buildDir, ctx.runningNode);
  out.detail(node.reused ? `Using the app's Node ${node.version} (${node.path})` : `Node ${node.version} installed (${node.path})`);
  installWrapper(ctx.buildpackDir, ctx.buildDir);
  installProfileScript(ctx.buildpackDir, ctx.buildDir);
  out.detail(`agent-wrapper on the dyno PATH (${SLUG.binDir}), start-up script ${SLUG.profileScript}`);
  writeBuildInfo(ctx.buildDir, buildInfoOf(config, agent, node.path, ctx.stack));

  const runtimeBytes = diskUsage(join(ctx.buildDir, SLUG.buildpackRoot)) + diskUsage(join(ctx.buildDir, SLUG.binDir, 'agent-wrapper'));
  out.step(sizeLine(ctx.buildDir, agent, runtimeBytes, node.reused ? '' : ' incl. node', 'slug'));
}

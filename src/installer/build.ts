// The build of both buildpack APIs, in steps: the configuration, the agent, the runtime (bundles and
// wrapper), the build info and the size line. classic.ts and cnb/build.ts say where each step writes.
import { join } from 'node:path';
import type { BuildInfo } from '../build-info.js';
import { BUILDPACK_VERSION, SLUG } from '../constants.js';
import { readConfig, type Config } from '../config/variables.js';
import type { BuildContext } from './build-context.js';
import { PackageCache } from './cache.js';
import { readEnvDir } from './env-dir.js';
import { BuildError } from './errors.js';
import { installOfficialAgent, type InstalledAgent } from './official.js';
import { formatBytes, type BuildOutput } from './output.js';
import { diskUsage } from './size.js';

/** The compile-time variables of ENV_DIR (or the CNB platform's env/), or one error naming the first bad one. */
export function readBuildConfig(envDir: string | undefined): Config {
  const { config, problems } = readConfig(readEnvDir(envDir), 'compile');
  if (problems.length > 0) {
    throw new BuildError(
      'CONFIG_INVALID',
      `Invalid build configuration: ${problems.map((p) => p.message).join('; ')}`,
      `Fix it with: heroku config:set ${problems[0]!.variable}=<value> (see the variable table in the buildpack README), then rebuild.`,
    );
  }
  return config;
}

/**
 * The official agent under `ctx.buildDir/.apt` (its .deb cached in `ctx.cacheDir`); nothing for the
 * builtin flavour, whose build flushes the packages an official build cached (each API its own way).
 */
export async function installAgent(ctx: BuildContext, config: Config, out: BuildOutput): Promise<InstalledAgent | undefined> {
  if (config.DD_AGENT_FLAVOR === 'official') return installOfficialAgent(ctx, config, new PackageCache(ctx.cacheDir), out);
  out.detail('Built-in agent: nothing to download');
  return undefined;
}

export function buildInfoOf(config: Config, agent: InstalledAgent | undefined, node: string, stack: string): BuildInfo {
  return {
    buildpackVersion: BUILDPACK_VERSION,
    flavor: config.DD_AGENT_FLAVOR,
    ...(agent === undefined ? {} : { agentPackage: agent.packageName, agentVersion: agent.version }),
    apmEnabled: config.DD_APM_ENABLED,
    processAgent: config.DD_PROCESS_AGENT,
    node,
    ...(stack === '' ? {} : { stack }),
  };
}

/** `-----> Datadog … adds N MiB to the slug (agent …, runtime …)`: the agent's files and the runtime's. */
export function sizeLine(root: string, agent: InstalledAgent | undefined, runtimeBytes: number, runtimeNote: string, target: string): string {
  const agentBytes = agent === undefined ? 0 : diskUsage(join(root, SLUG.agentRoot)) + diskUsage(join(root, SLUG.confDir));
  const parts = [agent === undefined ? undefined : `agent ${formatBytes(agentBytes)}`, `runtime ${formatBytes(runtimeBytes)}${runtimeNote}`];
  return `Datadog ${agent === undefined ? 'built-in agent' : `Agent ${agent.version}`} adds ${formatBytes(agentBytes + runtimeBytes)} to the ${target} (${parts.filter((p) => p !== undefined).join(', ')})`;
}

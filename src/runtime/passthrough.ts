// Agent subcommands run on the installed agent with `-c datadog.yaml` and the agent's own environment.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readBuildInfo } from '../build-info.js';
import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';
import { agentEnv } from './agent-env.js';
import { agentCommand } from './agent-processes.js';
import { slugPaths } from './paths.js';
import { readState, runningSupervisor } from './pid-file.js';
import { runChild } from './run-child.js';

/** Subcommands of the agent CLI passed through (both flavours answer the first six). */
export const AGENT_COMMANDS: ReadonlySet<string> = new Set([
  'status', 'check', 'config', 'health', 'version', 'flare',
  'configcheck', 'diagnose', 'dogstatsd-stats', 'hostname', 'integration', 'jmx', 'secret',
  'stream-logs', 'tagger-list', 'workload-list', 'launch-gui', 'remote-config', 'inventory-host',
]);

export async function passThrough(args: readonly string[], env: NodeJS.ProcessEnv, home: string, io: Io): Promise<number> {
  const info = readBuildInfo(home);
  if (info === undefined) {
    io.stderr.write(`agent-wrapper: ${home} has no build info; run this in a dyno of an app built with the Datadog buildpack.\n`);
    return 1;
  }
  const paths = slugPaths(home);
  const { command, args: argv } = agentCommand(info, paths, process.execPath, args);
  return runChild(command, argv, agentEnv(env, home, info.flavor));
}

/** `status`: the supervisor's view (unless `--json`, which must stay pure JSON), then the agent's own status. */
export async function status(args: readonly string[], env: NodeJS.ProcessEnv, home: string, io: Io): Promise<number> {
  if (!args.includes('--json')) {
    const paths = slugPaths(home);
    const pid = runningSupervisor(paths);
    const info = readBuildInfo(home);
    const flavour = info ? `${info.flavor}${info.agentVersion ? ` ${info.agentVersion}` : ''}` : 'not built';
    io.stdout.write(`Datadog buildpack ${BUILDPACK_VERSION} (${flavour})\n`);
    if (pid === undefined) {
      io.stdout.write('  Supervisor: not running\n');
    } else {
      io.stdout.write(`  Supervisor: running (pid ${pid})\n`);
      for (const child of readState(paths)?.children ?? []) {
        io.stdout.write(`    ${child.name}: ${child.state}${child.pid ? ` (pid ${child.pid})` : ''}, ${child.restarts} restart${child.restarts === 1 ? '' : 's'}\n`);
      }
    }
    io.stdout.write('\n');
  }
  return passThrough(['status', ...args], env, home, io);
}

/** `intake`: the local intake bundle beside this one, else the slug's. */
export async function intake(args: readonly string[], env: NodeJS.ProcessEnv, home: string, io: Io): Promise<number> {
  const candidates = [join(dirname(process.argv[1] ?? ''), 'intake.js'), join(slugPaths(home).libDir, 'intake.js')];
  const script = candidates.find((path) => existsSync(path));
  if (script === undefined) {
    io.stderr.write('agent-wrapper: no intake.js next to agent-wrapper.js nor in this slug.\n');
    return 1;
  }
  return runChild(process.execPath, [script, ...args], env);
}

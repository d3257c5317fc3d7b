import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';
import { buildpackLogger } from './buildpack-log.js';
import { AGENT_COMMANDS, intake, passThrough, status } from './passthrough.js';
import { launchEnv } from './launch-env.js';
import { exportScript, prepare } from './prepare.js';
import { start } from './start.js';
import { stop } from './stop.js';
import { supervise } from './supervise.js';

export const USAGE = `usage: agent-wrapper <command> [arguments]

Dyno boot (run by .profile.d/datadog.sh):
  prepare [--env-only]   print export lines for this dyno's DD_* variables; write datadog.yaml and conf.d
  launch-env BEFORE      (CNB exec.d) the variables changed since the \`env -0\` dump BEFORE, as TOML
  start                  start the agent supervisor in the background (needs DD_API_KEY)
  stop                   stop the supervisor and its agents (SIGTERM, SIGKILL after 25 s)

Agent commands, run with -c datadog.yaml and the agent's environment:
  status [--json]   check <name>   config   health   version   flare   configcheck   diagnose …

Other:
  intake [--port N] [--data DIR]   local Datadog-compatible intake (demo and tests)
  --version                        the buildpack's version
`;

/** `agent-wrapper <command>`: the dyno-time CLI. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const [command, ...args] = argv;
  // The slug root: HOME on Cedar; on Fir the agent layer, which the agent-wrapper shim finds and passes.
  const home = env.DD_BUILDPACK_ROOT || env.HOME || '/app';
  switch (command) {
    case '--version':
      io.stdout.write(`${BUILDPACK_VERSION}\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(USAGE);
      return 0;
    case 'prepare': {
      const result = prepare(env, home, { envOnly: args.includes('--env-only') });
      const log = buildpackLogger(env, (line) => io.stderr.write(line));
      for (const warning of result.warnings) log.warn(warning);
      log.debug(`normalized tags: ${result.exports.find(([name]) => name === 'DD_TAGS')?.[1] ?? ''}`);
      io.stdout.write(exportScript(result.exports));
      return 0;
    }
    case 'launch-env':
      if (args[0] === undefined) {
        io.stderr.write('usage: agent-wrapper launch-env BEFORE (a file of `env -0`)\n');
        return 2;
      }
      io.stdout.write(launchEnv(args[0], env));
      return 0;
    case 'start':
      return start(env, home, io);
    case 'stop':
      return stop(home, io);
    case 'supervise':
      return supervise(env, home, io);
    case 'status':
      return status(args, env, home, io);
    case 'intake':
      return intake(args, env, home, io);
    default:
      if (command !== undefined && AGENT_COMMANDS.has(command)) return passThrough(argv, env, home, io);
      io.stderr.write(command === undefined ? USAGE : `agent-wrapper: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

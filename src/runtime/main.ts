import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';
import { buildpackLogger } from './buildpack-log.js';
import { AGENT_COMMANDS, intake, passThrough, status } from './passthrough.js';
import { exportScript, prepare } from './prepare.js';
import { start } from './start.js';
import { stop } from './stop.js';
import { supervise } from './supervise.js';

export const USAGE = `usage: agent-wrapper <command> [arguments]

Dyno boot (run by .profile.d/datadog.sh):
  prepare [--env-only]   print export lines for this dyno's DD_* variables; write datadog.yaml and conf.d
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
  const home = env.HOME ?? '/app';
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

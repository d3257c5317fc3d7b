import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';
import { buildpackLogger } from './buildpack-log.js';
import { exportScript, prepare } from './prepare.js';

export const USAGE = `usage: agent-wrapper <command> [arguments]

Dyno boot (run by .profile.d/datadog.sh):
  prepare [--env-only]   print the export lines of this dyno's DD_* variables; write datadog.yaml and conf.d
  start                  start the agent supervisor in the background (needs DD_API_KEY)
  stop                   stop the supervisor and its agents (SIGTERM, SIGKILL after 25 s)

Agent commands (run with -c datadog.yaml and the agent's environment):
  status [--json]  check <name>  config  health  version  flare  …

  intake [options]       local Datadog-compatible intake (demo and tests)
  --version              the buildpack's version
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
      log.debug(`tags: ${result.exports.find(([name]) => name === 'DD_TAGS')?.[1] ?? ''}`);
      io.stdout.write(exportScript(result.exports));
      return 0;
    }
    default:
      io.stderr.write(command === undefined ? USAGE : `agent-wrapper: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

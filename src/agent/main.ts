import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';

/** `agent <command>`: the built-in agent, CLI shaped like the official one. */
export async function main(argv: string[], _env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  if (argv[0] === 'version' || argv[0] === '--version') {
    io.stdout.write(`Agent ${BUILDPACK_VERSION} (built-in)\n`);
    return 0;
  }
  io.stderr.write('usage: agent <run|status|check|version|health|config>\n');
  return 2;
}

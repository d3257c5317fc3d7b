import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';

/** `agent-wrapper <command>`: the dyno-time CLI. */
export async function main(argv: string[], _env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  if (argv[0] === '--version') {
    io.stdout.write(`${BUILDPACK_VERSION}\n`);
    return 0;
  }
  io.stderr.write('usage: agent-wrapper <command>\n');
  return 2;
}

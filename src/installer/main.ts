import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';

/** `installer.js BUILD_DIR CACHE_DIR ENV_DIR`, run by bin/compile. */
export async function main(argv: string[], _env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  if (argv[0] === '--version') {
    io.stdout.write(`${BUILDPACK_VERSION}\n`);
    return 0;
  }
  io.stderr.write(' !     installer not built yet\n');
  return 1;
}

import { dirname, resolve } from 'node:path';
import { BUILDPACK_VERSION } from '../constants.js';
import type { Io } from '../io.js';
import { compile } from './classic.js';
import { buildLayers } from './cnb/build.js';
import { cnbContext } from './cnb/context.js';
import { BuildError } from './errors.js';
import { BuildOutput } from './output.js';

/** `installer.js BUILD_DIR CACHE_DIR ENV_DIR` (bin/compile) or `installer.js --cnb` (bin/build, CNB_* variables). */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  if (argv[0] === '--version') {
    io.stdout.write(`${BUILDPACK_VERSION}\n`);
    return 0;
  }
  const out = new BuildOutput(io);
  const cnb = argv[0] === '--cnb';
  const [buildDir, cacheDir, envDir] = argv;
  if (!cnb && (buildDir === undefined || cacheDir === undefined)) {
    out.error(['usage: installer.js BUILD_DIR CACHE_DIR [ENV_DIR]   or   installer.js --cnb']);
    return 2;
  }
  // bin/compile and bin/build export BUILDPACK_DIR; run directly, lib/installer.js sits one level below it.
  const buildpackDir = env.BUILDPACK_DIR ?? dirname(dirname(resolve(process.argv[1] ?? '.')));
  try {
    if (cnb) await buildLayers(cnbContext(env, process.cwd(), process.execPath, buildpackDir), out);
    else await compile({ buildDir: buildDir!, cacheDir: cacheDir!, envDir, buildpackDir, stack: env.STACK ?? '', runningNode: process.execPath }, out);
    return 0;
  } catch (error) {
    if (error instanceof BuildError) {
      out.error([error.message, ...error.details, error.fix]);
    } else {
      out.error([`Unexpected failure: ${error instanceof Error ? error.message : String(error)}`, 'Run the build again; if it fails the same way, report it with this output.']);
    }
    return 1;
  }
}

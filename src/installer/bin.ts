import { runMain } from '../io.js';
import { main } from './main.js';

// Until main settles the exit code is 1: a build that stops early must never look successful.
let settled = false;
process.exitCode = 1;
process.on('exit', () => {
  if (!settled) process.stderr.write(' !     The build stopped before finishing. Run it again; if it stops the same way, report it with this output.\n');
});
runMain(async (argv, env, io) => {
  try {
    return await main(argv, env, io);
  } finally {
    settled = true;
  }
});

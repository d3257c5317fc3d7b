import { processIo } from '../io.js';
import { main } from './main.js';

// Exit as soon as main settles: during a natural teardown Node restores the default SIGTERM
// action, and the dyno-wide SIGTERM that often follows the supervisor's would turn exit 0 into
// "killed by SIGTERM". stdout/stderr are synchronous for files and pipes, so nothing is lost.
main(process.argv.slice(2), process.env, processIo).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

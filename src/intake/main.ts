import type { Io } from '../io.js';

/** `agent-wrapper intake [--port N] [--data DIR]`: local Datadog-compatible intake. */
export async function main(_argv: string[], _env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  io.stderr.write('intake not built yet\n');
  return 1;
}

// Small helpers with no dependency on src/, so that the process-level tests run even while src/
// is mid-change: ports, polling, sleeping.
import { createServer } from 'node:net';

/** A TCP port free right now on 127.0.0.1 (processes that take a port number). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `condition` every 5 ms until it holds; throws after `timeoutMs` naming `what`. */
export async function until(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Closes what a test started, in the order given (traffic first, the intake last); missing ones are skipped. */
export async function closeInOrder(...parts: ({ close(): unknown } | undefined)[]): Promise<void> {
  for (const part of parts) await part?.close();
}

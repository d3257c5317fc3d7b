// Reads a request body under a size cap without ever holding more than the cap.
import type { IncomingMessage } from 'node:http';

export type BodyResult = { kind: 'body'; body: Buffer } | { kind: 'too_large'; received: number } | { kind: 'aborted' };

/**
 * Resolves with the whole body, or `too_large` as soon as it passes `maxBytes` (the rest is drained,
 * not kept). `onBytes` tracks the bytes held, so the receiver can bound memory across requests.
 */
export function readBody(req: IncomingMessage, maxBytes: number, onBytes: (delta: number) => void): Promise<BodyResult> {
  return new Promise((resolve) => {
    // With a Content-Length (what tracers send), one buffer of that size and no concatenation.
    const declared = Number(req.headers['content-length']);
    let whole: Buffer | undefined = Number.isInteger(declared) && declared > 0 && declared <= maxBytes ? Buffer.allocUnsafe(declared) : undefined;
    let chunks: Buffer[] = [];
    let held = 0;
    let received = 0;
    let settled = false;
    const release = (): void => {
      onBytes(-held);
      held = 0;
      chunks = [];
      whole = undefined;
    };
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (settled) return;
      if (received > maxBytes) {
        release();
        settle({ kind: 'too_large', received });
        return;
      }
      // Node's parser holds a body to its Content-Length, so `whole` cannot overflow.
      if (whole !== undefined) chunk.copy(whole, received - chunk.length);
      else chunks.push(chunk);
      held += chunk.length;
      onBytes(chunk.length);
    });
    req.on('end', () => {
      if (settled) return;
      const body = whole !== undefined ? whole.subarray(0, Math.min(held, whole.length)) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, held);
      release();
      settle({ kind: 'body', body });
    });
    const abort = (): void => {
      if (settled) return;
      release();
      settle({ kind: 'aborted' });
    };
    req.on('aborted', abort);
    req.on('error', abort);
    req.on('close', () => {
      if (!req.complete) abort();
    });
  });
}

/** Reads and forgets a body, for requests answered without looking at it. */
export function drainBody(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete) return resolve();
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', resolve);
    req.resume();
  });
}

// Reads an OTLP/HTTP body, decompressing gzip or deflate on the fly, under one size cap that holds
// before and after decompression (the spec's 413), without ever buffering more than the cap.
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';

export type ContentCoding = 'identity' | 'gzip' | 'deflate';

export type BodyOutcome =
  | { readonly kind: 'body'; readonly body: Buffer }
  | { readonly kind: 'too_large' }
  /** The bytes held across requests would pass their bound. */
  | { readonly kind: 'overloaded' }
  | { readonly kind: 'bad_compression'; readonly message: string }
  | { readonly kind: 'aborted' };

/** The request's Content-Encoding, or undefined when the receiver cannot decode it. */
export function contentCoding(header: string | undefined): ContentCoding | undefined {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  return undefined;
}

/** RFC 1950 header check: "deflate" bodies are meant zlib-wrapped, but some clients send raw deflate. */
function isZlibHeader(chunk: Buffer): boolean {
  return chunk.length >= 2 && (chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0;
}

/**
 * `hold` asks to keep more bytes (false: refuse the body as overloaded); `release` gives back what a
 * refused body held. A body resolved whole stays held until the caller releases body.length.
 */
export function readRequestBody(
  req: IncomingMessage,
  coding: ContentCoding,
  maxBytes: number,
  hold: (bytes: number) => boolean,
  release: (bytes: number) => void,
): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let held = 0;
    let wire = 0;
    let settled = false;
    let inflater: Gunzip | Inflate | InflateRaw | undefined;

    const drop = (): void => {
      release(held);
      held = 0;
      chunks = [];
    };
    const settle = (outcome: BodyOutcome): void => {
      if (settled) return;
      settled = true;
      if (outcome.kind !== 'body') drop();
      inflater?.destroy();
      // Whatever is left of the body is read and dropped, so the answer can still be written.
      req.resume();
      resolve(outcome);
    };
    const keep = (chunk: Buffer): void => {
      if (settled) return;
      if (held + chunk.length > maxBytes) return settle({ kind: 'too_large' });
      if (!hold(chunk.length)) return settle({ kind: 'overloaded' });
      chunks.push(chunk);
      held += chunk.length;
    };
    const finish = (): void => {
      if (settled) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, held);
      settled = true;
      chunks = [];
      // The caller holds the body from here: its bytes stay counted until it releases body.length.
      resolve({ kind: 'body', body });
    };

    const inflaterFor = (first: Buffer): Gunzip | Inflate | InflateRaw => {
      const stream = coding === 'gzip' ? createGunzip() : isZlibHeader(first) ? createInflate() : createInflateRaw();
      stream.on('data', keep);
      stream.on('end', finish);
      stream.on('error', (error) => settle({ kind: 'bad_compression', message: `cannot ${coding === 'gzip' ? 'gunzip' : 'inflate'} the body: ${error.message}` }));
      stream.on('drain', () => req.resume());
      return stream;
    };

    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      wire += chunk.length;
      if (wire > maxBytes) return settle({ kind: 'too_large' });
      if (coding === 'identity') return keep(chunk);
      inflater ??= inflaterFor(chunk);
      if (!inflater.write(chunk)) req.pause();
    });
    req.on('end', () => {
      if (settled) return;
      if (coding === 'identity') return finish();
      if (inflater === undefined) return settle({ kind: 'bad_compression', message: `the ${coding} body is empty` });
      inflater.end();
    });
    const abort = (): void => settle({ kind: 'aborted' });
    req.on('error', abort);
    req.on('close', () => {
      if (!req.complete) abort();
    });
  });
}

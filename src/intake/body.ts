// Request bodies: read with a size cap, then undo Content-Encoding (gzip, deflate, zstd).
import { spawnSync } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
import { PayloadError } from './payloads/payload-error.js';

/** Larger than any payload the agents send (2.5 MB compressed, 25 MB of traces). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
export const MAX_DECODED_BYTES = 128 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

type ZstdZlib = { zstdDecompressSync?: (buf: Buffer, options?: { maxOutputLength?: number }) => Buffer };

/** Node >= 22.15 has zstd in zlib; Node 20 has not, so fall back to the `zstd` command. */
function unzstd(body: Buffer): Buffer {
  const native = (zlib as unknown as ZstdZlib).zstdDecompressSync;
  if (native) return native(body, { maxOutputLength: MAX_DECODED_BYTES });
  const run = spawnSync('zstd', ['-dcq'], { input: body, maxBuffer: MAX_DECODED_BYTES });
  if (run.error) throw new PayloadError(`zstd body but no zstd decoder: ${run.error.message}`);
  if (run.status !== 0) throw new PayloadError(`body is not valid zstd: ${run.stderr.toString().trim()}`);
  return run.stdout;
}

export function decodeContent(body: Buffer, encoding: string | undefined): Buffer {
  const kind = (encoding ?? 'identity').trim().toLowerCase();
  try {
    switch (kind) {
      case '':
      case 'identity':
        return body;
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(body, { maxOutputLength: MAX_DECODED_BYTES });
      case 'deflate':
        // The agents' "deflate" is zlib-wrapped; accept raw deflate too.
        return body[0] === 0x78 ? zlib.inflateSync(body, { maxOutputLength: MAX_DECODED_BYTES }) : zlib.inflateRawSync(body, { maxOutputLength: MAX_DECODED_BYTES });
      case 'zstd':
        return unzstd(body);
      default:
        throw new PayloadError(`unsupported Content-Encoding ${JSON.stringify(kind)}`);
    }
  } catch (error) {
    if (error instanceof PayloadError) throw error;
    throw new PayloadError(`body is not valid ${kind}: ${(error as Error).message}`);
  }
}

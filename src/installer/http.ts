import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { BUILDPACK_VERSION } from '../constants.js';
import { BuildError } from './errors.js';

// node:http rather than fetch(): undici can leave a reset connection's promise pending with
// nothing keeping the process alive, which would end a build with exit code 0 halfway through.

/** The variable a user changes when a URL of theirs fails. */
export type UrlVariable = 'DD_APT_REPO_URL' | 'DD_APT_KEYS_URL';

const IDLE_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;

/** A URL fit to print: credentials of a private mirror removed. */
export function printable(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid URL>';
  }
}

/** GET `url`, following redirects; credentials in the URL become Basic auth, never sent to another origin. */
function get(url: URL, auth: string | undefined, redirects = 0): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { auth, timeout: IDLE_TIMEOUT_MS, headers: { 'user-agent': `heroku-buildpack-datadog/${BUILDPACK_VERSION}` } }, (response) => {
      const location = response.headers.location;
      if (response.statusCode !== undefined && [301, 302, 303, 307, 308].includes(response.statusCode) && location !== undefined) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        const next = new URL(location, url);
        resolve(get(next, next.origin === url.origin ? auth : undefined, redirects + 1));
        return;
      }
      response.setTimeout(IDLE_TIMEOUT_MS, () => response.destroy(new Error('no data for 60 s')));
      resolve(response);
    });
    request.on('timeout', () => request.destroy(new Error('no answer for 60 s')));
    request.on('error', reject);
  });
}

function open(url: string): Promise<IncomingMessage> {
  const parsed = new URL(url);
  const auth = parsed.username !== '' || parsed.password !== '' ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` : undefined;
  parsed.username = '';
  parsed.password = '';
  return get(parsed, auth);
}

function failed(url: string, variable: UrlVariable, cause: unknown): BuildError {
  if (cause instanceof BuildError) return cause;
  const reason = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
  return new BuildError('DOWNLOAD_FAILED', `Could not download ${printable(url)}: ${reason}`, `Check that ${variable} points to a reachable server, then rebuild.`);
}

function httpError(url: string, variable: UrlVariable, status: number | undefined): BuildError {
  return new BuildError('DOWNLOAD_FAILED', `Could not download ${printable(url)}: HTTP ${status}`, `Check that ${variable} points to a working repository, then rebuild.`);
}

/** Body of `url`, or undefined on 404 (403/410 too, as S3 answers); other failures name `variable`. */
export async function fetchOptional(url: string, variable: UrlVariable): Promise<Buffer | undefined> {
  try {
    const response = await open(url);
    const status = response.statusCode ?? 0;
    if (status === 404 || status === 403 || status === 410) {
      response.resume();
      return undefined;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw httpError(url, variable, status);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    if (!response.complete) throw new Error('connection closed before the end of the body');
    return Buffer.concat(chunks);
  } catch (error) {
    throw failed(url, variable, error);
  }
}

export interface Download {
  readonly size: number;
  readonly sha256: string;
}

/**
 * Streams `url` into `file`, hashing on the way, reporting progress in quarters (build logs are
 * not terminals: no carriage returns). Fails when the server stays silent for a minute.
 */
export async function downloadFile(url: string, file: string, variable: UrlVariable, onProgress: (fraction: number) => void): Promise<Download> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    const response = await open(url);
    if (response.statusCode !== 200) {
      response.resume();
      throw httpError(url, variable, response.statusCode);
    }
    const total = Number(response.headers['content-length'] ?? 0);
    let reported = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        const quarter = total > 0 ? Math.floor((size / total) * 4) / 4 : 0;
        if (quarter > reported) {
          reported = quarter;
          onProgress(quarter);
        }
        done(null, chunk);
      },
    });
    await pipeline(response, meter, createWriteStream(file));
    if (!response.complete) throw new Error('connection closed before the end of the package');
    return { size, sha256: hash.digest('hex') };
  } catch (error) {
    throw failed(url, variable, error);
  }
}

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { BuildError } from './errors.js';

/** The variable a user changes when a URL of theirs fails. */
export type UrlVariable = 'DD_APT_REPO_URL' | 'DD_APT_KEYS_URL';

const IDLE_TIMEOUT_MS = 60_000;

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

/** fetch() refuses credentials in URLs: move them to a Basic Authorization header. */
function request(url: string, signal: AbortSignal): Promise<Response> {
  const parsed = new URL(url);
  const headers: Record<string, string> = { 'user-agent': 'heroku-buildpack-datadog' };
  if (parsed.username !== '' || parsed.password !== '') {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return fetch(parsed, { headers, signal, redirect: 'follow' });
}

function unreachable(url: string, variable: UrlVariable, cause: unknown): BuildError {
  const reason = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
  return new BuildError('DOWNLOAD_FAILED', `Could not download ${printable(url)}: ${reason}`, `Check that ${variable} points to a reachable server, then rebuild.`);
}

/** Body of `url`, or undefined on 404; any other failure is a DOWNLOAD_FAILED naming `variable`. */
export async function fetchOptional(url: string, variable: UrlVariable): Promise<Buffer | undefined> {
  let response: Response;
  try {
    response = await request(url, AbortSignal.timeout(IDLE_TIMEOUT_MS));
    if (response.status === 404 || response.status === 403 || response.status === 410) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new BuildError('DOWNLOAD_FAILED', `Could not download ${printable(url)}: HTTP ${response.status}`, `Check that ${variable} points to a working repository, then rebuild.`);
    }
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof BuildError) throw error;
    throw unreachable(url, variable, error);
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
  const controller = new AbortController();
  let idle = setTimeout(() => controller.abort(new Error('no data for 60 s')), IDLE_TIMEOUT_MS);
  const hash = createHash('sha256');
  let size = 0;
  try {
    const response = await request(url, controller.signal);
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new BuildError('DOWNLOAD_FAILED', `Could not download ${printable(url)}: HTTP ${response.status}`, `Check that ${variable} points to a working repository, then rebuild.`);
    }
    const total = Number(response.headers.get('content-length') ?? 0);
    const out = createWriteStream(file);
    let reported = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error('no data for 60 s')), IDLE_TIMEOUT_MS);
      hash.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
      const quarter = total > 0 ? Math.floor((size / total) * 4) / 4 : 0;
      if (quarter > reported) {
        reported = quarter;
        onProgress(quarter);
      }
    }
    out.end();
    await once(out, 'close');
    return { size, sha256: hash.digest('hex') };
  } catch (error) {
    if (error instanceof BuildError) throw error;
    throw unreachable(url, variable, error);
  } finally {
    clearTimeout(idle);
  }
}

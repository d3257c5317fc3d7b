// The scrape request: one GET of the endpoint, its body streamed as text so that no more than a
// chunk and one line are ever held, whatever the endpoint sends.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

export interface ScrapeRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Connect and read inactivity timeout, as `timeout` is for requests. */
  readonly timeoutMs: number;
  readonly tlsVerify: boolean;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly signal: AbortSignal;
}

/** The endpoint could not be reached or answered with an error status: the health check is CRITICAL. */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
  constructor(
    message: string,
    /** True for a failure to connect or read (requests' ConnectionError), false for an HTTP status. */
    readonly connection: boolean,
  ) {
    super(message);
  }
}

export interface ScrapeResponse {
  readonly contentType: string;
  /**
   * Streams the body as text to `onText` until it ends, `onText` returns false (then the
   * connection is closed), or the request fails (rejects with the reason).
   */
  read(onText: (text: string) => boolean): Promise<void>;
  close(): void;
}

const REASONS: Readonly<Record<number, string>> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

/** The URL as shown in tags and messages: without the user and password it may carry. */
export function displayUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** Sends the GET; resolves once the status line and headers are in. */
export function sendScrape(options: ScrapeRequest): Promise<ScrapeResponse> {
  const { url } = options;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { 'Accept-Encoding': 'gzip, deflate', ...options.headers };
  if ((url.username !== '' || url.password !== '') && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new EndpointError('the scrape was aborted', true));
      return;
    }
    const req = request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
        rejectUnauthorized: options.tlsVerify,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert } : {}),
        ...(options.key !== undefined ? { key: options.key } : {}),
        signal: options.signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          req.destroy();
          reject(new EndpointError(`${status} redirect to ${String(res.headers.location ?? '?')} not followed for url: ${displayUrl(url)}: set openmetrics_endpoint to the final URL`, false));
          return;
        }
        if (status >= 400) {
          res.resume();
          req.destroy();
          const kind = status < 500 ? 'Client' : 'Server';
          // requests' raise_for_status wording, which the official health check message carries.
          reject(new EndpointError(`${status} ${kind} Error: ${res.statusMessage || REASONS[status] || ''} for url: ${displayUrl(url)}`, false));
          return;
        }
        resolve(streamedResponse(req, res, options.timeoutMs));
      },
    );
    req.setTimeout(options.timeoutMs, () => req.destroy(new EndpointError(`timed out after ${options.timeoutMs / 1000} s waiting for ${displayUrl(url)}`, true)));
    req.on('error', (error) => reject(error instanceof EndpointError ? error : new EndpointError(error.message || error.name, true)));
    req.end();
  });
}

function streamedResponse(req: ReturnType<typeof httpRequest>, res: IncomingMessage, timeoutMs: number): ScrapeResponse {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  let body: Readable = res;
  if (encoding === 'gzip' || encoding === 'x-gzip') body = res.pipe(createGunzip());
  else if (encoding === 'deflate') body = res.pipe(createInflate());
  const close = (): void => {
    req.destroy();
    if (body !== res) body.destroy();
  };
  return {
    contentType: String(res.headers['content-type'] ?? ''),
    close,
    read: (onText) =>
      new Promise<void>((resolve, reject) => {
        const decoder = new StringDecoder('utf8');
        let done = false;
        const finish = (error?: Error): void => {
          if (done) return;
          done = true;
          clearTimeout(idle);
          if (error === undefined) resolve();
          else reject(error instanceof EndpointError ? error : new EndpointError(`reading the response failed: ${error.message || error.name}`, true));
        };
        let idle = setTimeout(() => fail(new EndpointError(`no data for ${timeoutMs / 1000} s while reading the response`, true)), timeoutMs);
        const fail = (error: Error): void => {
          close();
          finish(error);
        };
        body.on('data', (chunk: Buffer) => {
          if (done) return;
          idle.refresh();
          let keepGoing: boolean;
          try {
            keepGoing = onText(decoder.write(chunk));
          } catch (error) {
            fail(error as Error);
            return;
          }
          if (!keepGoing) {
            close();
            finish();
          }
        });
        body.on('end', () => {
          if (done) return;
          try {
            const rest = decoder.end();
            if (rest !== '') onText(rest);
          } catch (error) {
            fail(error as Error);
            return;
          }
          finish();
        });
        body.on('error', (error) => fail(error));
        res.on('aborted', () => fail(new EndpointError('the endpoint closed the connection mid-response', true)));
        req.on('error', (error) => fail(error));
      }),
  };
}

// One request of the check, with Node's http/https as requests would make it: redirects followed,
// a socket timeout, a fresh connection closed after the response, and a bounded body read.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFile } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import type { TlsSettings } from './config.js';

/** What content_match and include_content see of a body; the rest is not read. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** requests' Session.max_redirects. */
export const MAX_REDIRECTS = 30;

/** Why no response came: the `http_outcome` values of the official check. */
export type FailureKind = 'timeout' | 'ssl_error' | 'connection_error' | 'socket_error';

export class RequestFailure extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
  ) {
    super(message);
  }
}

export interface HttpRequestPlan {
  readonly url: URL;
  readonly method: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer | undefined;
  readonly timeoutMs: number;
  readonly allowRedirects: boolean;
  readonly tls: TlsSettings;
  readonly wantPeerCertificate: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly reason: string;
  /** The first MAX_BODY_BYTES of the body, decoded. */
  readonly text: string;
  /** Seconds from sending the last request to its response's headers, as requests' `elapsed`. */
  readonly elapsedSeconds: number;
  /** The DER certificate the final https response came with. */
  readonly peerCertificate: Buffer | undefined;
}

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** The CA and client certificate files of the TLS settings, read for this run. */
export async function tlsMaterial(tls: TlsSettings): Promise<TlsMaterial> {
  const read = async (path: string | undefined, setting: string): Promise<Buffer | undefined> => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path);
    } catch (error) {
      throw new RequestFailure(`Could not read the ${setting} file, invalid path: ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'socket_error');
    }
  };
  const [ca, cert, key] = await Promise.all([read(tls.caFile, 'tls_ca_cert'), read(tls.certFile, 'tls_cert'), read(tls.keyFile, 'tls_private_key')]);
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

/** The error of a failed request in the words of the failure, never with the URL's credentials. */
export function describeFailure(error: unknown, url: URL, timeoutMs: number, connected: boolean): RequestFailure {
  if (error instanceof RequestFailure) return error;
  const err = error as NodeJS.ErrnoException;
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  if (err.code === 'ETIMEDOUT' || err.name === 'TimeoutError') {
    return connected
      ? new RequestFailure(`${where}: Read timed out. (read timeout=${timeoutMs / 1000})`, 'timeout')
      : new RequestFailure(`${where}: Connection to ${url.hostname} timed out. (connect timeout=${timeoutMs / 1000})`, 'timeout');
  }
  const message = err.message || err.code || String(error);
  if (/SSL|TLS|CERT|certificate|self.signed|altname/i.test(`${err.code ?? ''} ${message}`)) return new RequestFailure(`SSLError: ${message}`, 'ssl_error');
  if (err.code !== undefined && /^E(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|NOTFOUND|AI_AGAIN|ADDRNOTAVAIL|PIPE)$/.test(err.code)) return new RequestFailure(`ConnectionError: ${message}`, 'connection_error');
  return new RequestFailure(`${err.code ?? err.name ?? 'Error'}: ${message}`, 'socket_error');
}

function decoderFor(contentType: string | undefined): TextDecoder {
  const charset = /charset=["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}

/** The body's first MAX_BODY_BYTES (after gzip/deflate), then the response is dropped. */
function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
    let source: IncomingMessage | Gunzip | Inflate = response;
    if (encoding === 'gzip' || encoding === 'x-gzip') source = response.pipe(createGunzip());
    else if (encoding === 'deflate') source = response.pipe(createInflate());
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      response.destroy();
      if (source !== response) source.destroy();
      resolve(decoderFor(response.headers['content-type']).decode(Buffer.concat(chunks)));
    };
    source.on('data', (chunk: Buffer) => {
      if (done) return;
      const room = MAX_BODY_BYTES - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (size >= MAX_BODY_BYTES) finish();
    });
    source.on('end', finish);
    const fail = (error: Error): void => {
      if (done) return;
      done = true;
      response.destroy();
      if (source !== response) source.destroy();
      reject(error);
    };
    // A body that does not decompress is matched on what did (requests would fail the run instead).
    source.on('error', (error) => ((error as NodeJS.ErrnoException).code?.startsWith('Z_') && chunks.length > 0 ? finish() : fail(error)));
    response.on('error', fail);
    response.on('aborted', () => fail(Object.assign(new Error('the connection closed before the end of the body'), { code: 'ECONNRESET' })));
  });
}

interface Hop {
  readonly response: IncomingMessage;
  /** Whether the socket timeout ended the request (while its body was read, too). */
  readonly timedOut: () => boolean;
  readonly elapsedSeconds: number;
  readonly peerCertificate: Buffer | undefined;
}

function sendOnce(url: URL, method: string, headers: OutgoingHttpHeaders, body: Buffer | undefined, plan: HttpRequestPlan, material: TlsMaterial, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === 'https:';
    const started = performance.now();
    let connected = false;
    let timedOut = false;
    const tlsOptions = https
      ? {
          rejectUnauthorized: plan.tls.verify,
          ...material,
          ...(plan.tls.serverName !== undefined && { servername: plan.tls.serverName }),
          ...(!plan.tls.validateHostname && { checkServerIdentity: () => undefined }),
        }
      : {};
    const request = (https ? httpsRequest : httpRequest)(url, { method, headers, agent: false, signal, timeout: plan.timeoutMs, ...tlsOptions }, (response) => {
      const socket = response.socket as TLSSocket | null;
      const peerCertificate = plan.wantPeerCertificate && https && socket?.getPeerCertificate ? socket.getPeerCertificate().raw : undefined;
      resolve({ response, timedOut: () => timedOut, elapsedSeconds: (performance.now() - started) / 1000, peerCertificate });
    });
    request.on('socket', (socket) => {
      socket.once(https ? 'secureConnect' : 'connect', () => {
        connected = true;
      });
    });
    request.on('timeout', () => {
      timedOut = true;
      const timeout = new Error('timed out');
      timeout.name = 'TimeoutError';
      request.destroy(timeout);
    });
    request.on('error', (error) => reject(signal.aborted ? error : describeFailure(error, url, plan.timeoutMs, connected)));
    request.end(body);
  });
}

/** requests' redirect rules: 303 (and 301/302 for POST) become GET without a body; 307/308 keep both. */
function redirectMethod(status: number, method: string): string {
  if (status === 303 && method !== 'HEAD') return 'GET';
  if ((status === 301 || status === 302) && method === 'POST') return 'GET';
  return method;
}

/** Sends the request, following redirects; rejects with a RequestFailure when no response came. */
export async function sendRequest(plan: HttpRequestPlan, signal: AbortSignal): Promise<HttpResponse> {
  const material = await tlsMaterial(plan.tls);
  let url = plan.url;
  let method = plan.method;
  let body = plan.body;
  let headers: Record<string, string> = Object.fromEntries(plan.headers);
  for (let redirects = 0; ; redirects++) {
    const sent: OutgoingHttpHeaders = { ...headers, ...(body !== undefined && { 'Content-Length': String(body.length) }) };
    const hop = await sendOnce(url, method, sent, body, plan, material, signal);
    const { response } = hop;
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (plan.allowRedirects && [301, 302, 303, 307, 308].includes(status) && location !== undefined) {
      response.destroy();
      if (redirects >= MAX_REDIRECTS) throw new RequestFailure(`TooManyRedirects: Exceeded ${MAX_REDIRECTS} redirects.`, 'socket_error');
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new RequestFailure(`InvalidURL: the redirect location ${JSON.stringify(location.slice(0, 200))} is not a URL`, 'socket_error');
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RequestFailure(`InvalidSchema: no connection adapters for the redirect to ${next.protocol}`, 'socket_error');
      const nextMethod = redirectMethod(status, method);
      if (status !== 307 && status !== 308) {
        body = undefined;
        headers = withoutHeaders(headers, ['content-type', 'content-length', 'transfer-encoding']);
      }
      // Credentials never follow a redirect to another host (requests' rebuild_auth).
      if (next.hostname !== url.hostname) headers = withoutHeaders(headers, ['authorization']);
      next.username = '';
      next.password = '';
      url = next;
      method = nextMethod;
      continue;
    }
    let text: string;
    try {
      text = await readBody(response);
    } catch (error) {
      if (signal.aborted) throw error;
      const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
      throw describeFailure(hop.timedOut() ? timeout : error, url, plan.timeoutMs, true);
    }
    return { status, reason: response.statusMessage ?? '', text, elapsedSeconds: hop.elapsedSeconds, peerCertificate: hop.peerCertificate };
  }
}

function withoutHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

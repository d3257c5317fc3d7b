// A real HTTP intake for tests: records every request, decompresses bodies, and injects faults
// (status sequences, dropped connections, delays) per path. Generic: metrics and traces alike.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Body after Content-Encoding (gzip/deflate) was undone. */
  readonly body: Buffer;
  /** Body exactly as it came on the wire. */
  readonly rawBody: Buffer;
  /** Status the intake answered (undefined when the connection was closed instead). */
  readonly status: number | undefined;
  /** Body parsed as JSON; throws when it is not JSON. */
  json<T = unknown>(): T;
}

/** What the intake does with one request: answer a status, drop the connection, or wait first. */
export type Fault = number | 'close' | { readonly delayMs: number; readonly status?: number };

export interface RecordingIntake {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Requests on `path` (exact, without query) answered with a 2xx. */
  accepted(path: string): RecordedRequest[];
  /**
   * Queue answers for the next requests on `path` ('*' for any path); once used up, the
   * default status answers. e.g. `fail('/api/v1/series', 500, 500)` then 202s.
   */
  fail(path: string, ...faults: Fault[]): void;
  /** Answer every later request on `path` ('*' for any) this way, until `clearFaults`. */
  always(path: string, fault: Fault): void;
  clearFaults(): void;
  /** Resolves with the first value `predicate` returns that is not undefined/false, re-checked on each request. */
  waitFor<T>(predicate: (requests: RecordedRequest[]) => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(raw);
  if (encoding === 'deflate') return inflateSync(raw);
  return raw;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRecordingIntake(options: { defaultStatus?: number } = {}): Promise<RecordingIntake> {
  const defaultStatus = options.defaultStatus ?? 202;
  const requests: RecordedRequest[] = [];
  const queued = new Map<string, Fault[]>();
  const permanent = new Map<string, Fault>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();

  const nextFault = (path: string): Fault => {
    for (const key of [path, '*']) {
      const queue = queued.get(key);
      if (queue !== undefined && queue.length > 0) return queue.shift()!;
    }
    return permanent.get(path) ?? permanent.get('*') ?? defaultStatus;
  };

  const record = (req: IncomingMessage, rawBody: Buffer, status: number | undefined): void => {
    const url = new URL(req.url ?? '/', 'http://intake');
    let body: Buffer;
    try {
      body = decode(rawBody, req.headers['content-encoding']);
    } catch {
      body = rawBody;
    }
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      rawBody,
      status,
      json: <T>() => JSON.parse(body.toString('utf8')) as T,
    });
    for (const wake of [...waiters]) wake();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://intake').pathname;
    const planned = nextFault(path);
    let fault: number | 'close';
    if (typeof planned === 'object') {
      await new Promise((resolve) => setTimeout(resolve, planned.delayMs));
      fault = planned.status ?? defaultStatus;
    } else fault = planned;
    if (fault === 'close') {
      record(req, rawBody, undefined);
      req.socket.destroy();
      return;
    }
    record(req, rawBody, fault);
    res.writeHead(fault, { 'Content-Type': 'application/json' });
    res.end(fault >= 200 && fault < 300 ? '{"status":"ok"}' : `{"errors":["status ${fault}"]}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    accepted: (path) => requests.filter((r) => r.path === path && r.status !== undefined && r.status >= 200 && r.status < 300),
    fail: (path, ...faults) => {
      queued.set(path, [...(queued.get(path) ?? []), ...faults]);
    },
    always: (path, fault) => {
      permanent.set(path, fault);
    },
    clearFaults: () => {
      queued.clear();
      permanent.clear();
    },
    waitFor: <T>(predicate: (requests: RecordedRequest[]) => T | undefined | false, timeoutMs = 10_000) =>
      new Promise<T>((resolve, reject) => {
        const check = (): boolean => {
          const value = predicate(requests);
          if (value === undefined || value === false) return false;
          cleanup();
          resolve(value);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          const seen = requests.map((r) => `${r.method} ${r.path} → ${r.status ?? 'closed'}`).join(', ');
          reject(new Error(`recording intake: condition not met within ${timeoutMs} ms; requests: [${seen}]`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = (): void => {
          try {
            check();
          } catch (error) {
            cleanup();
            reject(error as Error);
          }
        };
        waiters.add(wake);
        wake();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// Real HTTP and HTTPS servers on 127.0.0.1 for the http_check tests: routes with the answers the
// check judges (status codes, bodies, a slow handler, redirects, basic auth, a body past the read
// bound), each request recorded, and self-signed certificates made by openssl for the test.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** notAfter as `openssl x509 -enddate` prints it, in Unix ms. */
  readonly notAfter: number;
}

export const BASIC_USER = 'probe';
export const BASIC_PASSWORD = 's3cret-basic-pw';
export const BEARER_TOKEN = 'tok-9f8e7d6c5b4a';
export const HEALTHY_BODY = 'status: healthy, version 1.2.3';
/** A marker placed after the first 2 MiB of /big, beyond what the check reads. */
export const LATE_MARKER = 'LATE-MARKER-PAST-THE-READ-BOUND';

export class HttpCheckServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests to /slow whose connection the client closed before the answer. */
  slowAbandoned = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly server: Server,
    readonly origin: string,
  ) {}

  /** An http server, or an https one with `certificate`. */
  static async start(certificate?: TestCertificate): Promise<HttpCheckServer> {
    let instance: HttpCheckServer | undefined;
    const handler = (req: IncomingMessage, res: ServerResponse): void => instance!.handle(req, res);
    const server = certificate === undefined ? createHttpServer(handler) : createHttpsServer({ cert: certificate.cert, key: certificate.key }, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    instance = new HttpCheckServer(server, `${certificate === undefined ? 'http' : 'https'}://127.0.0.1:${port}`);
    server.on(certificate === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
      instance!.sockets.add(socket);
      socket.on('close', () => instance!.sockets.delete(socket));
    });
    return instance;
  }

  /** Connections open right now (the check must not keep one between runs). */
  get openConnections(): number {
    return this.sockets.size;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      this.route(req, res, body);
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/ok':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(HEALTHY_BODY);
        return;
      case '/error':
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('database unreachable: connection pool exhausted');
        return;
      case '/slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) res.writeHead(200).end('late');
        }, 4_000);
        this.timers.add(timer);
        res.on('close', () => {
          if (!res.writableEnded) this.slowAbandoned++;
        });
        return;
      }
      case '/stall': {
        // Headers and part of the body, then nothing until the client gives up.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('status: heal');
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) res.end('thy');
        }, 4_000);
        this.timers.add(timer);
        return;
      }
      case '/submit': {
        // Answers 200 only when the check sent what the test configured.
        const ok = req.method === 'POST' && req.headers['x-probe'] === 'from-datadog' && body.length > 0;
        res.writeHead(ok ? 200 : 400, { 'Content-Type': 'text/plain' }).end(ok ? 'accepted' : 'rejected');
        return;
      }
      case '/redirect':
        res.writeHead(302, { Location: '/ok' }).end();
        return;
      case '/redirect-post':
        res.writeHead(307, { Location: '/submit' }).end();
        return;
      case '/loop':
        res.writeHead(302, { Location: '/loop' }).end();
        return;
      case '/auth': {
        const expected = `Basic ${Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64')}`;
        const ok = req.headers.authorization === expected || req.headers.authorization === `Bearer ${BEARER_TOKEN}`;
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'text/plain' }).end(ok ? 'welcome' : 'who are you');
        return;
      }
      case '/gzip':
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' }).end(gzipSync(HEALTHY_BODY));
        return;
      case '/big':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('x'.repeat(2 * 1024 * 1024));
        res.end(LATE_MARKER);
        return;
      default:
        res.writeHead(404).end('not found');
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A self-signed certificate for 127.0.0.1 valid `days` days, made with openssl req -x509. */
export async function makeCertificate(dir: string, name: string, days: number): Promise<TestCertificate> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  const { stdout } = await run('openssl', ['x509', '-in', certFile, '-noout', '-enddate']);
  const notAfter = Date.parse(stdout.trim().replace(/^notAfter=/, ''));
  if (!Number.isFinite(notAfter)) throw new Error(`cannot read the notAfter of ${certFile}: ${stdout}`);
  return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile), notAfter };
}

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'http-check-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A port that was free a moment ago: nothing listens there. */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The intake's HTTP server: agent endpoints (API key checked, bodies decoded and stored),
// the query API and the page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, decodeContent, readBody } from './body.js';
import { endpointPath, ENDPOINTS } from './endpoints.js';
import { PayloadError } from './payloads/payload-error.js';
import { handleQuery, QUERY_PREFIX } from './query-routes.js';
import { serveStatic } from './static-files.js';
import type { Store } from './store.js';

export interface IntakeOptions {
  readonly store: Store;
  /** Folder of the page (lib/intake-ui); without it the page is not served. */
  readonly uiDir?: string;
  /** When set, only this key is accepted; otherwise any non-empty DD-API-KEY is. */
  readonly apiKey?: string;
  /** One line per refused payload (never contains the key). */
  readonly log?: (line: string) => void;
}

export interface Intake {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function apiKeyOf(req: IncomingMessage, url: URL): string {
  const header = req.headers['dd-api-key'];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('api_key') ?? '';
}

export function createIntakeServer(options: IntakeOptions): Server {
  const { store } = options;
  const log = options.log ?? (() => {});
  const rejected: Record<string, number> = {};
  const reject = (res: ServerResponse, endpoint: string, status: number, message: string) => {
    rejected[`${endpoint} ${status}`] = (rejected[`${endpoint} ${status}`] ?? 0) + 1;
    log(`refused ${endpoint} with ${status}: ${message}`);
    send(res, status, { errors: [message] });
  };

  const ingest = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = endpointPath(url.pathname);
    const key = apiKeyOf(req, url);
    if (key === '' || (options.apiKey !== undefined && key !== options.apiKey)) {
      req.resume();
      return reject(res, path, 403, key === '' ? 'DD-API-KEY header missing' : 'invalid API key');
    }
    if (path === '/api/v1/validate') return send(res, 200, { valid: true });
    if (req.method !== 'POST') return send(res, 405, { errors: ['POST only'] });
    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return reject(res, path, 413, error.message);
      throw error;
    }
    const endpoint = ENDPOINTS[path];
    if (!endpoint) {
      // Other agent endpoints (metadata, inventories…) are acknowledged so agents do not retry, and counted.
      store.append('payloads', [{ endpoint: path, receivedAt: Date.now(), bytes: raw.length, items: 0 }]);
      return send(res, 202, { status: 'ok' });
    }
    let records;
    try {
      const body = decodeContent(raw, req.headers['content-encoding']);
      records = endpoint.decode(body, req.headers['content-type'] ?? '');
    } catch (error) {
      if (error instanceof PayloadError) return reject(res, path, 400, error.message);
      throw error;
    }
    store.append(endpoint.kind, records);
    store.append('payloads', [{ endpoint: path, receivedAt: Date.now(), bytes: raw.length, items: records.length }]);
    send(res, 202, { status: 'ok' });
  };

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://intake');
    const handle = async () => {
      if (url.pathname.startsWith(QUERY_PREFIX)) return handleQuery(store, rejected, url, req, res);
      if (url.pathname.startsWith('/api/') || endpointPath(url.pathname) === '/intake/') return ingest(req, res, url);
      if (req.method === 'GET' && options.uiDir && (await serveStatic(options.uiDir, url.pathname, res))) return;
      send(res, 404, { errors: ['not found'] });
    };
    handle().catch((error: unknown) => {
      log(`error on ${url.pathname}: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, { errors: ['internal error'] });
      else res.destroy();
    });
  });
}

/** Starts an intake on `host:port` (port 0 = any free port) and resolves with its URL. */
export function startIntake(options: IntakeOptions & { port: number; host?: string }): Promise<Intake> {
  const server = createIntakeServer(options);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// The HTTP server both intake-facing receivers stand on (trace receiver, OTLP/HTTP): a handler whose
// failure is logged and answered 500, malformed requests answered 400, and a stop that gives
// requests in progress until the deadline (a second at most) before their connections are cut.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../log.js';

export interface HttpListenerOptions {
  /** Prefix of the log lines, e.g. `trace receiver`. */
  readonly name: string;
  readonly logger: Logger;
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The answer to a request whose handler threw before writing its head. */
  readonly internalError: (res: ServerResponse) => void;
}

export class HttpListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private listening = false;

  constructor(private readonly options: HttpListenerOptions) {
    this.server = createServer((req, res) => {
      options.handle(req, res).catch((error: unknown) => {
        options.logger.error(`${options.name}: ${(error as Error).message}`);
        if (!res.headersSent) options.internalError(res);
        else res.destroy();
      });
    });
    this.server.requestTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Listens on `host:port` or an inherited descriptor; resolves with the bound port. */
  async listen(target: { readonly fd: number } | { readonly port: number; readonly host: string }): Promise<number> {
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const listening = (): void => {
        server.off('error', reject);
        resolve();
      };
      if ('fd' in target) server.listen({ fd: target.fd }, listening);
      else server.listen(target.port, target.host, listening);
    });
    // Errors after listening (EMFILE on accept…) are logged, never thrown at the process.
    server.on('error', (error) => this.options.logger.error(`${this.options.name}: ${error.message}`));
    this.listening = true;
    return (server.address() as AddressInfo).port;
  }

  /** Stops accepting; requests in progress get until `deadline`, a second at most. */
  async close(deadline: number): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const until = Math.min(deadline, Date.now() + 1000);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const socket of this.sockets) socket.destroy();
        resolve();
      }, Math.max(0, until - Date.now()));
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}

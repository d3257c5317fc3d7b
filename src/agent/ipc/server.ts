// IPC API on 127.0.0.1:DD_CMD_PORT: `GET /agent/status?format=json|text`, `/agent/health`,
// `/agent/version`, each behind the bearer token of auth_token.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Component } from '../component.js';
import type { Logger } from '../../log.js';
import { apmCounters } from './apm-text.js';
import { health } from './health.js';
import { MinuteWindow } from './minute-window.js';
import { renderStatusText, type AgentStatus } from './status-text.js';

const MINUTE_MS = 60_000;

export interface IpcServerOptions {
  readonly port: number;
  readonly token: string;
  readonly status: () => AgentStatus;
  readonly logger: Logger;
}

function authorized(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class IpcServer implements Component {
  readonly name = 'ipc';
  private server: Server | undefined;
  private boundPort = 0;
  private error: string | undefined;
  /** The trace agent's "previous minute" figures, read once a minute. */
  private readonly minute: MinuteWindow;
  private minuteTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: IpcServerOptions) {
    this.minute = new MinuteWindow(() => apmCounters(this.options.status().components.apm));
  }

  /** The document `/agent/status` serves (JSON, or rendered as text). */
  document(): AgentStatus {
    const status = this.options.status();
    const previousMinute = this.minute.previous();
    return previousMinute !== undefined ? { ...status, previousMinute } : status;
  }

  /** Closes the current minute now (the timer does it every minute; tests call it). */
  rollMinute(): void {
    this.minute.roll();
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!authorized(req.headers.authorization, this.options.token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('unauthorized: send the token of auth_token as "Authorization: Bearer <token>"\n');
        return;
      }
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      const status = this.document();
      if (url.pathname === '/agent/status') {
        if (url.searchParams.get('format') === 'text') res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(renderStatusText(status));
        else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(status));
      } else if (url.pathname === '/agent/health') {
        const { Healthy, Unhealthy } = health(status.components);
        res.writeHead(Unhealthy.length === 0 ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ healthy: Unhealthy.length === 0, components: Object.keys(status.components), Healthy, Unhealthy }));
      } else if (url.pathname === '/agent/version') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ version: status.version, flavor: status.flavor }));
      } else {
        res.writeHead(404).end();
      }
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // Metrics matter more than the status API: keep running without it.
      this.error = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.options.logger.error(`ipc: cannot listen on 127.0.0.1:${this.options.port} (${this.error}); \`agent status\` is unavailable, metrics still flow`);
      return;
    }
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.minuteTimer = setInterval(() => this.minute.roll(), MINUTE_MS);
    this.minuteTimer.unref();
    this.options.logger.info(`ipc: status API on 127.0.0.1:${this.boundPort}`);
  }

  async stop(): Promise<void> {
    if (this.minuteTimer !== undefined) clearInterval(this.minuteTimer);
    if (this.server === undefined) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  status(): Record<string, unknown> {
    return this.error !== undefined ? { address: `unavailable: ${this.error}` } : { address: `127.0.0.1:${this.boundPort}` };
  }
}

// The HTTP side of the trace agent on 8126: the endpoints tracers call, size caps, overload refusal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpListener } from '../http-listener.js';
import { inheritedSockets } from '../dogstatsd/inherited-sockets.js';
import type { Logger } from '../../log.js';
import type { ApmCounters } from './counters.js';
import { DecodeError } from './decode-error.js';
import { drainBody, readBody } from './http-body.js';

export type TraceVersion = 'v0.3' | 'v0.4' | 'v0.5';

export interface ReceiverHandlers {
  /** Decodes and processes one trace payload; throws DecodeError on a malformed one. */
  traces(version: TraceVersion, body: Buffer, req: IncomingMessage): void;
  /** Tracer-computed stats; throws DecodeError on a malformed one. */
  stats(body: Buffer, req: IncomingMessage): void;
  info(): Record<string, unknown>;
  ratesByService(): Record<string, number>;
}

export interface ReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly maxPayloadBytes: number;
  /** Bytes of request bodies held at once, across requests; beyond it new payloads are refused. */
  readonly maxBufferedBytes: number;
  /** Trace/stat requests handled at once; beyond it new ones are refused. */
  readonly maxConcurrentRequests: number;
  readonly agentState: string;
  readonly counters: ApmCounters;
  readonly logger: Logger;
  readonly handlers: ReceiverHandlers;
  /**
   * A listening socket bound by the supervisor, as a descriptor of this process (`apm=` of
   * DD_BUILDPACK_INHERITED_SOCKETS by default): connections made while no agent runs wait in its
   * backlog instead of being refused.
   */
  readonly fd?: number;
}

/** Inherited descriptors already listened on: closing the server closes the descriptor, which may then be reused. */
const usedFds = new Set<number>();

const TRACE_PATHS: Record<string, TraceVersion> = { '/v0.3/traces': 'v0.3', '/v0.4/traces': 'v0.4', '/v0.5/traces': 'v0.5' };

/** Header values the trace-agent reads as true. */
export function headerTrue(value: string | string[] | undefined): boolean {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== undefined && /^(1|t|true|y|yes)$/i.test(v.trim());
}

/** A tracer header as an identity value: printable ASCII, at most 100 characters. */
export function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  // Printable ASCII only: the value ends up in log lines.
  return ((Array.isArray(v) ? v[0] : v) ?? '').replace(/[^\x21-\x7e]/g, '').slice(0, 100);
}

export class TraceReceiver {
  private listener: HttpListener | undefined;
  /** Answers close their connection (when the listener is inherited: see start). */
  private closeConnections = false;
  private bufferedBytes = 0;
  private peakBufferedBytes = 0;
  private activeRequests = 0;
  private readonly requests: Record<string, number> = {};
  private refused = 0;
  private boundPort = 0;

  constructor(private readonly options: ReceiverOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const listener = new HttpListener({
      name: 'trace receiver',
      logger: this.options.logger,
      handle: (req, res) => this.handle(req, res),
      internalError: (res) => this.reply(res, 500, 'text/plain', 'internal error\n'),
    });
    const fd = this.options.fd ?? inheritedSockets().apm;
    const inherited = fd !== undefined && !usedFds.has(fd) ? fd : undefined;
    if (inherited !== undefined) usedFds.add(inherited);
    // The listener outlives this agent, its connections do not: a client writing into a kept-alive
    // connection after a crash would meet a reset, so each answer closes its connection.
    this.closeConnections = inherited !== undefined;
    this.boundPort = await listener.listen(inherited !== undefined ? { fd: inherited } : { port: this.options.port, host: this.options.host });
    this.listener = listener;
  }

  /** Stops accepting connections; requests in progress get a second at most, the writer needs the rest of `deadline`. */
  async stop(deadline: number): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close(deadline);
  }

  status(): Record<string, unknown> {
    return {
      host: this.options.host,
      port: this.boundPort,
      requests: { ...this.requests },
      refusedOverload: this.refused,
      bufferedBytes: this.bufferedBytes,
      peakBufferedBytes: this.peakBufferedBytes,
      activeRequests: this.activeRequests,
    };
  }

  private reply(res: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': contentType, 'Datadog-Agent-State': this.options.agentState, ...(this.closeConnections ? { Connection: 'close' } : {}), ...extra });
    res.end(body);
  }

  private replyRates(res: ServerResponse, version: TraceVersion, status = 200): void {
    if (version === 'v0.3') this.reply(res, status, 'text/plain', 'OK\n');
    else this.reply(res, status, 'application/json', JSON.stringify({ rate_by_service: this.options.handlers.ratesByService() }));
  }

  private count(path: string): void {
    this.requests[path] = (this.requests[path] ?? 0) + 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const traceVersion = TRACE_PATHS[path];
    if (traceVersion !== undefined || path === '/v0.6/stats') {
      this.count(path);
      if (req.method !== 'POST' && req.method !== 'PUT') {
        await drainBody(req);
        return this.reply(res, 405, 'text/plain', 'method not allowed\n', { Allow: 'POST, PUT' });
      }
      return this.handlePayload(req, res, traceVersion);
    }
    if (path === '/info') {
      this.count(path);
      await drainBody(req);
      return this.reply(res, 200, 'application/json', `${JSON.stringify(this.options.handlers.info(), null, 2)}\n`);
    }
    if (path.startsWith('/telemetry/proxy/')) {
      // Tracer telemetry is not forwarded; accepting it keeps tracers from logging errors.
      this.count('/telemetry/proxy/');
      await drainBody(req);
      return this.reply(res, 202, 'application/json', '{}');
    }
    if (path === '/v0.7/config') {
      // What the trace-agent answers when remote configuration is off; tracers read 404 as "disabled".
      this.count(path);
      await drainBody(req);
      return this.reply(res, 404, 'text/plain', 'remote configuration is disabled\n');
    }
    await drainBody(req);
    this.reply(res, 404, 'text/plain', '404 page not found\n');
  }

  private async handlePayload(req: IncomingMessage, res: ServerResponse, version: TraceVersion | undefined): Promise<void> {
    const { counters, maxPayloadBytes } = this.options;
    const language = header(req, 'datadog-meta-lang');
    const declared = Number(req.headers['content-length'] ?? 0) || 0;
    if (declared > maxPayloadBytes) return this.tooLarge(req, res);
    const overloaded =
      this.activeRequests >= this.options.maxConcurrentRequests || this.bufferedBytes + declared > this.options.maxBufferedBytes;
    if (overloaded) {
      // As the trace-agent: drop the payload, and say so only to clients that asked for real statuses.
      this.refused++;
      counters.drop('overloaded');
      await drainBody(req);
      const status = headerTrue(req.headers['datadog-send-real-http-status']) ? 429 : 200;
      return version ? this.replyRates(res, version, status) : this.reply(res, status, 'text/plain', 'OK\n');
    }
    this.activeRequests++;
    try {
      const result = await readBody(req, maxPayloadBytes, (delta) => {
        this.bufferedBytes += delta;
        if (this.bufferedBytes > this.peakBufferedBytes) this.peakBufferedBytes = this.bufferedBytes;
      });
      if (result.kind === 'aborted') return;
      if (result.kind === 'too_large') return this.tooLarge(req, res);
      try {
        if (version) this.options.handlers.traces(version, result.body, req);
        else this.options.handlers.stats(result.body, req);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        counters.drop('decoding_error');
        this.options.logger.once('apm-decode', 'warn', `trace receiver: cannot decode a ${language || 'tracer'} payload: ${error.message}`);
        return this.reply(res, 400, 'text/plain', `${error.message}\n`);
      }
      if (version) this.replyRates(res, version);
      else this.reply(res, 200, 'text/plain', 'OK\n');
    } finally {
      this.activeRequests--;
    }
  }

  private async tooLarge(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.options.counters.drop('payload_too_large');
    this.options.logger.once('apm-413', 'warn', `trace receiver: a payload over ${this.options.maxPayloadBytes} bytes was refused (DD_APM_MAX_PAYLOAD_SIZE)`);
    // Close after answering: the rest of an oversized body is not worth reading.
    this.reply(res, 413, 'text/plain', 'request body too large\n', { Connection: 'close' });
    req.resume();
  }
}

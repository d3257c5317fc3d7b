// OTLP/HTTP: POST /v1/metrics and /v1/traces, protobuf or JSON, gzip/deflate, the spec's statuses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpListener } from '../../http-listener.js';
import type { Logger } from '../../../log.js';
import { encodeExportResponse, encodeRpcStatus, RpcCode, type OtlpEncoding, type OtlpSignal } from '../decode/index.js';
import type { OtlpCounters, RefusalReason } from './counters.js';
import { formatAddress, type Endpoint } from './endpoint.js';
import { runExport, type ExportDeps } from './export.js';
import type { RequestBudget } from './request-budget.js';
import { contentCoding, readRequestBody } from './request-body.js';

/** confighttp's default max_request_body_size, which the Datadog Agent inherits. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 20 * 1024 * 1024;

const PATHS: Record<string, OtlpSignal> = { '/v1/metrics': 'metrics', '/v1/traces': 'traces' };
const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export interface HttpReceiverOptions extends ExportDeps {
  readonly endpoint: Endpoint;
  readonly maxRequestBodyBytes: number;
  readonly budget: RequestBudget;
  readonly counters: OtlpCounters;
  readonly logger: Logger;
}

/** The encoding a Content-Type names (parameters such as charset ignored), if OTLP has it. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/x-protobuf') return 'protobuf';
  if (media === 'application/json') return 'json';
  return undefined;
}

function textHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value.length > 0) out[name] = value[0]!;
  }
  return out;
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete) return resolve();
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', resolve);
    req.resume();
  });
}

export class OtlpHttpReceiver {
  private listener: HttpListener | undefined;
  private boundPort = 0;
  private stopping = false;

  constructor(private readonly options: HttpReceiverOptions) {}

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return formatAddress(this.options.endpoint.host, this.boundPort);
  }

  async start(): Promise<void> {
    const listener = new HttpListener({
      name: 'OTLP/HTTP receiver',
      logger: this.options.logger,
      handle: (req, res) => this.handle(req, res),
      internalError: (res) => this.text(res, 500, 'internal error\n'),
    });
    this.boundPort = await listener.listen(this.options.endpoint);
    this.listener = listener;
  }

  /** Stops accepting; requests in progress get until `deadline` (a second at most), then their connections are cut. */
  async stop(deadline: number): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    this.listener = undefined;
    this.stopping = true;
    await listener.close(deadline);
  }

  private text(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(body);
  }

  /** A 4xx/5xx answer: a google.rpc.Status in the request's encoding, as the spec asks. */
  private status(res: ServerResponse, encoding: OtlpEncoding, httpStatus: number, code: number, message: string, extra: Record<string, string> = {}): void {
    res.writeHead(httpStatus, { 'Content-Type': CONTENT_TYPES[encoding], ...extra });
    res.end(encodeRpcStatus(code, message, encoding));
  }

  private async refuse(req: IncomingMessage, reason: RefusalReason, answer: () => void): Promise<void> {
    this.options.counters.refuse(reason);
    await drain(req);
    answer();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { counters, budget, maxRequestBodyBytes, logger } = this.options;
    counters.requests.http++;
    const path = (req.url ?? '/').split('?')[0]!;
    const signal = PATHS[path];
    const encoding = encodingOf(req.headers['content-type']);
    if (signal === undefined) {
      return this.refuse(req, 'not_found', () =>
        encoding ? this.status(res, encoding, 404, RpcCode.UNIMPLEMENTED, `${path} not found: OTLP/HTTP serves /v1/metrics and /v1/traces`) : this.text(res, 404, '404 page not found\n'),
      );
    }
    if (req.method !== 'POST') {
      const message = `${req.method ?? ''} method not allowed, supported: [POST]`;
      return this.refuse(req, 'method_not_allowed', () =>
        encoding ? this.status(res, encoding, 405, RpcCode.UNIMPLEMENTED, message, { Allow: 'POST' }) : this.text(res, 405, `${message}\n`, { Allow: 'POST' }),
      );
    }
    if (encoding === undefined) {
      return this.refuse(req, 'unsupported_media_type', () =>
        this.text(res, 415, `415 unsupported media type, supported: [${CONTENT_TYPES.json}, ${CONTENT_TYPES.protobuf}]\n`),
      );
    }
    const coding = contentCoding(req.headers['content-encoding']);
    if (coding === undefined) {
      return this.refuse(req, 'unsupported_encoding', () =>
        this.status(res, encoding, 415, RpcCode.INVALID_ARGUMENT, `Content-Encoding '${req.headers['content-encoding']}' is not supported: send gzip, deflate or identity`),
      );
    }
    if (this.stopping) {
      return this.refuse(req, 'stopping', () => this.status(res, encoding, 503, RpcCode.UNAVAILABLE, 'the agent is stopping', { 'Retry-After': '1', Connection: 'close' }));
    }
    const declared = Number(req.headers['content-length'] ?? 0) || 0;
    if (declared > maxRequestBodyBytes) return this.tooLarge(req, res, encoding);
    if (!budget.tryStart(Math.min(declared, maxRequestBodyBytes))) {
      // Retryable throttling (429 + Retry-After), as the spec's OTLP/HTTP Throttling section describes.
      logger.once('otlp-http-overload', 'warn', `OTLP/HTTP receiver: over ${budget.maxRequests} requests or ${budget.maxBytes} bytes in flight, answering 429`);
      return this.refuse(req, 'overloaded', () =>
        this.status(res, encoding, 429, RpcCode.RESOURCE_EXHAUSTED, 'the agent is busy: retry later', { 'Retry-After': '1' }),
      );
    }
    try {
      const outcome = await readRequestBody(
        req,
        coding,
        maxRequestBodyBytes,
        (bytes) => budget.tryHold(bytes),
        (bytes) => budget.hold(-bytes),
      );
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'too_large') return this.tooLarge(req, res, encoding);
      if (outcome.kind === 'overloaded') {
        counters.refuse('overloaded');
        return this.status(res, encoding, 429, RpcCode.RESOURCE_EXHAUSTED, 'the agent is busy: retry later', { 'Retry-After': '1', Connection: 'close' });
      }
      if (outcome.kind === 'bad_compression') {
        counters.refuse('bad_compression');
        return this.status(res, encoding, 400, RpcCode.INVALID_ARGUMENT, outcome.message);
      }
      try {
        const result = await runExport(signal, outcome.body, { transport: 'http', encoding, headers: textHeaders(req) }, this.options);
        if (result.kind === 'invalid') return this.status(res, encoding, 400, RpcCode.INVALID_ARGUMENT, result.message);
        if (result.kind === 'failed') return this.status(res, encoding, 500, RpcCode.INTERNAL, result.message);
        res.writeHead(200, { 'Content-Type': CONTENT_TYPES[encoding] });
        res.end(encodeExportResponse(signal, result.result, encoding));
      } finally {
        budget.hold(-outcome.body.length);
      }
    } finally {
      budget.finish();
    }
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse, encoding: OtlpEncoding): void {
    const { counters, logger, maxRequestBodyBytes } = this.options;
    counters.refuse('too_large');
    logger.once('otlp-http-413', 'warn', `OTLP/HTTP receiver: a body over ${maxRequestBodyBytes} bytes was refused (otlp_config.receiver.protocols.http.max_request_body_size)`);
    // Close after answering: the rest of an oversized body is not worth reading.
    this.status(res, encoding, 413, RpcCode.RESOURCE_EXHAUSTED, `the request body is over ${maxRequestBodyBytes} bytes`, { Connection: 'close' });
    req.resume();
  }
}

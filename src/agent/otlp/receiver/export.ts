// One export, whatever the transport: decode the body, hand the request to the translator, count.
import type { Logger } from '../../../log.js';
import type { ExportMetricsServiceRequest, ExportTraceServiceRequest } from '../model.js';
import {
  DecodeError,
  decodeMetricsRequest,
  decodeTracesRequest,
  type DecodeLimits,
  type ExportResult,
  type OtlpEncoding,
  type OtlpSignal,
} from '../decode/index.js';
import { countDataPoints, countSpans, type OtlpCounters, type OtlpTransport } from './counters.js';

/** Where a request came from; `headers` are lower-case HTTP headers or gRPC metadata (text values only). */
export interface ExportContext {
  readonly transport: OtlpTransport;
  readonly encoding: OtlpEncoding;
  readonly headers: Readonly<Record<string, string>>;
}

/** The translators, as functions: the receivers know nothing of where points and spans go. */
export type MetricsHandler = (request: ExportMetricsServiceRequest, context: ExportContext) => ExportResult | Promise<ExportResult>;
export type TracesHandler = (request: ExportTraceServiceRequest, context: ExportContext) => ExportResult | Promise<ExportResult>;

export interface ExportHandlers {
  readonly metrics: MetricsHandler;
  readonly traces: TracesHandler;
}

export type ExportOutcome =
  | { readonly kind: 'ok'; readonly result: ExportResult }
  /** The body is not an OTLP request: 400 / INVALID_ARGUMENT. */
  | { readonly kind: 'invalid'; readonly message: string }
  /** The translator threw: 500 / INTERNAL. */
  | { readonly kind: 'failed'; readonly message: string };

export interface ExportDeps {
  readonly handlers: ExportHandlers;
  readonly counters: OtlpCounters;
  readonly logger: Logger;
  readonly decodeLimits?: DecodeLimits | undefined;
}

export async function runExport(signal: OtlpSignal, body: Uint8Array, context: ExportContext, deps: ExportDeps): Promise<ExportOutcome> {
  const counters = deps.counters.signals[signal];
  counters.bytes += body.length;
  let pending: ExportResult | Promise<ExportResult>;
  try {
    if (signal === 'metrics') {
      const request = decodeMetricsRequest(body, context.encoding, deps.decodeLimits);
      counters.payloads++;
      counters.items += countDataPoints(request);
      pending = deps.handlers.metrics(request, context);
    } else {
      const request = decodeTracesRequest(body, context.encoding, deps.decodeLimits);
      counters.payloads++;
      counters.items += countSpans(request);
      pending = deps.handlers.traces(request, context);
    }
  } catch (error) {
    return failure(signal, error, deps);
  }
  try {
    const result = await pending;
    const rejected = Number.isFinite(result?.rejected) ? Math.max(0, Math.trunc(result.rejected)) : 0;
    counters.rejected += rejected;
    return { kind: 'ok', result: { rejected, ...(result?.error ? { error: result.error } : {}) } };
  } catch (error) {
    return failure(signal, error, deps);
  }
}

function failure(signal: OtlpSignal, error: unknown, deps: ExportDeps): ExportOutcome {
  const counters = deps.counters.signals[signal];
  if (error instanceof DecodeError) {
    counters.decodeErrors++;
    deps.logger.once(`otlp-decode-${signal}`, 'warn', `OTLP receiver: cannot decode a ${signal} request: ${error.message}`);
    return { kind: 'invalid', message: error.message };
  }
  counters.failures++;
  const message = error instanceof Error ? error.message : String(error);
  deps.logger.once(`otlp-failed-${signal}`, 'error', `OTLP receiver: the ${signal} translator failed: ${message}`);
  return { kind: 'failed', message: `the agent could not process the ${signal}: ${message}` };
}

// What `agent status` shows of OTLP ingest: requests per transport, payloads/items/bytes/errors per signal.
import type { ExportMetricsServiceRequest, ExportTraceServiceRequest } from '../model.js';
import type { OtlpSignal } from '../decode/index.js';

export type OtlpTransport = 'http' | 'grpc';

export class SignalCounters {
  payloads = 0;
  /** Data points (metrics) or spans (traces) decoded. */
  items = 0;
  /** Request bytes after decompression. */
  bytes = 0;
  decodeErrors = 0;
  /** Points/spans the translator rejected (partial success). */
  rejected = 0;
  /** Exports the translator failed on (answered 500 / INTERNAL). */
  failures = 0;

  snapshot(itemsName: string): Record<string, number> {
    return {
      payloads: this.payloads,
      [itemsName]: this.items,
      bytes: this.bytes,
      decodeErrors: this.decodeErrors,
      [`rejected${itemsName[0]!.toUpperCase()}${itemsName.slice(1)}`]: this.rejected,
      failures: this.failures,
    };
  }
}

export type RefusalReason = 'overloaded' | 'too_large' | 'unsupported_media_type' | 'unsupported_encoding' | 'bad_compression' | 'method_not_allowed' | 'not_found' | 'stopping';

export class OtlpCounters {
  readonly requests: Record<OtlpTransport, number> = { http: 0, grpc: 0 };
  readonly signals: Record<OtlpSignal, SignalCounters> = { metrics: new SignalCounters(), traces: new SignalCounters() };
  readonly refused: Partial<Record<RefusalReason, number>> = {};

  refuse(reason: RefusalReason): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
  }

  snapshot() {
    return {
      requests: { ...this.requests },
      metrics: this.signals.metrics.snapshot('dataPoints'),
      traces: this.signals.traces.snapshot('spans'),
      refused: { ...this.refused },
    };
  }
}

export function countDataPoints(request: ExportMetricsServiceRequest): number {
  let n = 0;
  for (const rm of request.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) if (m.data.type !== 'none') n += m.data.dataPoints.length;
    }
  }
  return n;
}

export function countSpans(request: ExportTraceServiceRequest): number {
  let n = 0;
  for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

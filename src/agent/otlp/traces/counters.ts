// What `agent status` shows of OTLP traces: spans in, spans refused and why, traces handed on.

/** Why a span was not handed to the trace pipeline. */
export type SpanDropReason =
  | 'invalid_trace_id'
  | 'trace_id_zero'
  | 'invalid_span_id'
  | 'span_id_zero'
  | 'invalid_parent_span_id'
  /** The mapping threw on it (a bug, never the sender's fault alone): counted, not fatal. */
  | 'malformed'
  /** The trace pipeline threw while taking the resource's spans. */
  | 'consumer_error';

export class TracesCounters {
  requests = 0;
  resourceSpans = 0;
  spansReceived = 0;
  spansAccepted = 0;
  /** Trace chunks handed to the consumer. */
  traces = 0;
  /** consumeTraces calls (one per ResourceSpans with spans). */
  payloads = 0;
  readonly spansDropped: Partial<Record<SpanDropReason, number>> = {};

  drop(reason: SpanDropReason, count = 1): void {
    this.spansDropped[reason] = (this.spansDropped[reason] ?? 0) + count;
  }

  snapshot(): Record<string, unknown> {
    return {
      requests: this.requests,
      resourceSpans: this.resourceSpans,
      spansReceived: this.spansReceived,
      spansAccepted: this.spansAccepted,
      spansDropped: { ...this.spansDropped },
      traces: this.traces,
      payloads: this.payloads,
    };
  }
}

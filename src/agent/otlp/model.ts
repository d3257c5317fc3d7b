// OTLP requests as the receivers decode them (protobuf or JSON alike), in the field names of
// opentelemetry-proto (collector/{metrics,trace}/v1). 64-bit times are bigint nanoseconds; the
// translators read only this model, never bytes, so the mapping tests need no receiver.

/** `AnyValue`: exactly one of its fields, or none (`empty`). */
export type AnyValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'array'; readonly values: readonly AnyValue[] }
  | { readonly kind: 'kvlist'; readonly values: readonly KeyValue[] }
  | { readonly kind: 'empty' };

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

export interface Resource {
  readonly attributes: readonly KeyValue[];
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly KeyValue[];
}

// ---- metrics ----

export const TEMPORALITY_UNSPECIFIED = 0;
export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;

/** DataPointFlags: FLAG_NO_RECORDED_VALUE, the point is a staleness marker. */
export const FLAG_NO_RECORDED_VALUE = 1;

export interface NumberDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  /** as_double, or as_int converted (exact up to 2^53). */
  readonly value: number;
  /** The point came as as_int. */
  readonly isInt: boolean;
  readonly flags: number;
}

export interface HistogramDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  readonly count: number;
  readonly sum?: number;
  readonly bucketCounts: readonly number[];
  readonly explicitBounds: readonly number[];
  readonly flags: number;
  readonly min?: number;
  readonly max?: number;
}

export interface ExponentialBuckets {
  readonly offset: number;
  readonly bucketCounts: readonly number[];
}

export interface ExponentialHistogramDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  readonly count: number;
  readonly sum?: number;
  readonly scale: number;
  readonly zeroCount: number;
  readonly positive: ExponentialBuckets;
  readonly negative: ExponentialBuckets;
  readonly flags: number;
  readonly min?: number;
  readonly max?: number;
  readonly zeroThreshold: number;
}

export interface ValueAtQuantile {
  readonly quantile: number;
  readonly value: number;
}

export interface SummaryDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  readonly count: number;
  readonly sum: number;
  readonly quantileValues: readonly ValueAtQuantile[];
  readonly flags: number;
}

export type MetricData =
  | { readonly type: 'gauge'; readonly dataPoints: readonly NumberDataPoint[] }
  | { readonly type: 'sum'; readonly dataPoints: readonly NumberDataPoint[]; readonly aggregationTemporality: number; readonly isMonotonic: boolean }
  | { readonly type: 'histogram'; readonly dataPoints: readonly HistogramDataPoint[]; readonly aggregationTemporality: number }
  | { readonly type: 'exponentialHistogram'; readonly dataPoints: readonly ExponentialHistogramDataPoint[]; readonly aggregationTemporality: number }
  | { readonly type: 'summary'; readonly dataPoints: readonly SummaryDataPoint[] }
  /** A metric with no data field set (counted, then skipped). */
  | { readonly type: 'none' };

export interface Metric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly data: MetricData;
}

export interface ScopeMetrics {
  readonly scope: InstrumentationScope;
  readonly metrics: readonly Metric[];
}

export interface ResourceMetrics {
  readonly resource: Resource;
  readonly scopeMetrics: readonly ScopeMetrics[];
}

export interface ExportMetricsServiceRequest {
  readonly resourceMetrics: readonly ResourceMetrics[];
}

// ---- traces ----

export const SPAN_KIND_UNSPECIFIED = 0;
export const SPAN_KIND_INTERNAL = 1;
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
export const SPAN_KIND_PRODUCER = 4;
export const SPAN_KIND_CONSUMER = 5;

export const STATUS_CODE_UNSET = 0;
export const STATUS_CODE_OK = 1;
export const STATUS_CODE_ERROR = 2;

export interface SpanEvent {
  readonly timeUnixNano: bigint;
  readonly name: string;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
}

export interface SpanLink {
  /** 16 bytes (empty when the sender left it out). */
  readonly traceId: Uint8Array;
  /** 8 bytes. */
  readonly spanId: Uint8Array;
  readonly traceState: string;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

export interface SpanStatus {
  readonly message: string;
  readonly code: number;
}

export interface OtlpSpan {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly traceState: string;
  /** Empty for a root span. */
  readonly parentSpanId: Uint8Array;
  readonly flags: number;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
}

export interface ScopeSpans {
  readonly scope: InstrumentationScope;
  readonly spans: readonly OtlpSpan[];
}

export interface ResourceSpans {
  readonly resource: Resource;
  readonly scopeSpans: readonly ScopeSpans[];
}

export interface ExportTraceServiceRequest {
  readonly resourceSpans: readonly ResourceSpans[];
}

// The trace-agent's model of what a tracer sends: spans grouped in chunks (one trace each).

export interface Span {
  service: string;
  name: string;
  resource: string;
  /** uint64 ids: bigint, since tracers use the whole 64-bit range. */
  traceId: bigint;
  spanId: bigint;
  parentId: bigint;
  /** Nanoseconds since the epoch (int64, beyond 2^53). */
  start: bigint;
  /** Nanoseconds. */
  duration: number;
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  type: string;
  /** Opaque msgpack values keyed by name (AppSec, …), forwarded as they came. */
  metaStruct?: Record<string, Uint8Array>;
}

/** One trace of a tracer payload after processing, as the intake receives it. */
export interface TraceChunk {
  priority: number;
  origin: string;
  spans: Span[];
  droppedTrace: boolean;
}

/** What one request to the receiver became: the spans of one tracer, with its identity. */
export interface TracerPayload {
  containerId: string;
  languageName: string;
  languageVersion: string;
  tracerVersion: string;
  runtimeId: string;
  env: string;
  appVersion: string;
  chunks: TraceChunk[];
}

/** `_sampling_priority_v1` absent: the tracer did not decide. */
export const PRIORITY_NONE = Number.MIN_SAFE_INTEGER;
export const PRIORITY_USER_DROP = -1;
export const PRIORITY_AUTO_DROP = 0;
export const PRIORITY_AUTO_KEEP = 1;
export const PRIORITY_USER_KEEP = 2;

export const SAMPLING_PRIORITY_KEY = '_sampling_priority_v1';
export const TOP_LEVEL_KEY = '_top_level';
export const MEASURED_KEY = '_dd.measured';

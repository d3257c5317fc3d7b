// What the intake stores: one record type per kind of payload, flat and JSON-serialisable.

export type MetricType = 'gauge' | 'rate' | 'count' | 'unspecified';

/** One series of a `/api/v1/series` or `/api/v2/series` payload. */
export interface SeriesRecord {
  readonly metric: string;
  readonly type: MetricType;
  readonly host: string;
  readonly tags: string[];
  readonly interval: number;
  /** [unix seconds, value] */
  readonly points: [number, number][];
  readonly unit?: string;
  readonly sourceTypeName?: string;
}

/** One DDSketch of a `/api/beta/sketches` payload (a distribution metric over one interval). */
export interface SketchRecord {
  readonly metric: string;
  readonly host: string;
  readonly tags: string[];
  readonly ts: number;
  readonly cnt: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly sum: number;
  /** Bin keys (gamma 1 + 1/64) and their counts, same length. */
  readonly k: number[];
  readonly n: number[];
}

/** One span of a `/api/v0.2/traces` AgentPayload, with the context of its chunk and tracer payload. */
export interface SpanRecord {
  /** uint64 ids and the int64 start (ns) as decimal strings: they exceed 2^53. */
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string;
  readonly service: string;
  readonly name: string;
  readonly resource: string;
  readonly type: string;
  readonly start: string;
  /** Nanoseconds. */
  readonly duration: number;
  readonly error: number;
  readonly meta: Record<string, string>;
  readonly metrics: Record<string, number>;
  readonly env: string;
  readonly host: string;
  readonly language: string;
  readonly tracerVersion: string;
  readonly priority: number;
  readonly origin: string;
}

/** One service check of `/api/v1/check_run`. */
export interface CheckRecord {
  readonly check: string;
  readonly host: string;
  readonly timestamp: number;
  /** 0 ok, 1 warning, 2 critical, 3 unknown. */
  readonly status: number;
  readonly message: string;
  readonly tags: string[];
}

/** One event of an `/intake/` payload. */
export interface EventRecord {
  readonly title: string;
  readonly text: string;
  readonly timestamp: number;
  readonly priority: string;
  readonly host: string;
  readonly tags: string[];
  readonly alertType: string;
  readonly aggregationKey: string;
  readonly sourceTypeName: string;
}

/** One grouped APM stats entry of a `/api/v0.2/stats` payload. */
export interface StatsRecord {
  readonly hostname: string;
  readonly env: string;
  readonly version: string;
  readonly language: string;
  /** Bucket start and duration, ns. */
  readonly start: number;
  readonly bucketDuration: number;
  readonly service: string;
  readonly name: string;
  readonly resource: string;
  readonly type: string;
  readonly httpStatusCode: number;
  readonly hits: number;
  readonly errors: number;
  readonly topLevelHits: number;
  /** Total duration of the hits, ns. */
  readonly duration: number;
}

/** One accepted payload, for the summary: which endpoint, how big, how many items. */
export interface PayloadRecord {
  readonly endpoint: string;
  readonly receivedAt: number;
  readonly bytes: number;
  readonly items: number;
}

export interface RecordsByKind {
  series: SeriesRecord;
  sketches: SketchRecord;
  spans: SpanRecord;
  checks: CheckRecord;
  events: EventRecord;
  stats: StatsRecord;
  payloads: PayloadRecord;
}

export type Kind = keyof RecordsByKind;
export const KINDS: readonly Kind[] = ['series', 'sketches', 'spans', 'checks', 'events', 'stats', 'payloads'];

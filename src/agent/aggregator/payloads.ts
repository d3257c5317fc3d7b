// What a flush produces, in the shapes the intake expects (forwarder encodes them as they are).

export type SeriesType = 'gauge' | 'rate' | 'count';

export interface Serie {
  readonly metric: string;
  readonly points: [number, number][];
  readonly tags: readonly string[];
  readonly host: string;
  readonly type: SeriesType;
  readonly interval: number;
}

export interface SketchPoint {
  readonly ts: number;
  readonly cnt: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly sum: number;
  readonly k: readonly number[];
  readonly n: readonly number[];
}

export interface SketchSerie {
  readonly metric: string;
  readonly host: string;
  readonly tags: readonly string[];
  readonly points: SketchPoint[];
}

export interface CheckRun {
  readonly check: string;
  readonly host_name: string;
  readonly timestamp: number;
  readonly status: number;
  readonly message: string;
  readonly tags: readonly string[];
}

export interface AgentEvent {
  readonly msg_title: string;
  readonly msg_text: string;
  readonly timestamp: number;
  readonly priority: string;
  readonly host: string;
  readonly tags: readonly string[];
  readonly alert_type: string;
  readonly aggregation_key?: string;
  readonly source_type_name?: string;
}

export interface FlushBatch {
  readonly series: Serie[];
  readonly sketches: SketchSerie[];
  readonly serviceChecks: CheckRun[];
  readonly events: AgentEvent[];
}

export function emptyBatch(): FlushBatch {
  return { series: [], sketches: [], serviceChecks: [], events: [] };
}

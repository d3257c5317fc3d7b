// What the OTLP translators produce, as interfaces the agent's pipelines implement (the
// aggregator for metrics, the trace agent for spans): the mapping never knows where points go.
import type { SketchPoint } from '../aggregator/payloads.js';
import type { TracerIdentity } from '../apm/process-traces.js';
import type { Span } from '../apm/span.js';

/** Name, tags (`key:value`) and host of one Datadog series. */
export interface MetricDimensions {
  readonly name: string;
  readonly tags: readonly string[];
  /** '' when the resource names no host: the agent's hostname applies. */
  readonly host: string;
}

export type TimeSeriesType = 'gauge' | 'count';

/** A sketch's summary and bins (the agent's DDSketch, gamma 1.015625), without its timestamp. */
export type SketchData = Omit<SketchPoint, 'ts'>;

export interface MetricsConsumer {
  /** One point of a series at `timestampNs` (gauges as they are, counts as deltas). */
  consumeTimeSeries(dimensions: MetricDimensions, type: TimeSeriesType, timestampNs: bigint, value: number): void;
  /** One distribution point at `timestampNs`. */
  consumeSketch(dimensions: MetricDimensions, timestampNs: bigint, sketch: SketchData): void;
}

export interface TracesConsumer {
  /** The spans of one resource, grouped by trace, through the trace agent's pipeline as /v0.4 traces go. */
  consumeTraces(traces: Span[][], tracer: TracerIdentity): void;
}

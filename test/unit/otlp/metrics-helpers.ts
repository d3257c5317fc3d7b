// Shared by the metrics translator tests: a recording MetricsConsumer (a real implementation that
// keeps every call) and builders of decoded OTLP requests in the model's shape.
import type { MetricDimensions, MetricsConsumer, SketchData, TimeSeriesType } from '../../../src/agent/otlp/consumer.js';
import type {
  AnyValue,
  ExponentialHistogramDataPoint,
  ExportMetricsServiceRequest,
  HistogramDataPoint,
  KeyValue,
  Metric,
  MetricData,
  NumberDataPoint,
  SummaryDataPoint,
} from '../../../src/agent/otlp/model.js';
import { keyValue } from '../../../src/agent/aggregator/sketch.js';

export interface RecordedSeries {
  readonly name: string;
  readonly tags: string[];
  readonly host: string;
  readonly type: TimeSeriesType;
  readonly ts: bigint;
  readonly value: number;
}

export interface RecordedSketch {
  readonly name: string;
  readonly tags: string[];
  readonly host: string;
  readonly ts: bigint;
  readonly sketch: SketchData;
}

export class RecordingConsumer implements MetricsConsumer {
  readonly series: RecordedSeries[] = [];
  readonly sketches: RecordedSketch[] = [];

  consumeTimeSeries(d: MetricDimensions, type: TimeSeriesType, timestampNs: bigint, value: number): void {
    this.series.push({ name: d.name, tags: [...d.tags].sort(), host: d.host, type, ts: timestampNs, value });
  }

  consumeSketch(d: MetricDimensions, timestampNs: bigint, sketch: SketchData): void {
    this.sketches.push({ name: d.name, tags: [...d.tags].sort(), host: d.host, ts: timestampNs, sketch });
  }

  named(name: string): RecordedSeries[] {
    return this.series.filter((s) => s.name === name);
  }

  /** name@seconds=value, for compact comparisons. */
  points(name?: string): string[] {
    return (name === undefined ? this.series : this.named(name)).map((s) => `${s.name} ${s.type} ${s.ts / NS}=${s.value}`);
  }
}

export const NS = 1_000_000_000n;
export const sec = (s: number): bigint => BigInt(s) * NS;

export const str = (value: string): AnyValue => ({ kind: 'string', value });
export const attrs = (record: Record<string, string | AnyValue>): KeyValue[] =>
  Object.entries(record).map(([key, value]) => ({ key, value: typeof value === 'string' ? str(value) : value }));

export function numberPoint(value: number, ts: bigint, extra: Partial<NumberDataPoint> = {}): NumberDataPoint {
  return { attributes: [], startTimeUnixNano: 0n, timeUnixNano: ts, value, isInt: Number.isInteger(value), flags: 0, ...extra };
}

export function histogramPoint(extra: Partial<HistogramDataPoint>): HistogramDataPoint {
  return { attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, bucketCounts: [], explicitBounds: [], flags: 0, ...extra };
}

export function exponentialPoint(extra: Partial<ExponentialHistogramDataPoint>): ExponentialHistogramDataPoint {
  return {
    attributes: [],
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
    flags: 0,
    zeroThreshold: 0,
    ...extra,
  };
}

export function summaryPoint(extra: Partial<SummaryDataPoint>): SummaryDataPoint {
  return { attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, sum: 0, quantileValues: [], flags: 0, ...extra };
}

export const metric = (name: string, data: MetricData): Metric => ({ name, description: '', unit: '', data });

export function request(
  metrics: Metric[],
  resource: KeyValue[] = [],
  scope: { name: string; version: string; attributes: KeyValue[] } = { name: '', version: '', attributes: [] },
): ExportMetricsServiceRequest {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope, metrics }] }] };
}

/** The value at quantile q of a sketch's bins (rank q·(n−1), as DDSketch reads it). */
export function sketchQuantile(sketch: SketchData, q: number): number {
  const total = sketch.n.reduce((a, b) => a + b, 0);
  const rank = q * (total - 1);
  let seen = 0;
  for (let i = 0; i < sketch.k.length; i++) {
    seen += sketch.n[i]!;
    if (seen > rank) return keyValue(sketch.k[i]!);
  }
  return keyValue(sketch.k[sketch.k.length - 1]!);
}

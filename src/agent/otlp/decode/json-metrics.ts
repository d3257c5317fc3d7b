// ExportMetricsServiceRequest from OTLP/JSON (exemplars skipped).
import type {
  ExponentialBuckets,
  ExponentialHistogramDataPoint,
  ExportMetricsServiceRequest,
  HistogramDataPoint,
  Metric,
  MetricData,
  NumberDataPoint,
  SummaryDataPoint,
} from '../model.js';
import { attributes, resource, scope } from './json-common.js';
import { array, bool, count, decodeJson, double, field, int32, int64, object, optionalDouble, string, type JsonInput, type JsonObject } from './json-input.js';
import type { DecodeLimits } from './limits.js';

const TEMPORALITY_NAMES = { AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2 };

export function decodeMetricsJson(body: Uint8Array, limits?: DecodeLimits): ExportMetricsServiceRequest {
  return decodeJson(body, 'ExportMetricsServiceRequest', limits, (input, root) => ({
    resourceMetrics: array(field(root, 'resourceMetrics', 'resource_metrics'), 'resourceMetrics').map((rmValue) => {
      const rm = object(rmValue, 'ResourceMetrics') ?? {};
      return {
        resource: resource(input, rm.resource),
        scopeMetrics: array(field(rm, 'scopeMetrics', 'scope_metrics'), 'ResourceMetrics.scopeMetrics').map((smValue) => {
          const sm = object(smValue, 'ScopeMetrics') ?? {};
          return { scope: scope(input, sm.scope), metrics: array(sm.metrics, 'ScopeMetrics.metrics').map((m) => metric(input, m)) };
        }),
      };
    }),
  }));
}

function metric(input: JsonInput, v: unknown): Metric {
  input.budget.take();
  const o = object(v, 'Metric') ?? {};
  return { name: string(o.name, 'Metric.name'), description: string(o.description, 'Metric.description'), unit: string(o.unit, 'Metric.unit'), data: data(input, o) };
}

function points(o: JsonObject, what: string): readonly unknown[] {
  return array(field(o, 'dataPoints', 'data_points'), `${what}.dataPoints`);
}

function temporality(o: JsonObject, what: string): number {
  return int32(field(o, 'aggregationTemporality', 'aggregation_temporality'), `${what}.aggregationTemporality`, TEMPORALITY_NAMES);
}

function data(input: JsonInput, m: JsonObject): MetricData {
  let d: JsonObject | undefined;
  if ((d = object(m.gauge, 'Metric.gauge'))) return { type: 'gauge', dataPoints: points(d, 'Gauge').map((p) => numberPoint(input, p)) };
  if ((d = object(m.sum, 'Metric.sum'))) {
    return {
      type: 'sum',
      dataPoints: points(d, 'Sum').map((p) => numberPoint(input, p)),
      aggregationTemporality: temporality(d, 'Sum'),
      isMonotonic: bool(field(d, 'isMonotonic', 'is_monotonic'), 'Sum.isMonotonic'),
    };
  }
  if ((d = object(m.histogram, 'Metric.histogram'))) {
    return { type: 'histogram', dataPoints: points(d, 'Histogram').map((p) => histogramPoint(input, p)), aggregationTemporality: temporality(d, 'Histogram') };
  }
  if ((d = object(field(m, 'exponentialHistogram', 'exponential_histogram'), 'Metric.exponentialHistogram'))) {
    return {
      type: 'exponentialHistogram',
      dataPoints: points(d, 'ExponentialHistogram').map((p) => exponentialPoint(input, p)),
      aggregationTemporality: temporality(d, 'ExponentialHistogram'),
    };
  }
  if ((d = object(m.summary, 'Metric.summary'))) return { type: 'summary', dataPoints: points(d, 'Summary').map((p) => summaryPoint(input, p)) };
  return { type: 'none' };
}

function times(o: JsonObject, what: string): { startTimeUnixNano: bigint; timeUnixNano: bigint } {
  return {
    startTimeUnixNano: int64(field(o, 'startTimeUnixNano', 'start_time_unix_nano'), `${what}.startTimeUnixNano`),
    timeUnixNano: int64(field(o, 'timeUnixNano', 'time_unix_nano'), `${what}.timeUnixNano`),
  };
}

function numberPoint(input: JsonInput, v: unknown): NumberDataPoint {
  input.budget.take();
  const o = object(v, 'NumberDataPoint') ?? {};
  const asInt = field(o, 'asInt', 'as_int');
  const isInt = asInt !== undefined && asInt !== null;
  return {
    attributes: attributes(input, o.attributes, 'NumberDataPoint.attributes'),
    ...times(o, 'NumberDataPoint'),
    value: isInt ? Number(int64(asInt, 'NumberDataPoint.asInt')) : double(field(o, 'asDouble', 'as_double'), 'NumberDataPoint.asDouble'),
    isInt,
    flags: int32(o.flags, 'NumberDataPoint.flags'),
  };
}

function withOptionals<T extends object>(base: T, sum: number | undefined, min: number | undefined, max: number | undefined): T {
  return { ...base, ...(sum !== undefined ? { sum } : {}), ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function histogramPoint(input: JsonInput, v: unknown): HistogramDataPoint {
  input.budget.take();
  const o = object(v, 'HistogramDataPoint') ?? {};
  const base = {
    attributes: attributes(input, o.attributes, 'HistogramDataPoint.attributes'),
    ...times(o, 'HistogramDataPoint'),
    count: count(o.count, 'HistogramDataPoint.count'),
    bucketCounts: array(field(o, 'bucketCounts', 'bucket_counts'), 'HistogramDataPoint.bucketCounts').map((c) => count(c, 'HistogramDataPoint.bucketCounts')),
    explicitBounds: array(field(o, 'explicitBounds', 'explicit_bounds'), 'HistogramDataPoint.explicitBounds').map((b) => double(b, 'HistogramDataPoint.explicitBounds')),
    flags: int32(o.flags, 'HistogramDataPoint.flags'),
  };
  return withOptionals(base, optionalDouble(o.sum, 'HistogramDataPoint.sum'), optionalDouble(o.min, 'HistogramDataPoint.min'), optionalDouble(o.max, 'HistogramDataPoint.max'));
}

function buckets(v: unknown, what: string): ExponentialBuckets {
  const o = object(v, what) ?? {};
  return {
    offset: int32(o.offset, `${what}.offset`),
    bucketCounts: array(field(o, 'bucketCounts', 'bucket_counts'), `${what}.bucketCounts`).map((c) => count(c, `${what}.bucketCounts`)),
  };
}

function exponentialPoint(input: JsonInput, v: unknown): ExponentialHistogramDataPoint {
  input.budget.take();
  const o = object(v, 'ExponentialHistogramDataPoint') ?? {};
  const base = {
    attributes: attributes(input, o.attributes, 'ExponentialHistogramDataPoint.attributes'),
    ...times(o, 'ExponentialHistogramDataPoint'),
    count: count(o.count, 'ExponentialHistogramDataPoint.count'),
    scale: int32(o.scale, 'ExponentialHistogramDataPoint.scale'),
    zeroCount: count(field(o, 'zeroCount', 'zero_count'), 'ExponentialHistogramDataPoint.zeroCount'),
    positive: buckets(o.positive, 'ExponentialHistogramDataPoint.positive'),
    negative: buckets(o.negative, 'ExponentialHistogramDataPoint.negative'),
    flags: int32(o.flags, 'ExponentialHistogramDataPoint.flags'),
    zeroThreshold: double(field(o, 'zeroThreshold', 'zero_threshold'), 'ExponentialHistogramDataPoint.zeroThreshold'),
  };
  return withOptionals(
    base,
    optionalDouble(o.sum, 'ExponentialHistogramDataPoint.sum'),
    optionalDouble(o.min, 'ExponentialHistogramDataPoint.min'),
    optionalDouble(o.max, 'ExponentialHistogramDataPoint.max'),
  );
}

function summaryPoint(input: JsonInput, v: unknown): SummaryDataPoint {
  input.budget.take();
  const o = object(v, 'SummaryDataPoint') ?? {};
  return {
    attributes: attributes(input, o.attributes, 'SummaryDataPoint.attributes'),
    ...times(o, 'SummaryDataPoint'),
    count: count(o.count, 'SummaryDataPoint.count'),
    sum: double(o.sum, 'SummaryDataPoint.sum'),
    quantileValues: array(field(o, 'quantileValues', 'quantile_values'), 'SummaryDataPoint.quantileValues').map((q) => {
      input.budget.take();
      const qo = object(q, 'ValueAtQuantile') ?? {};
      return { quantile: double(qo.quantile, 'ValueAtQuantile.quantile'), value: double(qo.value, 'ValueAtQuantile.value') };
    }),
    flags: int32(o.flags, 'SummaryDataPoint.flags'),
  };
}

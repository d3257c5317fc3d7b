// opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest from the wire (exemplars skipped).
import type {
  ExponentialBuckets,
  ExponentialHistogramDataPoint,
  ExportMetricsServiceRequest,
  HistogramDataPoint,
  KeyValue,
  Metric,
  MetricData,
  NumberDataPoint,
  ResourceMetrics,
  ScopeMetrics,
  SummaryDataPoint,
  ValueAtQuantile,
} from '../model.js';
import type { DecodeLimits } from './limits.js';
import { attributesOrNone, EMPTY_RESOURCE, EMPTY_SCOPE, pushAttribute, readResource, readScope } from './proto-common.js';
import {
  bool,
  checkEnd,
  decodeProto,
  double,
  fixed64,
  int32,
  readDoubles,
  readFixed64s,
  readUint64s,
  sfixed64,
  sint32,
  skipField,
  string,
  sub,
  uint32,
  type ProtoInput,
} from './proto-input.js';

const NO_BUCKETS: ExponentialBuckets = Object.freeze({ offset: 0, bucketCounts: Object.freeze([]) as readonly number[] });

export function decodeMetricsProto(body: Uint8Array, limits?: DecodeLimits): ExportMetricsServiceRequest {
  return decodeProto(body, 'ExportMetricsServiceRequest', limits, (input) => {
    const { r } = input;
    const resourceMetrics: ResourceMetrics[] = [];
    while (r.pos < r.len) {
      const [field, wt] = r.tag();
      if (field === 1) resourceMetrics.push(readResourceMetrics(input, sub(r, wt, r.len, 'ExportMetricsServiceRequest.resource_metrics')));
      else skipField(r, wt, field);
    }
    checkEnd(r, r.len);
    return { resourceMetrics };
  });
}

function readResourceMetrics(input: ProtoInput, end: number): ResourceMetrics {
  const { r } = input;
  let resource = EMPTY_RESOURCE;
  const scopeMetrics: ScopeMetrics[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) resource = readResource(input, sub(r, wt, end, 'ResourceMetrics.resource'));
    else if (field === 2) scopeMetrics.push(readScopeMetrics(input, sub(r, wt, end, 'ResourceMetrics.scope_metrics')));
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { resource, scopeMetrics };
}

function readScopeMetrics(input: ProtoInput, end: number): ScopeMetrics {
  const { r } = input;
  let scope = EMPTY_SCOPE;
  const metrics: Metric[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) scope = readScope(input, sub(r, wt, end, 'ScopeMetrics.scope'));
    else if (field === 2) metrics.push(readMetric(input, sub(r, wt, end, 'ScopeMetrics.metrics')));
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { scope, metrics };
}

/** The fields of Metric's `data` oneof: gauge, sum, histogram, exponential_histogram, summary. */
const DATA_FIELDS: ReadonlySet<number> = new Set([5, 7, 9, 10, 11]);

function readMetric(input: ProtoInput, end: number): Metric {
  const { r } = input;
  input.budget.take();
  let name = '';
  let description = '';
  let unit = '';
  let data: MetricData = { type: 'none' };
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) name = string(r, wt, 'Metric.name');
    else if (field === 2) description = string(r, wt, 'Metric.description');
    else if (field === 3) unit = string(r, wt, 'Metric.unit');
    else if (DATA_FIELDS.has(field)) data = readData(input, field, sub(r, wt, end, 'Metric.data'));
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { name, description, unit, data };
}

/** Gauge (5), Sum (7), Histogram (9), ExponentialHistogram (10) or Summary (11). */
function readData(input: ProtoInput, kind: number, end: number): MetricData {
  const { r } = input;
  const numberPoints: NumberDataPoint[] = [];
  const histogramPoints: HistogramDataPoint[] = [];
  const exponentialPoints: ExponentialHistogramDataPoint[] = [];
  const summaryPoints: SummaryDataPoint[] = [];
  let temporality = 0;
  let isMonotonic = false;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) {
      const stop = sub(r, wt, end, 'data_points');
      if (kind === 5 || kind === 7) numberPoints.push(readNumberPoint(input, stop));
      else if (kind === 9) histogramPoints.push(readHistogramPoint(input, stop));
      else if (kind === 10) exponentialPoints.push(readExponentialPoint(input, stop));
      else summaryPoints.push(readSummaryPoint(input, stop));
    } else if (field === 2 && kind !== 5 && kind !== 11) temporality = int32(r, wt, 'aggregation_temporality');
    else if (field === 3 && kind === 7) isMonotonic = bool(r, wt, 'Sum.is_monotonic');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  switch (kind) {
    case 5:
      return { type: 'gauge', dataPoints: numberPoints };
    case 7:
      return { type: 'sum', dataPoints: numberPoints, aggregationTemporality: temporality, isMonotonic };
    case 9:
      return { type: 'histogram', dataPoints: histogramPoints, aggregationTemporality: temporality };
    case 10:
      return { type: 'exponentialHistogram', dataPoints: exponentialPoints, aggregationTemporality: temporality };
    default:
      return { type: 'summary', dataPoints: summaryPoints };
  }
}

function readNumberPoint(input: ProtoInput, end: number): NumberDataPoint {
  const { r } = input;
  input.budget.take();
  const attributes: KeyValue[] = [];
  let startTimeUnixNano = 0n;
  let timeUnixNano = 0n;
  let value = 0;
  let isInt = false;
  let flags = 0;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 7) pushAttribute(input, wt, end, attributes, 'NumberDataPoint.attributes');
    else if (field === 2) startTimeUnixNano = fixed64(r, wt, 'NumberDataPoint.start_time_unix_nano');
    else if (field === 3) timeUnixNano = fixed64(r, wt, 'NumberDataPoint.time_unix_nano');
    else if (field === 4) {
      value = double(r, wt, 'NumberDataPoint.as_double');
      isInt = false;
    } else if (field === 6) {
      value = Number(sfixed64(r, wt, 'NumberDataPoint.as_int'));
      isInt = true;
    } else if (field === 8) flags = uint32(r, wt, 'NumberDataPoint.flags');
    // exemplars (5) are not mapped.
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { attributes: attributesOrNone(attributes), startTimeUnixNano, timeUnixNano, value, isInt, flags };
}

function readHistogramPoint(input: ProtoInput, end: number): HistogramDataPoint {
  const { r } = input;
  input.budget.take();
  const attributes: KeyValue[] = [];
  let startTimeUnixNano = 0n;
  let timeUnixNano = 0n;
  let count = 0;
  let sum: number | undefined;
  const bucketCounts: number[] = [];
  const explicitBounds: number[] = [];
  let flags = 0;
  let min: number | undefined;
  let max: number | undefined;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 9) pushAttribute(input, wt, end, attributes, 'HistogramDataPoint.attributes');
    else if (field === 2) startTimeUnixNano = fixed64(r, wt, 'HistogramDataPoint.start_time_unix_nano');
    else if (field === 3) timeUnixNano = fixed64(r, wt, 'HistogramDataPoint.time_unix_nano');
    else if (field === 4) count = Number(fixed64(r, wt, 'HistogramDataPoint.count'));
    else if (field === 5) sum = double(r, wt, 'HistogramDataPoint.sum');
    else if (field === 6) readFixed64s(r, wt, end, bucketCounts, 'HistogramDataPoint.bucket_counts');
    else if (field === 7) readDoubles(r, wt, end, explicitBounds, 'HistogramDataPoint.explicit_bounds');
    else if (field === 10) flags = uint32(r, wt, 'HistogramDataPoint.flags');
    else if (field === 11) min = double(r, wt, 'HistogramDataPoint.min');
    else if (field === 12) max = double(r, wt, 'HistogramDataPoint.max');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return {
    attributes: attributesOrNone(attributes),
    startTimeUnixNano,
    timeUnixNano,
    count,
    ...(sum !== undefined ? { sum } : {}),
    bucketCounts,
    explicitBounds,
    flags,
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
  };
}

function readBuckets(input: ProtoInput, end: number): ExponentialBuckets {
  const { r } = input;
  let offset = 0;
  const bucketCounts: number[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) offset = sint32(r, wt, 'Buckets.offset');
    else if (field === 2) readUint64s(r, wt, end, bucketCounts, 'Buckets.bucket_counts');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { offset, bucketCounts };
}

function readExponentialPoint(input: ProtoInput, end: number): ExponentialHistogramDataPoint {
  const { r } = input;
  input.budget.take();
  const attributes: KeyValue[] = [];
  let startTimeUnixNano = 0n;
  let timeUnixNano = 0n;
  let count = 0;
  let sum: number | undefined;
  let scale = 0;
  let zeroCount = 0;
  let positive = NO_BUCKETS;
  let negative = NO_BUCKETS;
  let flags = 0;
  let min: number | undefined;
  let max: number | undefined;
  let zeroThreshold = 0;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) pushAttribute(input, wt, end, attributes, 'ExponentialHistogramDataPoint.attributes');
    else if (field === 2) startTimeUnixNano = fixed64(r, wt, 'ExponentialHistogramDataPoint.start_time_unix_nano');
    else if (field === 3) timeUnixNano = fixed64(r, wt, 'ExponentialHistogramDataPoint.time_unix_nano');
    else if (field === 4) count = Number(fixed64(r, wt, 'ExponentialHistogramDataPoint.count'));
    else if (field === 5) sum = double(r, wt, 'ExponentialHistogramDataPoint.sum');
    else if (field === 6) scale = sint32(r, wt, 'ExponentialHistogramDataPoint.scale');
    else if (field === 7) zeroCount = Number(fixed64(r, wt, 'ExponentialHistogramDataPoint.zero_count'));
    else if (field === 8) positive = readBuckets(input, sub(r, wt, end, 'ExponentialHistogramDataPoint.positive'));
    else if (field === 9) negative = readBuckets(input, sub(r, wt, end, 'ExponentialHistogramDataPoint.negative'));
    else if (field === 10) flags = uint32(r, wt, 'ExponentialHistogramDataPoint.flags');
    else if (field === 12) min = double(r, wt, 'ExponentialHistogramDataPoint.min');
    else if (field === 13) max = double(r, wt, 'ExponentialHistogramDataPoint.max');
    else if (field === 14) zeroThreshold = double(r, wt, 'ExponentialHistogramDataPoint.zero_threshold');
    // exemplars (11) are not mapped.
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return {
    attributes: attributesOrNone(attributes),
    startTimeUnixNano,
    timeUnixNano,
    count,
    ...(sum !== undefined ? { sum } : {}),
    scale,
    zeroCount,
    positive,
    negative,
    flags,
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    zeroThreshold,
  };
}

function readQuantile(input: ProtoInput, end: number): ValueAtQuantile {
  const { r } = input;
  input.budget.take();
  let quantile = 0;
  let value = 0;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) quantile = double(r, wt, 'ValueAtQuantile.quantile');
    else if (field === 2) value = double(r, wt, 'ValueAtQuantile.value');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { quantile, value };
}

function readSummaryPoint(input: ProtoInput, end: number): SummaryDataPoint {
  const { r } = input;
  input.budget.take();
  const attributes: KeyValue[] = [];
  let startTimeUnixNano = 0n;
  let timeUnixNano = 0n;
  let count = 0;
  let sum = 0;
  const quantileValues: ValueAtQuantile[] = [];
  let flags = 0;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 7) pushAttribute(input, wt, end, attributes, 'SummaryDataPoint.attributes');
    else if (field === 2) startTimeUnixNano = fixed64(r, wt, 'SummaryDataPoint.start_time_unix_nano');
    else if (field === 3) timeUnixNano = fixed64(r, wt, 'SummaryDataPoint.time_unix_nano');
    else if (field === 4) count = Number(fixed64(r, wt, 'SummaryDataPoint.count'));
    else if (field === 5) sum = double(r, wt, 'SummaryDataPoint.sum');
    else if (field === 6) quantileValues.push(readQuantile(input, sub(r, wt, end, 'SummaryDataPoint.quantile_values')));
    else if (field === 8) flags = uint32(r, wt, 'SummaryDataPoint.flags');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { attributes: attributesOrNone(attributes), startTimeUnixNano, timeUnixNano, count, sum, quantileValues, flags };
}

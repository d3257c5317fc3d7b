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
  checkEnd,
  decodeProto,
  expectWire,
  readDoubles,
  readFixed64s,
  readUint64s,
  skipField,
  subEnd,
  WireType,
  type ProtoInput,
} from './proto-input.js';

const NO_BUCKETS: ExponentialBuckets = Object.freeze({ offset: 0, bucketCounts: Object.freeze([]) as readonly number[] });

export function decodeMetricsProto(body: Uint8Array, limits?: DecodeLimits): ExportMetricsServiceRequest {
  return decodeProto(body, 'ExportMetricsServiceRequest', limits, (input) => {
    const { r } = input;
    const resourceMetrics: ResourceMetrics[] = [];
    while (r.pos < r.len) {
      const [field, wt] = r.tag();
      if (field === 1) {
        expectWire(wt, WireType.LengthDelimited, 'ExportMetricsServiceRequest.resource_metrics');
        resourceMetrics.push(readResourceMetrics(input, subEnd(r, r.len)));
      } else skipField(r, wt, field);
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
    if (field === 1) {
      expectWire(wt, WireType.LengthDelimited, 'ResourceMetrics.resource');
      resource = readResource(input, subEnd(r, end));
    } else if (field === 2) {
      expectWire(wt, WireType.LengthDelimited, 'ResourceMetrics.scope_metrics');
      scopeMetrics.push(readScopeMetrics(input, subEnd(r, end)));
    } else skipField(r, wt, field);
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
    if (field === 1) {
      expectWire(wt, WireType.LengthDelimited, 'ScopeMetrics.scope');
      scope = readScope(input, subEnd(r, end));
    } else if (field === 2) {
      expectWire(wt, WireType.LengthDelimited, 'ScopeMetrics.metrics');
      metrics.push(readMetric(input, subEnd(r, end)));
    } else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { scope, metrics };
}

function readMetric(input: ProtoInput, end: number): Metric {
  const { r } = input;
  input.budget.take();
  let name = '';
  let description = '';
  let unit = '';
  let data: MetricData = { type: 'none' };
  while (r.pos < end) {
    const [field, wt] = r.tag();
    switch (field) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'Metric.name');
        name = r.string();
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'Metric.description');
        description = r.string();
        break;
      case 3:
        expectWire(wt, WireType.LengthDelimited, 'Metric.unit');
        unit = r.string();
        break;
      case 5:
      case 7:
      case 9:
      case 10:
      case 11:
        expectWire(wt, WireType.LengthDelimited, 'Metric.data');
        data = readData(input, field, subEnd(r, end));
        break;
      default:
        skipField(r, wt, field);
    }
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
      expectWire(wt, WireType.LengthDelimited, 'data_points');
      const stop = subEnd(r, end);
      if (kind === 5 || kind === 7) numberPoints.push(readNumberPoint(input, stop));
      else if (kind === 9) histogramPoints.push(readHistogramPoint(input, stop));
      else if (kind === 10) exponentialPoints.push(readExponentialPoint(input, stop));
      else summaryPoints.push(readSummaryPoint(input, stop));
    } else if (field === 2 && kind !== 5 && kind !== 11) {
      expectWire(wt, WireType.Varint, 'aggregation_temporality');
      temporality = r.int32();
    } else if (field === 3 && kind === 7) {
      expectWire(wt, WireType.Varint, 'Sum.is_monotonic');
      isMonotonic = r.bool();
    } else skipField(r, wt, field);
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
    switch (field) {
      case 7:
        pushAttribute(input, wt, end, attributes, 'NumberDataPoint.attributes');
        break;
      case 2:
        expectWire(wt, WireType.Bit64, 'NumberDataPoint.start_time_unix_nano');
        startTimeUnixNano = BigInt(r.fixed64());
        break;
      case 3:
        expectWire(wt, WireType.Bit64, 'NumberDataPoint.time_unix_nano');
        timeUnixNano = BigInt(r.fixed64());
        break;
      case 4:
        expectWire(wt, WireType.Bit64, 'NumberDataPoint.as_double');
        value = r.double();
        isInt = false;
        break;
      case 6:
        expectWire(wt, WireType.Bit64, 'NumberDataPoint.as_int');
        value = Number(r.sfixed64());
        isInt = true;
        break;
      case 8:
        expectWire(wt, WireType.Varint, 'NumberDataPoint.flags');
        flags = r.uint32();
        break;
      default:
        // exemplars (5) are not mapped.
        skipField(r, wt, field);
    }
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
    switch (field) {
      case 9:
        pushAttribute(input, wt, end, attributes, 'HistogramDataPoint.attributes');
        break;
      case 2:
        expectWire(wt, WireType.Bit64, 'HistogramDataPoint.start_time_unix_nano');
        startTimeUnixNano = BigInt(r.fixed64());
        break;
      case 3:
        expectWire(wt, WireType.Bit64, 'HistogramDataPoint.time_unix_nano');
        timeUnixNano = BigInt(r.fixed64());
        break;
      case 4:
        expectWire(wt, WireType.Bit64, 'HistogramDataPoint.count');
        count = Number(r.fixed64());
        break;
      case 5:
        expectWire(wt, WireType.Bit64, 'HistogramDataPoint.sum');
        sum = r.double();
        break;
      case 6:
        readFixed64s(r, wt, end, bucketCounts, 'HistogramDataPoint.bucket_counts');
        break;
      case 7:
        readDoubles(r, wt, end, explicitBounds, 'HistogramDataPoint.explicit_bounds');
        break;
      case 10:
        expectWire(wt, WireType.Varint, 'HistogramDataPoint.flags');
        flags = r.uint32();
        break;
      case 11:
        expectWire(wt, WireType.Bit64, 'HistogramDataPoint.min');
        min = r.double();
        break;
      case 12:
        expectWire(wt, WireType.Bit64, 'HistogramDataPoint.max');
        max = r.double();
        break;
      default:
        skipField(r, wt, field);
    }
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
    if (field === 1) {
      expectWire(wt, WireType.Varint, 'Buckets.offset');
      offset = r.sint32();
    } else if (field === 2) readUint64s(r, wt, end, bucketCounts, 'Buckets.bucket_counts');
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
    switch (field) {
      case 1:
        pushAttribute(input, wt, end, attributes, 'ExponentialHistogramDataPoint.attributes');
        break;
      case 2:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.start_time_unix_nano');
        startTimeUnixNano = BigInt(r.fixed64());
        break;
      case 3:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.time_unix_nano');
        timeUnixNano = BigInt(r.fixed64());
        break;
      case 4:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.count');
        count = Number(r.fixed64());
        break;
      case 5:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.sum');
        sum = r.double();
        break;
      case 6:
        expectWire(wt, WireType.Varint, 'ExponentialHistogramDataPoint.scale');
        scale = r.sint32();
        break;
      case 7:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.zero_count');
        zeroCount = Number(r.fixed64());
        break;
      case 8:
        expectWire(wt, WireType.LengthDelimited, 'ExponentialHistogramDataPoint.positive');
        positive = readBuckets(input, subEnd(r, end));
        break;
      case 9:
        expectWire(wt, WireType.LengthDelimited, 'ExponentialHistogramDataPoint.negative');
        negative = readBuckets(input, subEnd(r, end));
        break;
      case 10:
        expectWire(wt, WireType.Varint, 'ExponentialHistogramDataPoint.flags');
        flags = r.uint32();
        break;
      case 12:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.min');
        min = r.double();
        break;
      case 13:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.max');
        max = r.double();
        break;
      case 14:
        expectWire(wt, WireType.Bit64, 'ExponentialHistogramDataPoint.zero_threshold');
        zeroThreshold = r.double();
        break;
      default:
        // exemplars (11) are not mapped.
        skipField(r, wt, field);
    }
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
    if (field === 1) {
      expectWire(wt, WireType.Bit64, 'ValueAtQuantile.quantile');
      quantile = r.double();
    } else if (field === 2) {
      expectWire(wt, WireType.Bit64, 'ValueAtQuantile.value');
      value = r.double();
    } else skipField(r, wt, field);
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
    switch (field) {
      case 7:
        pushAttribute(input, wt, end, attributes, 'SummaryDataPoint.attributes');
        break;
      case 2:
        expectWire(wt, WireType.Bit64, 'SummaryDataPoint.start_time_unix_nano');
        startTimeUnixNano = BigInt(r.fixed64());
        break;
      case 3:
        expectWire(wt, WireType.Bit64, 'SummaryDataPoint.time_unix_nano');
        timeUnixNano = BigInt(r.fixed64());
        break;
      case 4:
        expectWire(wt, WireType.Bit64, 'SummaryDataPoint.count');
        count = Number(r.fixed64());
        break;
      case 5:
        expectWire(wt, WireType.Bit64, 'SummaryDataPoint.sum');
        sum = r.double();
        break;
      case 6:
        expectWire(wt, WireType.LengthDelimited, 'SummaryDataPoint.quantile_values');
        quantileValues.push(readQuantile(input, subEnd(r, end)));
        break;
      case 8:
        expectWire(wt, WireType.Varint, 'SummaryDataPoint.flags');
        flags = r.uint32();
        break;
      default:
        skipField(r, wt, field);
    }
  }
  checkEnd(r, end);
  return { attributes: attributesOrNone(attributes), startTimeUnixNano, timeUnixNano, count, sum, quantileValues, flags };
}

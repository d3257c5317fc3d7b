// ExportMetricsServiceRequest decoding: bodies serialized by the OpenTelemetry JS SDK's own OTLP
// serializers (protobuf and JSON) from real instruments, hand-built edge cases, malformed bodies.
import { ValueType } from '@opentelemetry/api';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader, type ResourceMetrics as SdkResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeMetricsJson, decodeMetricsProto, decodeMetricsRequest } from '../../../src/agent/otlp/decode/index.js';
import type { AnyValue, ExportMetricsServiceRequest, KeyValue, Metric } from '../../../src/agent/otlp/model.js';

class CollectingReader extends MetricReader {
  constructor(temporality: AggregationTemporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function recordKnownValues(temporality = AggregationTemporality.CUMULATIVE): Promise<SdkResourceMetrics> {
  const reader = new CollectingReader(temporality);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'web-1', 'deployment.environment': 'staging', 'process.pid': 4242, ratio: 0.25, canary: true, zones: ['a', 'b'] }),
    readers: [reader],
    views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } } }],
  });
  const meter = provider.getMeter('shop', '1.2.3');
  const orders = meter.createCounter('orders', { unit: '{order}', description: 'orders placed', valueType: ValueType.INT });
  orders.add(5, { route: '/cart', retried: false });
  orders.add(2, { retried: false, route: '/cart' });
  meter.createUpDownCounter('queue.depth').add(-3.5);
  meter.createGauge('temperature', { unit: 'Cel' }).record(21.5, { room: 'lab' });
  const latency = meter.createHistogram('latency', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
  for (const v of [1, 5, 50, 5000]) latency.record(v);
  const size = meter.createHistogram('payload.size');
  for (const v of [2, 4, 1024]) size.record(v);
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return resourceMetrics;
}

const attr = (list: readonly KeyValue[], key: string): AnyValue | undefined => list.find((kv) => kv.key === key)?.value;
const metricNamed = (request: ExportMetricsServiceRequest, name: string): Metric => {
  const found = request.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)).find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name}`);
  return found;
};

function expectKnownValues(request: ExportMetricsServiceRequest): void {
  expect(request.resourceMetrics).toHaveLength(1);
  const [rm] = request.resourceMetrics;
  expect(attr(rm!.resource.attributes, 'service.name')).toEqual({ kind: 'string', value: 'checkout' });
  expect(attr(rm!.resource.attributes, 'host.name')).toEqual({ kind: 'string', value: 'web-1' });
  expect(attr(rm!.resource.attributes, 'process.pid')).toEqual({ kind: 'int', value: 4242n });
  expect(attr(rm!.resource.attributes, 'ratio')).toEqual({ kind: 'double', value: 0.25 });
  expect(attr(rm!.resource.attributes, 'canary')).toEqual({ kind: 'bool', value: true });
  expect(attr(rm!.resource.attributes, 'zones')).toEqual({ kind: 'array', values: [{ kind: 'string', value: 'a' }, { kind: 'string', value: 'b' }] });
  expect(rm!.scopeMetrics[0]!.scope).toMatchObject({ name: 'shop', version: '1.2.3' });

  const orders = metricNamed(request, 'orders');
  expect(orders).toMatchObject({ unit: '{order}', description: 'orders placed' });
  expect(orders.data).toMatchObject({ type: 'sum', isMonotonic: true, aggregationTemporality: 2 });
  if (orders.data.type !== 'sum') throw new Error('not a sum');
  expect(orders.data.dataPoints).toHaveLength(1);
  const point = orders.data.dataPoints[0]!;
  expect(point).toMatchObject({ value: 7, isInt: true, flags: 0 });
  expect(attr(point.attributes, 'route')).toEqual({ kind: 'string', value: '/cart' });
  expect(attr(point.attributes, 'retried')).toEqual({ kind: 'bool', value: false });
  expect(point.timeUnixNano).toBeGreaterThan(1_600_000_000_000_000_000n);
  expect(point.startTimeUnixNano).toBeLessThanOrEqual(point.timeUnixNano);

  const depth = metricNamed(request, 'queue.depth');
  expect(depth.data).toMatchObject({ type: 'sum', isMonotonic: false });
  if (depth.data.type !== 'sum') throw new Error('not a sum');
  expect(depth.data.dataPoints[0]).toMatchObject({ value: -3.5, isInt: false });

  const temperature = metricNamed(request, 'temperature');
  expect(temperature.unit).toBe('Cel');
  expect(temperature.data.type).toBe('gauge');
  if (temperature.data.type !== 'gauge') throw new Error('not a gauge');
  expect(temperature.data.dataPoints[0]).toMatchObject({ value: 21.5, isInt: false });

  const latency = metricNamed(request, 'latency');
  if (latency.data.type !== 'histogram') throw new Error('not a histogram');
  expect(latency.data.aggregationTemporality).toBe(2);
  expect(latency.data.dataPoints[0]).toMatchObject({ count: 4, sum: 5056, min: 1, max: 5000, explicitBounds: [10, 100, 1000], bucketCounts: [2, 1, 0, 1] });

  const size = metricNamed(request, 'payload.size');
  if (size.data.type !== 'exponentialHistogram') throw new Error('not an exponential histogram');
  const exp = size.data.dataPoints[0]!;
  expect(exp).toMatchObject({ count: 3, sum: 1030, min: 2, max: 1024, zeroCount: 0 });
  expect(exp.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(3);
  expect(exp.negative.bucketCounts).toEqual([]);
  expect(typeof exp.scale).toBe('number');
  // At the chosen scale, bucket index = floor(log2(v) * 2^scale) (upper-inclusive boundaries shift exact powers down one).
  expect(exp.positive.offset).toBe(Math.ceil(Math.log2(2) * 2 ** exp.scale) - 1);
}

describe('ExportMetricsServiceRequest from the OpenTelemetry JS SDK', () => {
  it('decodes the SDK protobuf serializer output with every value it recorded', async () => {
    const body = ProtobufMetricsSerializer.serializeRequest(await recordKnownValues())!;
    expectKnownValues(decodeMetricsProto(body));
  });

  it('decodes the SDK JSON serializer output identically', async () => {
    const metrics = await recordKnownValues();
    const json = JsonMetricsSerializer.serializeRequest(metrics)!;
    const proto = ProtobufMetricsSerializer.serializeRequest(metrics)!;
    const fromJson = decodeMetricsJson(json);
    expectKnownValues(fromJson);
    expect(fromJson).toEqual(decodeMetricsProto(proto));
    expect(decodeMetricsRequest(json, 'json')).toEqual(fromJson);
  });

  it('keeps delta temporality', async () => {
    const request = decodeMetricsProto(ProtobufMetricsSerializer.serializeRequest(await recordKnownValues(AggregationTemporality.DELTA))!);
    expect(metricNamed(request, 'orders').data).toMatchObject({ type: 'sum', aggregationTemporality: 1 });
  });

  it('decodes an empty request (from a Buffer too)', () => {
    expect(decodeMetricsProto(new Uint8Array(0))).toEqual({ resourceMetrics: [] });
    expect(decodeMetricsProto(Buffer.alloc(0))).toEqual({ resourceMetrics: [] });
    expect(decodeMetricsJson(Buffer.from('{}'))).toEqual({ resourceMetrics: [] });
  });
});

describe('OTLP/JSON metrics as other senders write them', () => {
  it('accepts proto field names, 64-bit ints as strings or numbers, NaN/Infinity strings, enum names and summaries', () => {
    const body = JSON.stringify({
      resource_metrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'py-worker' } }, { key: 'big', value: { int_value: '9007199254740993' } }] },
          scope_metrics: [
            {
              scope: { name: 'manual' },
              metrics: [
                {
                  name: 'jobs',
                  sum: { aggregation_temporality: 'AGGREGATION_TEMPORALITY_DELTA', is_monotonic: true, data_points: [{ as_int: '12', time_unix_nano: '1700000000000000001', start_time_unix_nano: 1700000000000000000 }] },
                },
                { name: 'weird', gauge: { dataPoints: [{ asDouble: 'NaN', timeUnixNano: '1' }, { asDouble: '-Infinity' }, { asDouble: '2.5', flags: 1 }] } },
                {
                  name: 'rpc.duration',
                  summary: { dataPoints: [{ count: '10', sum: 12.5, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: '4.5' }], timeUnixNano: '5' }] },
                },
                { name: 'no.data', unit: 's' },
              ],
              unknownField: { ignored: true },
            },
          ],
        },
      ],
    });
    const request = decodeMetricsJson(Buffer.from(body));
    const rm = request.resourceMetrics[0]!;
    expect(attr(rm.resource.attributes, 'service.name')).toEqual({ kind: 'string', value: 'py-worker' });
    expect(attr(rm.resource.attributes, 'big')).toEqual({ kind: 'int', value: 9007199254740993n });
    const jobs = metricNamed(request, 'jobs');
    expect(jobs.data).toMatchObject({ type: 'sum', aggregationTemporality: 1, isMonotonic: true });
    if (jobs.data.type !== 'sum') throw new Error('not a sum');
    expect(jobs.data.dataPoints[0]).toEqual({ attributes: [], startTimeUnixNano: 1700000000000000000n, timeUnixNano: 1700000000000000001n, value: 12, isInt: true, flags: 0 });
    const weird = metricNamed(request, 'weird');
    if (weird.data.type !== 'gauge') throw new Error('not a gauge');
    expect(weird.data.dataPoints.map((p) => p.value)).toEqual([NaN, -Infinity, 2.5]);
    expect(weird.data.dataPoints[2]!.flags).toBe(1);
    const summary = metricNamed(request, 'rpc.duration');
    expect(summary.data).toEqual({
      type: 'summary',
      dataPoints: [{ attributes: [], startTimeUnixNano: 0n, timeUnixNano: 5n, count: 10, sum: 12.5, flags: 0, quantileValues: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: 4.5 }] }],
    });
    expect(metricNamed(request, 'no.data')).toEqual({ name: 'no.data', description: '', unit: 's', data: { type: 'none' } });
  });

  it('leaves optional sum/min/max out when absent and decodes kvlist and bytes values', () => {
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'nested', value: { kvlistValue: { values: [{ key: 'k', value: { arrayValue: { values: [{ intValue: 1 }, {}] } } }] } } }, { key: 'raw', value: { bytesValue: 'AQID' } }] },
          scopeMetrics: [{ metrics: [{ name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [{ count: 3, bucketCounts: ['1', 2], explicitBounds: [0.5] }] } }] }],
        },
      ],
    });
    const request = decodeMetricsJson(Buffer.from(body));
    const resource = request.resourceMetrics[0]!.resource;
    expect(attr(resource.attributes, 'nested')).toEqual({
      kind: 'kvlist',
      values: [{ key: 'k', value: { kind: 'array', values: [{ kind: 'int', value: 1n }, { kind: 'empty' }] } }],
    });
    expect(attr(resource.attributes, 'raw')).toEqual({ kind: 'bytes', value: new Uint8Array([1, 2, 3]) });
    const h = metricNamed(request, 'h');
    if (h.data.type !== 'histogram') throw new Error('not a histogram');
    const point = h.data.dataPoints[0]!;
    expect(point).toMatchObject({ count: 3, bucketCounts: [1, 2], explicitBounds: [0.5] });
    expect('sum' in point || 'min' in point || 'max' in point).toBe(false);
  });
});

/** Hand-built protobuf for what the SDK never writes. */
function field(w: BinaryWriter, no: number, build: (w: BinaryWriter) => void): BinaryWriter {
  w.tag(no, WireType.LengthDelimited).fork();
  build(w);
  return w.join();
}

describe('protobuf metrics the SDK does not write', () => {
  it('reads summaries, unpacked repeated fields and skips unknown fields of every wire type', () => {
    const w = new BinaryWriter();
    field(w, 1, (rm) => {
      rm.tag(99, WireType.Varint).uint64(12345n); // unknown varint
      rm.tag(98, WireType.Bit32).fixed32(7); // unknown fixed32
      field(rm, 2, (sm) => {
        field(sm, 2, (m) => {
          m.tag(1, WireType.LengthDelimited).string('hist');
          field(m, 9, (h) => {
            field(h, 1, (p) => {
              p.tag(4, WireType.Bit64).fixed64(3n);
              p.tag(6, WireType.Bit64).fixed64(1n); // bucket_counts, unpacked
              p.tag(6, WireType.Bit64).fixed64(2n);
              p.tag(7, WireType.Bit64).double(1.5); // explicit_bounds, unpacked
              p.tag(8, WireType.LengthDelimited).bytes(new Uint8Array([0x11, 0x22])); // exemplar bytes, skipped
              p.tag(5, WireType.Bit64).double(4.5);
            });
            h.tag(2, WireType.Varint).int32(1);
          });
        });
        field(sm, 2, (m) => {
          m.tag(1, WireType.LengthDelimited).string('sum-of-quantiles');
          field(m, 11, (s) => {
            field(s, 1, (p) => {
              p.tag(4, WireType.Bit64).fixed64(4n);
              p.tag(5, WireType.Bit64).double(10);
              field(p, 6, (q) => q.tag(1, WireType.Bit64).double(0.99).tag(2, WireType.Bit64).double(9));
              field(p, 7, (kv) => kv.tag(1, WireType.LengthDelimited).string('k').tag(2, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string('v').join());
            });
          });
        });
      });
    });
    const request = decodeMetricsProto(w.finish());
    const hist = metricNamed(request, 'hist');
    expect(hist.data).toEqual({
      type: 'histogram',
      aggregationTemporality: 1,
      dataPoints: [{ attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, count: 3, sum: 4.5, bucketCounts: [1, 2], explicitBounds: [1.5], flags: 0 }],
    });
    expect(metricNamed(request, 'sum-of-quantiles').data).toEqual({
      type: 'summary',
      dataPoints: [
        { attributes: [{ key: 'k', value: { kind: 'string', value: 'v' } }], startTimeUnixNano: 0n, timeUnixNano: 0n, count: 4, sum: 10, quantileValues: [{ quantile: 0.99, value: 9 }], flags: 0 },
      ],
    });
  });
});

describe('malformed metrics bodies', () => {
  const valid = (): Uint8Array => {
    const w = new BinaryWriter();
    field(w, 1, (rm) => field(rm, 2, (sm) => field(sm, 2, (m) => m.tag(1, WireType.LengthDelimited).string('m'))));
    return w.finish();
  };

  it('refuses a truncated body with a DecodeError', () => {
    const body = valid();
    for (let cut = 1; cut < body.length; cut++) expect(() => decodeMetricsProto(body.subarray(0, cut))).toThrow(DecodeError);
  });

  it('refuses a wrong wire type for a known field', () => {
    const body = new BinaryWriter().tag(1, WireType.Varint).uint32(5).finish();
    expect(() => decodeMetricsProto(body)).toThrow(/resource_metrics has wire type 0/);
  });

  it('refuses AnyValue nesting bombs, in protobuf and JSON', () => {
    let value = new BinaryWriter().tag(1, WireType.LengthDelimited).string('leaf').finish();
    for (let i = 0; i < 200; i++) {
      const array = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(value).finish();
      value = new BinaryWriter().tag(5, WireType.LengthDelimited).bytes(array).finish();
    }
    const kv = new BinaryWriter().tag(1, WireType.LengthDelimited).string('deep').tag(2, WireType.LengthDelimited).bytes(value).finish();
    const body = new BinaryWriter().tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(kv).join().join().finish();
    expect(() => decodeMetricsProto(body)).toThrow(/nested deeper than 32/);

    const deep = '{"arrayValue":{"values":['.repeat(100_000) + '{}' + ']}}'.repeat(100_000);
    const json = `{"resourceMetrics":[{"resource":{"attributes":[{"key":"deep","value":${deep}}]}}]}`;
    expect(() => decodeMetricsJson(Buffer.from(json))).toThrow(/nested deeper than 32/);
  });

  it('bounds the objects one request may decode to', () => {
    const kv = new BinaryWriter().tag(1, WireType.LengthDelimited).string('k').finish();
    const resource = new BinaryWriter();
    for (let i = 0; i < 100; i++) resource.tag(1, WireType.LengthDelimited).bytes(kv);
    const body = new BinaryWriter().tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(resource.finish()).join().finish();
    expect(decodeMetricsProto(body).resourceMetrics[0]!.resource.attributes).toHaveLength(100);
    expect(() => decodeMetricsProto(body, { maxAnyValueDepth: 32, maxElements: 50 })).toThrow(/more than 50 elements/);
  });

  it('refuses JSON that is not an OTLP request', () => {
    for (const bad of ['', 'nope', '[]', '{"resourceMetrics":{}}', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asInt":"1.5"}]}}]}]}]}', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":7}]}]}]}']) {
      expect(() => decodeMetricsJson(Buffer.from(bad)), bad).toThrow(DecodeError);
    }
  });
});

// Arbitrary, hostile decoded requests: the translator never throws, every point is accounted for,
// and its cumulative memory stays under its cap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricDimensions, MetricsConsumer, SketchData, TimeSeriesType } from '../../../src/agent/otlp/consumer.js';
import { MetricsTranslator } from '../../../src/agent/otlp/metrics/index.js';
import type { AnyValue, ExportMetricsServiceRequest, KeyValue, MetricData } from '../../../src/agent/otlp/model.js';

const hostileNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324, 2 ** 53, -1),
  fc.integer({ min: -5, max: 5 }),
);
const count = fc.oneof(fc.nat({ max: 1000 }), fc.constantFrom(-1, NaN, Infinity, 1e15, 2 ** 53));
const time = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, 1n, 1_700_000_000_000_000_000n));
const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ v: AnyValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string().map((value) => ({ kind: 'string' as const, value })),
    fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: 'int' as const, value })),
    hostileNumber.map((value) => ({ kind: 'double' as const, value })),
    fc.uint8Array({ maxLength: 8 }).map((value) => ({ kind: 'bytes' as const, value })),
    fc.array(tie('v'), { maxLength: 3 }).map((values) => ({ kind: 'array' as const, values })),
    fc.constant({ kind: 'empty' as const }),
  ),
})).v;
const keys = fc.constantFrom('host', 'host.name', 'datadog.host.name', 'service.name', 'cloud.provider', 'k8s.node.name', 'container.id', 'a', 'b', '');
const attributes: fc.Arbitrary<KeyValue[]> = fc.array(fc.record({ key: keys, value: anyValue }), { maxLength: 4 });
const common = { attributes, startTimeUnixNano: time, timeUnixNano: time, flags: fc.constantFrom(0, 1, 2, 255) };
const temporality = fc.constantFrom(0, 1, 2, 3, -1);
const buckets = fc.record({ offset: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 0.5)), bucketCounts: fc.array(count, { maxLength: 12 }) });

const data: fc.Arbitrary<MetricData> = fc.oneof(
  fc.record({ type: fc.constant('gauge' as const), dataPoints: fc.array(fc.record({ ...common, value: hostileNumber, isInt: fc.boolean() }), { maxLength: 4 }) }),
  fc.record({
    type: fc.constant('sum' as const),
    dataPoints: fc.array(fc.record({ ...common, value: hostileNumber, isInt: fc.boolean() }), { maxLength: 4 }),
    aggregationTemporality: temporality,
    isMonotonic: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('histogram' as const),
    dataPoints: fc.array(
      fc.record(
        { ...common, count, sum: hostileNumber, bucketCounts: fc.array(count, { maxLength: 8 }), explicitBounds: fc.array(hostileNumber, { maxLength: 8 }), min: hostileNumber, max: hostileNumber },
        { requiredKeys: ['attributes', 'startTimeUnixNano', 'timeUnixNano', 'flags', 'count', 'bucketCounts', 'explicitBounds'] },
      ),
      { maxLength: 3 },
    ),
    aggregationTemporality: temporality,
  }),
  fc.record({
    type: fc.constant('exponentialHistogram' as const),
    dataPoints: fc.array(
      fc.record(
        { ...common, count, sum: hostileNumber, scale: fc.oneof(fc.integer({ min: -12, max: 25 }), fc.constantFrom(100, -100, NaN)), zeroCount: count, positive: buckets, negative: buckets, min: hostileNumber, max: hostileNumber, zeroThreshold: hostileNumber },
        { requiredKeys: ['attributes', 'startTimeUnixNano', 'timeUnixNano', 'flags', 'count', 'scale', 'zeroCount', 'positive', 'negative', 'zeroThreshold'] },
      ),
      { maxLength: 3 },
    ),
    aggregationTemporality: temporality,
  }),
  fc.record({
    type: fc.constant('summary' as const),
    dataPoints: fc.array(fc.record({ ...common, count, sum: hostileNumber, quantileValues: fc.array(fc.record({ quantile: hostileNumber, value: hostileNumber }), { maxLength: 3 }) }), { maxLength: 3 }),
  }),
  fc.constant({ type: 'none' as const }),
);
const name = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('system.cpu', 'kafka.net.bytes_in.rate', 'dd.internal.stats.payload'));
const requestArb: fc.Arbitrary<ExportMetricsServiceRequest> = fc.record({
  resourceMetrics: fc.array(
    fc.record({
      resource: fc.record({ attributes }),
      scopeMetrics: fc.array(
        fc.record({
          scope: fc.record({ name: fc.string({ maxLength: 5 }), version: fc.string({ maxLength: 5 }), attributes }),
          metrics: fc.array(fc.record({ name, description: fc.constant(''), unit: fc.constant(''), data }), { maxLength: 4 }),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
});

class CheckingConsumer implements MetricsConsumer {
  calls = 0;
  consumeTimeSeries(d: MetricDimensions, type: TimeSeriesType, ts: bigint, value: number): void {
    this.calls++;
    expect(['gauge', 'count']).toContain(type);
    expect(typeof ts).toBe('bigint');
    expect(Number.isFinite(value)).toBe(true);
    expect(typeof d.host).toBe('string');
  }
  consumeSketch(_: MetricDimensions, __: bigint, sketch: SketchData): void {
    this.calls++;
    expect(sketch.k.length).toBe(sketch.n.length);
    expect(sketch.k.length).toBeLessThanOrEqual(4096);
    for (const n of sketch.n) expect(n).toBeGreaterThan(0);
    for (const k of sketch.k) expect(Math.abs(k)).toBeLessThanOrEqual(32767);
  }
}

describe('metrics translator against hostile requests', () => {
  it('never throws, and keeps its cumulative memory under its cap', () => {
    const cap = 20;
    const translator = new MetricsTranslator({ maxCumulativeSeries: cap, histogramMode: 'distributions', sendAggregationMetrics: true });
    const consumer = new CheckingConsumer();
    fc.assert(
      fc.property(requestArb, (req) => {
        translator.consume(req, consumer);
        expect(translator.counters.cumulativeSeriesHeld).toBeLessThanOrEqual(cap);
      }),
      { numRuns: 400, seed: 4242 },
    );
    expect(translator.counters.pointsReceived).toBeGreaterThan(0);
    expect(translator.counters.seriesProduced + translator.counters.sketchesProduced).toBe(consumer.calls);
  });

  it.each(['counters', 'nobuckets'] as const)('never throws in %s mode either', (mode) => {
    const translator = new MetricsTranslator({ maxCumulativeSeries: 5, histogramMode: mode, sendAggregationMetrics: true, resourceAttributesAsTags: true });
    fc.assert(fc.property(requestArb, (req) => translator.consume(req, new CheckingConsumer())), { numRuns: 200, seed: 7 });
    expect(translator.counters.cumulativeSeriesHeld).toBeLessThanOrEqual(5);
  });
});

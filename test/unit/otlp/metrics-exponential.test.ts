// Exponential histograms to agent sketches, against the mapping's fixtures (simple-exponential,
// single-point-exponential-no-min-max) and by quantiles of known data.
import { describe, expect, it } from 'vitest';
import { MetricsTranslator } from '../../../src/agent/otlp/metrics/index.js';
import { TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA, type ExponentialHistogramDataPoint } from '../../../src/agent/otlp/model.js';
import { attrs, exponentialPoint, metric, RecordingConsumer, request, sketchQuantile } from './metrics-helpers.js';

const TS = 1667560641226420924n;
const a = attrs({ custom_attribute: 'custom_value', 'deployment.environment': 'dev' });

function run(points: ExponentialHistogramDataPoint[], temporality = TEMPORALITY_DELTA, options = {}) {
  const t = new MetricsTranslator({ instrumentationScopeMetadataAsTags: false, ...options });
  const c = new RecordingConsumer();
  t.consume(request([metric('double.exponential.delta.histogram', { type: 'exponentialHistogram', dataPoints: points, aggregationTemporality: temporality })], attrs({ 'datadog.host.name': 'res-hostname' })), c);
  return { t, c };
}

/** OTLP exponential bucketing of `values` at `scale` (bucket i holds (base^i, base^(i+1)]). */
function bucketize(values: number[], scale: number): ExponentialHistogramDataPoint {
  const lnBase = Math.LN2 * Math.pow(2, -scale);
  const pos = new Map<number, number>();
  const neg = new Map<number, number>();
  let zero = 0;
  for (const v of values) {
    if (v === 0) {
      zero++;
      continue;
    }
    const index = Math.ceil(Math.log(Math.abs(v)) / lnBase) - 1;
    const side = v > 0 ? pos : neg;
    side.set(index, (side.get(index) ?? 0) + 1);
  }
  const buckets = (m: Map<number, number>) => {
    if (m.size === 0) return { offset: 0, bucketCounts: [] as number[] };
    const lo = Math.min(...m.keys());
    const hi = Math.max(...m.keys());
    return { offset: lo, bucketCounts: Array.from({ length: hi - lo + 1 }, (_, i) => m.get(lo + i) ?? 0) };
  };
  return exponentialPoint({
    scale,
    count: values.length,
    zeroCount: zero,
    sum: values.reduce((x, y) => x + y, 0),
    min: Math.min(...values),
    max: Math.max(...values),
    positive: buckets(pos),
    negative: buckets(neg),
  });
}

describe('OTLP exponential histograms', () => {
  it('maps the simple-exponential fixture to the same keys and counts', () => {
    const { c } = run([
      exponentialPoint({
        attributes: a,
        timeUnixNano: TS,
        scale: 6,
        count: 30,
        zeroCount: 10,
        sum: 3.141592653589793,
        min: -100000,
        max: 100000,
        negative: { offset: 2, bucketCounts: [3, 2, 5] },
        positive: { offset: 3, bucketCounts: [1, 1, 1, 2, 2, 3] },
      }),
    ]);
    const s = c.sketches[0]!;
    expect(s).toMatchObject({ name: 'double.exponential.delta.histogram', host: 'res-hostname', ts: TS, tags: ['custom_attribute:custom_value', 'deployment.environment:dev'] });
    expect(s.sketch).toMatchObject({
      min: -100000,
      max: 100000,
      sum: 3.141592653589793,
      avg: 0.10471975511965977,
      cnt: 30,
      k: [-1341, -1340, 0, 1340, 1341, 1342, 1343, 1344],
      n: [6, 4, 10, 1, 1, 2, 3, 3],
    });
  });

  it('places a single observation at its sum (single-point-exponential-no-min-max.json)', () => {
    const { c } = run([exponentialPoint({ attributes: a, timeUnixNano: TS, count: 1, sum: 100, positive: { offset: 0, bucketCounts: [0, 0, 0, 0, 0, 0, 1, 0, 0] } })]);
    expect(c.sketches[0]!.sketch).toMatchObject({ min: 100, max: 100, sum: 100, avg: 100, cnt: 1, k: [1625], n: [1] });
  });

  it.each([0, 3, 8])('keeps quantiles close to the data at scale %i', (scale) => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const values = Array.from({ length: 5000 }, () => Math.exp(random() * 10) * (random() < 0.1 ? -1 : 1));
    const { c } = run([bucketize(values, scale)]);
    const sketch = c.sketches[0]!.sketch;
    expect(sketch.cnt).toBe(5000);
    expect(sketch.n.reduce((x, y) => x + y, 0)).toBe(5000);
    const sorted = [...values].sort((x, y) => x - y);
    // The input's own bucket width bounds the error: base - 1 (100 % at scale 0), plus the agent's ~1.6 %.
    const tolerance = Math.pow(2, Math.pow(2, -scale)) - 1 + 0.02;
    for (const q of [0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) {
      const expected = sorted[Math.round(q * (sorted.length - 1))]!;
      const got = sketchQuantile(sketch, q);
      expect(Math.abs(got - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);
    }
  });

  it('sends aggregation metrics when asked', () => {
    const { c } = run([exponentialPoint({ timeUnixNano: TS, count: 2, sum: 5, min: 2, max: 3, positive: { offset: 0, bucketCounts: [0, 2] } })], TEMPORALITY_DELTA, { sendAggregationMetrics: true });
    expect(c.series.map((s) => `${s.name} ${s.type}=${s.value}`)).toEqual([
      'double.exponential.delta.histogram.count count=2',
      'double.exponential.delta.histogram.sum count=5',
      'double.exponential.delta.histogram.min gauge=2',
      'double.exponential.delta.histogram.max gauge=3',
    ]);
  });

  it('drops cumulative ones (the mapping does not take them), empty ones and unmappable scales, counted', () => {
    const point = exponentialPoint({ count: 1, sum: 1, positive: { offset: 0, bucketCounts: [1] } });
    expect(run([point], TEMPORALITY_CUMULATIVE).t.counters.dropped.exponentialHistogram).toEqual({ unsupported_temporality: 1 });
    const { t, c } = run([
      exponentialPoint({ count: 0 }),
      exponentialPoint({ count: 1, scale: 100, positive: { offset: 0, bucketCounts: [1] } }),
      exponentialPoint({ count: 1, scale: -20, positive: { offset: 0, bucketCounts: [1] } }),
      exponentialPoint({ count: 1, scale: 0, positive: { offset: 2_000_000, bucketCounts: [1] } }),
      point,
    ]);
    expect(t.counters.dropped.exponentialHistogram).toEqual({ empty: 1, malformed: 3 });
    expect(c.sketches).toHaveLength(1);
  });
});

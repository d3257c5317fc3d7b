// Explicit-bucket histograms, against the mapping's fixtures (testdata/otlpdata/histogram,
// datadogdata/histogram) and its cumulative rules.
import { describe, expect, it } from 'vitest';
import { MetricsTranslator, type MetricsTranslatorOptions } from '../../../src/agent/otlp/metrics/index.js';
import { TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA, type HistogramDataPoint } from '../../../src/agent/otlp/model.js';
import { attrs, histogramPoint, metric, RecordingConsumer, request, sec, sketchQuantile } from './metrics-helpers.js';

const TS = 1667560641226420924n;
const attribute = attrs({ attribute_tag: 'attribute_value' });
/** testdata/otlpdata/histogram/simple-delta.json */
const simpleDelta = histogramPoint({ attributes: attribute, timeUnixNano: TS, count: 20, sum: 3.141592653589793, bucketCounts: [2, 18], explicitBounds: [0], min: -100, max: 100 });

function run(options: Partial<MetricsTranslatorOptions>, points: HistogramDataPoint[], temporality = TEMPORALITY_DELTA, translator?: MetricsTranslator) {
  const t = translator ?? new MetricsTranslator({ instrumentationScopeMetadataAsTags: false, ...options });
  const c = new RecordingConsumer();
  t.consume(request([metric('doubleHist.test', { type: 'histogram', dataPoints: points, aggregationTemporality: temporality })], attrs({ 'host.name': 'hostname' })), c);
  return { t, c };
}

describe('OTLP histograms', () => {
  it('distributions with aggregation metrics (simple-delta_dist-cs.json)', () => {
    const { c } = run({ sendAggregationMetrics: true }, [simpleDelta]);
    expect(c.sketches).toHaveLength(1);
    const s = c.sketches[0]!;
    expect(s).toMatchObject({ name: 'doubleHist.test', host: 'hostname', tags: ['attribute_tag:attribute_value'], ts: TS });
    expect(s.sketch).toMatchObject({ min: -100, max: 100, sum: 3.141592653589793, avg: 0.15707963267948966, cnt: 20, k: [0], n: [20] });
    expect(c.series.map((x) => [x.name, x.type, x.value])).toEqual([
      ['doubleHist.test.count', 'count', 20],
      ['doubleHist.test.sum', 'count', 3.141592653589793],
      ['doubleHist.test.min', 'gauge', -100],
      ['doubleHist.test.max', 'gauge', 100],
    ]);
  });

  it('defaults: a sketch and no aggregation metrics', () => {
    const { c } = run({}, [simpleDelta]);
    expect(c.series).toEqual([]);
    expect(c.sketches).toHaveLength(1);
  });

  it('counters mode: one .bucket count per bucket with bound tags (simple-delta_counters-nocs.json)', () => {
    const { c } = run({ histogramMode: 'counters' }, [simpleDelta]);
    expect(c.sketches).toEqual([]);
    expect(c.series.map((x) => [x.name, x.type, x.tags, x.value])).toEqual([
      ['doubleHist.test.bucket', 'count', ['attribute_tag:attribute_value', 'lower_bound:-inf', 'upper_bound:0'], 2],
      ['doubleHist.test.bucket', 'count', ['attribute_tag:attribute_value', 'lower_bound:0', 'upper_bound:inf'], 18],
    ]);
  });

  it('formats bounds as the mapping does (TestLegacyBucketsTags, TestFormatFloat)', () => {
    const { c } = run({ histogramMode: 'counters' }, [histogramPoint({ bucketCounts: [1, 1, 1, 1, 1], explicitBounds: [1, 0.95, 1e-10, 2e6].sort((a, b) => a - b) })]);
    expect(c.series.map((x) => x.tags.join(' '))).toEqual([
      'lower_bound:-inf upper_bound:1e-10',
      'lower_bound:1e-10 upper_bound:0.95',
      'lower_bound:0.95 upper_bound:1.0',
      'lower_bound:1.0 upper_bound:2e+06.0',
      'lower_bound:2e+06.0 upper_bound:inf',
    ]);
  });

  it('nobuckets needs aggregation metrics, as the mapping refuses it alone', () => {
    expect(() => new MetricsTranslator({ histogramMode: 'nobuckets' })).toThrow(/SEND_AGGREGATION_METRICS/);
    const { c } = run({ histogramMode: 'nobuckets', sendAggregationMetrics: true }, [simpleDelta]);
    expect(c.sketches).toEqual([]);
    expect(c.series.map((x) => x.name)).toEqual(['doubleHist.test.count', 'doubleHist.test.sum', 'doubleHist.test.min', 'doubleHist.test.max']);
  });

  it('a single bucket without bounds lands on key -1 (single-bucket-delta-no-min-max.json)', () => {
    const { c } = run({}, [histogramPoint({ attributes: attribute, timeUnixNano: TS, count: 20, sum: 3.141592653589793, bucketCounts: [20] })]);
    expect(c.sketches[0]!.sketch).toMatchObject({ k: [-1], n: [20], cnt: 20, sum: 3.141592653589793, avg: 0.15707963267948966 });
    expect(c.sketches[0]!.sketch.min).toBeCloseTo(-9.941854089121368e-10, 20);
    expect(c.sketches[0]!.sketch.max).toBeCloseTo(-9.941854089121368e-10, 20);
  });

  it('spreads a bucket over the keys between its bounds: quantiles stay within the bucket', () => {
    const { c } = run({}, [histogramPoint({ count: 1000, sum: 55_000, bucketCounts: [0, 500, 500, 0], explicitBounds: [10, 50, 100] })]);
    const sketch = c.sketches[0]!.sketch;
    expect(sketch.n.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(sketch.min).toBe(10);
    expect(sketch.max).toBe(100);
    const median = sketchQuantile(sketch, 0.25);
    expect(median).toBeGreaterThan(10);
    expect(median).toBeLessThan(50);
    expect(sketchQuantile(sketch, 0.75)).toBeGreaterThan(50);
  });

  it('turns cumulative points into deltas: first point remembered, then per-bucket deltas, reset on new start time', () => {
    const t = new MetricsTranslator({ instrumentationScopeMetadataAsTags: false, sendAggregationMetrics: true, histogramMode: 'counters' });
    const p = (ts: number, start: number, counts: number[], sum: number) =>
      histogramPoint({ startTimeUnixNano: sec(start), timeUnixNano: sec(ts), count: counts.reduce((a, b) => a + b, 0), sum, bucketCounts: counts, explicitBounds: [1] });
    expect(run({}, [p(10, 1, [1, 1], 3)], TEMPORALITY_CUMULATIVE, t).c.series).toEqual([]);
    const second = run({}, [p(20, 1, [3, 2], 8)], TEMPORALITY_CUMULATIVE, t).c;
    expect(second.series.map((x) => `${x.name}${x.tags.length ? ' ' + x.tags.join(',') : ''}=${x.value}`)).toEqual([
      'doubleHist.test.count=3',
      'doubleHist.test.sum=5',
      'doubleHist.test.bucket lower_bound:-inf,upper_bound:1.0=2',
      'doubleHist.test.bucket lower_bound:1.0,upper_bound:inf=1',
    ]);
    // A new start time: the sequence restarts, nothing reported for it.
    expect(run({}, [p(30, 25, [1, 0], 1)], TEMPORALITY_CUMULATIVE, t).c.series).toEqual([]);
    expect(run({}, [p(40, 25, [2, 0], 3)], TEMPORALITY_CUMULATIVE, t).c.points('doubleHist.test.count')).toEqual(['doubleHist.test.count count 40=1']);
  });

  it('cumulative distributions: the sketch holds this interval only, min/max from the window when they moved', () => {
    const t = new MetricsTranslator({ instrumentationScopeMetadataAsTags: false });
    const p = (ts: number, counts: number[], sum: number, min: number, max: number) =>
      histogramPoint({ startTimeUnixNano: sec(1), timeUnixNano: sec(ts), count: counts.reduce((a, b) => a + b, 0), sum, bucketCounts: counts, explicitBounds: [10, 20], min, max });
    run({}, [p(10, [1, 1, 0], 20, 5, 15)], TEMPORALITY_CUMULATIVE, t);
    const { c } = run({}, [p(20, [1, 4, 0], 80, 5, 19)], TEMPORALITY_CUMULATIVE, t);
    expect(c.sketches[0]!.sketch).toMatchObject({ cnt: 3, sum: 60, max: 19, min: 10 });
  });

  it('counts and skips malformed points, keeping the rest of the request', () => {
    const { t, c } = run({}, [
      histogramPoint({ count: 3, bucketCounts: [1, 1, 1], explicitBounds: [1] }), // more buckets than bounds + 1
      histogramPoint({ count: 2, bucketCounts: [1, 1, 0], explicitBounds: [5, 1] }), // decreasing bounds
      histogramPoint({ count: 2, bucketCounts: [1, 1], explicitBounds: [NaN] }),
      simpleDelta,
    ]);
    expect(t.counters.dropped.histogram?.malformed).toBe(3);
    expect(c.sketches).toHaveLength(1);
  });

  it('refuses a point with more observations than a sketch can hold', () => {
    const { t, c } = run({}, [histogramPoint({ count: 1e12, sum: 1, bucketCounts: [1e12], explicitBounds: [] })]);
    expect(c.sketches).toEqual([]);
    expect(t.counters.dropped.histogram?.sketch_count_over_limit).toBe(1);
  });
});

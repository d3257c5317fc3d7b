// The cumulative-to-delta memory stays bounded: a cap with eviction and a TTL, both counted.
import { describe, expect, it } from 'vitest';
import { MetricsTranslator } from '../../../src/agent/otlp/metrics/index.js';
import { TEMPORALITY_CUMULATIVE } from '../../../src/agent/otlp/model.js';
import { attrs, metric, numberPoint, RecordingConsumer, request, sec } from './metrics-helpers.js';

const cumulative = (series: number, value: number, ts: number) =>
  metric('c', { type: 'sum', aggregationTemporality: TEMPORALITY_CUMULATIVE, isMonotonic: true, dataPoints: [numberPoint(value, sec(ts), { attributes: attrs({ series: String(series) }) })] });

describe('cumulative-to-delta cache', () => {
  it('keeps at most maxCumulativeSeries series, forgetting the least recently written', () => {
    const t = new MetricsTranslator({ maxCumulativeSeries: 3 });
    const c = new RecordingConsumer();
    for (let s = 0; s < 5; s++) t.consume(request([cumulative(s, 1, 1)]), c);
    expect(t.counters.cumulativeSeriesHeld).toBe(3);
    expect(t.counters.cumulativeSeriesEvicted).toBe(2);
    // Series 4 is remembered (delta reported); series 0 was forgotten (first point again).
    t.consume(request([cumulative(4, 5, 2), cumulative(0, 5, 2)]), c);
    expect(c.series.map((s) => `${s.tags.find((x) => x.startsWith('series:'))}=${s.value}`)).toEqual(['series:4=4']);
  });

  it('forgets a series delta_ttl seconds after its last point', () => {
    let now = 1_700_000_000_000;
    const t = new MetricsTranslator({ deltaTtlSeconds: 60, clock: () => now });
    const c = new RecordingConsumer();
    t.consume(request([cumulative(1, 1, 1), cumulative(2, 1, 1)]), c);
    now += 30_000;
    t.consume(request([cumulative(1, 2, 2)]), c);
    expect(c.series.map((s) => s.value)).toEqual([1]);
    now += 45_000; // series 2: 75 s idle, series 1: 45 s
    t.consume(request([cumulative(1, 3, 3), cumulative(2, 9, 3)]), c);
    expect(c.series.map((s) => s.value)).toEqual([1, 1]);
    expect(t.counters.cumulativeSeriesExpired).toBe(1);
    expect(t.counters.cumulativeSeriesHeld).toBe(2);
  });
});

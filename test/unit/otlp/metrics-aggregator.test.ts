// Through the real Aggregator: OTLP points and sketches come out of the next flush, with the
// agent's global tags and host.
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../src/agent/aggregator/aggregator.js';
import { MetricsTranslator } from '../../../src/agent/otlp/metrics/index.js';
import { TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA } from '../../../src/agent/otlp/model.js';
import { attrs, exponentialPoint, histogramPoint, metric, numberPoint, request, sec } from './metrics-helpers.js';

const NOW = 1_700_000_005_000;

function aggregator(limit?: number): Aggregator {
  return new Aggregator({
    hostname: 'dyno-host',
    globalTags: ['dyno:web.1', 'appname:shop'],
    histogram: { aggregates: ['max', 'median', 'avg', 'count'], percentiles: [0.95] },
    clock: () => NOW,
    ...(limit !== undefined ? { limits: { contextLimit: limit } } : {}),
  });
}

describe('OTLP through the aggregator', () => {
  it('flushes the points as timestamped series and the sketches, global tags added, host kept or defaulted', async () => {
    const agg = aggregator();
    const t = new MetricsTranslator({ instrumentationScopeMetadataAsTags: false });
    const ts = sec(NOW / 1000 - 3);
    t.consume(
      request(
        [
          metric('queue.depth', { type: 'gauge', dataPoints: [numberPoint(7, ts, { attributes: attrs({ queue: 'jobs' }) })] }),
          metric('requests', { type: 'sum', aggregationTemporality: TEMPORALITY_DELTA, isMonotonic: true, dataPoints: [numberPoint(12, ts)] }),
          metric('latency', { type: 'histogram', aggregationTemporality: TEMPORALITY_DELTA, dataPoints: [histogramPoint({ timeUnixNano: ts, count: 4, sum: 10, bucketCounts: [4], explicitBounds: [], min: 1, max: 4 })] }),
        ],
        attrs({ 'service.name': 'shop' }),
      ),
      agg,
    );
    t.consume(
      request(
        [metric('size', { type: 'exponentialHistogram', aggregationTemporality: TEMPORALITY_DELTA, dataPoints: [exponentialPoint({ timeUnixNano: ts, count: 2, sum: 6, positive: { offset: 1, bucketCounts: [2] } })] })],
        attrs({ 'host.name': 'otel-host' }),
      ),
      agg,
    );
    const batch = await agg.flush();
    const otlp = batch.series.filter((s) => s.metric !== 'datadog.agent.running');
    expect(otlp).toEqual([
      { metric: 'queue.depth', points: [[NOW / 1000 - 3, 7]], tags: ['appname:shop', 'dyno:web.1', 'queue:jobs', 'service:shop'], host: 'dyno-host', type: 'gauge', interval: 0 },
      { metric: 'requests', points: [[NOW / 1000 - 3, 12]], tags: ['appname:shop', 'dyno:web.1', 'service:shop'], host: 'dyno-host', type: 'count', interval: 0 },
    ]);
    expect(batch.sketches.map((s) => [s.metric, s.host, s.tags, s.points[0]!.ts, s.points[0]!.cnt, s.points[0]!.sum])).toEqual([
      ['latency', 'dyno-host', ['appname:shop', 'dyno:web.1', 'service:shop'], NOW / 1000 - 3, 4, 10],
      ['size', 'otel-host', ['appname:shop', 'dyno:web.1'], NOW / 1000 - 3, 2, 6],
    ]);
    expect(agg.status()).toMatchObject({ otlpSeries: 2, otlpSketches: 2, sketchesFlushed: 2 });
    // Nothing is sent twice.
    const next = await agg.flush();
    expect(next.sketches).toEqual([]);
    expect(next.series.map((s) => s.metric)).toEqual(['datadog.agent.running']);
  });

  it('bounds what waits for the flush by the context limit, counting the rest', async () => {
    const agg = aggregator(2);
    const t = new MetricsTranslator();
    const points = [1, 2, 3].map((v) => numberPoint(v, sec(1), { attributes: attrs({ n: String(v) }) }));
    t.consume(request([metric('g', { type: 'gauge', dataPoints: points })]), agg);
    t.consume(request([metric('c', { type: 'sum', aggregationTemporality: TEMPORALITY_CUMULATIVE, isMonotonic: true, dataPoints: [numberPoint(1, sec(1))] })]), agg);
    expect(agg.status()).toMatchObject({ otlpSeries: 2, otlpSeriesDroppedByLimit: 1 });
    const batch = await agg.flush();
    expect(batch.series.filter((s) => s.metric === 'g')).toHaveLength(2);
  });
});

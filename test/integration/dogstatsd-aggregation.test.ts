// Raw datagrams over real UDP → aggregator → forwarder → recording intake; values decoded and
// checked against the official agent's semantics.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quantile } from '../../src/intake/query/ddsketch.js';
import { HOST, pointOf, startHarness, type Harness } from './agent-harness.js';

describe('dogstatsd aggregation over UDP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { DD_TAGS: 'dyno:web.1,appname:demo', DD_HISTOGRAM_AGGREGATES: 'max median avg count min sum', DD_HISTOGRAM_PERCENTILES: '0.95 0.5' } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('100 increments become a rate of 10/s for the bucket, zero-filled afterwards', async () => {
    await h.send(...Array.from({ length: 100 }, () => 'page.views:1|c|#route:home'));
    const bucket = Math.floor(h.now / 1000) - 1;
    h.closeBucket();
    await h.flush();
    const views = h.series().filter((s) => s.metric === 'page.views');
    expect(views).toEqual([{ metric: 'page.views', points: [[bucket, 10]], tags: ['appname:demo', 'dyno:web.1', 'route:home'], host: HOST, type: 'rate', interval: 10 }]);
    h.closeBucket();
    await h.flush();
    const later = h.series().filter((s) => s.metric === 'page.views');
    expect(later.map((s) => s.points[0])).toEqual([[bucket, 10], [bucket + 10, 0]]);
  });

  it('zero-fills a counter for 300 s after its last sample, then forgets its context', async () => {
    await h.send('zf:1|c');
    const bucket = Math.floor(h.now / 1000) - 1;
    for (let i = 0; i < 35; i++) {
      h.closeBucket();
      await h.flush();
    }
    const points = h.series().filter((s) => s.metric === 'zf').map((s) => s.points[0]!);
    expect(points[0]).toEqual([bucket, 0.1]);
    expect(points.slice(1)).toEqual(Array.from({ length: 30 }, (_, i) => [bucket + 10 * (i + 1), 0]));
    expect(h.agent.flusher.status().contexts).toBe(0);
  });

  it('does not flush the open bucket until it closes, then flushes it exactly once', async () => {
    await h.send('open.gauge:3|g');
    await h.flush();
    expect(h.series().filter((s) => s.metric === 'open.gauge')).toEqual([]);
    h.closeBucket();
    await h.flush();
    await h.flush();
    expect(h.series().filter((s) => s.metric === 'open.gauge')).toHaveLength(1);
  });

  it('gauges keep the last value, sets count unique members, multi-values and sample rates count right', async () => {
    await h.send('temp:1|g', 'temp:5|g\ntemp:2|g', 'users:alice|s\nusers:bob|s\nusers:alice|s', 'multi:1:2:3|c', 'sampled:1|c|@0.5', 'sampled:1|c|@0.5|#a:b');
    h.closeBucket();
    await h.flush();
    const series = h.series();
    expect(pointOf(series, 'temp')).toBe(2);
    expect(pointOf(series, 'users')).toBe(2);
    expect(pointOf(series, 'multi')).toBeCloseTo(0.6, 10);
    expect(pointOf(series, 'sampled', 'a:b')).toBeCloseTo(0.2, 10);
    expect(series.filter((s) => s.metric === 'sampled')).toHaveLength(2);
  });

  it('histogram aggregates and percentiles match a reference computed here', async () => {
    // 60 samples: p × count lands on whole ranks, where an off-by-one in the target would show.
    const values = Array.from({ length: 60 }, (_, i) => ((i * 37) % 60) + 0.5);
    await h.send(...values.map((v) => `latency:${v}|ms|#db:main`));
    await h.send('weighted:10|h|@0.25', 'weighted:20|h');
    h.closeBucket();
    await h.flush();
    const series = h.series();
    const sorted = [...values].sort((a, b) => a - b);
    const at = (target: number) => sorted[target]!; // unit weights: first value whose cumulative count exceeds target
    expect(pointOf(series, 'latency.max')).toBe(sorted[59]);
    expect(pointOf(series, 'latency.min')).toBe(sorted[0]);
    expect(pointOf(series, 'latency.avg')).toBeCloseTo(values.reduce((a, b) => a + b) / 60, 10);
    expect(pointOf(series, 'latency.sum')).toBeCloseTo(values.reduce((a, b) => a + b), 10);
    expect(pointOf(series, 'latency.count')).toBeCloseTo(6, 10);
    expect(pointOf(series, 'latency.median')).toBe(at(Math.trunc(59 / 2)));
    expect(pointOf(series, 'latency.95percentile')).toBe(at(Math.trunc((95 * 60 - 1) / 100)));
    expect(pointOf(series, 'latency.50percentile')).toBe(at(Math.trunc((50 * 60 - 1) / 100)));
    expect(series.find((s) => s.metric === 'latency.count')!.type).toBe('rate');
    // 10 weighs 4 (rate 0.25), 20 weighs 1: count 5, avg (40+20)/5, median = 10.
    expect(pointOf(series, 'weighted.count')).toBeCloseTo(0.5, 10);
    expect(pointOf(series, 'weighted.avg')).toBeCloseTo(12, 10);
    expect(pointOf(series, 'weighted.median')).toBe(10);
  });

  it('distributions arrive as agent sketches: count/min/max/sum exact, quantiles within 1 %', async () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 1000) * 0.731);
    for (let i = 0; i < values.length; i += 100) {
      await h.send(values.slice(i, i + 100).map((v) => `size:${v}|d|#kind:a`).join('\n'));
    }
    await h.send('size:-5|d|#kind:neg', 'size:0|d|#kind:neg');
    h.closeBucket();
    await h.flush();
    const sketches = h.sketches();
    const a = sketches.find((s) => s.metric === 'size' && s.tags.includes('kind:a'))!;
    expect(a.host).toBe(HOST);
    expect(a.cnt).toBe(1000);
    expect(a.min).toBe(Math.min(...values));
    expect(a.max).toBe(Math.max(...values));
    expect(a.sum).toBeCloseTo(values.reduce((x, y) => x + y), 6);
    expect(a.n.reduce((x, y) => x + y)).toBe(1000);
    const sorted = [...values].sort((x, y) => x - y);
    const bins = new Map<number, number>();
    a.k.forEach((k, i) => bins.set(k, (bins.get(k) ?? 0) + a.n[i]!));
    for (const q of [0.5, 0.75, 0.9, 0.95, 0.99]) {
      const exact = sorted[Math.floor(q * 999)]!;
      expect(Math.abs(quantile({ cnt: a.cnt, min: a.min, max: a.max, bins }, q) - exact) / exact).toBeLessThan(0.01);
    }
    const neg = sketches.find((s) => s.tags.includes('kind:neg'))!;
    expect([neg.cnt, neg.min, neg.max, neg.sum]).toEqual([2, -5, 0, -5]);
    expect([...neg.k].sort((x, y) => x - y)[0]).toBeLessThan(0);
    expect(neg.k).toContain(0);
  });

  it('one context per name+host+tag set: tag order and duplicates do not matter, host: overrides the host', async () => {
    await h.send('ctx:1|c|#b:2,a:1', 'ctx:1|c|#a:1,b:2,a:1', 'ctx:1|c|#a:1,host:other-host,b:2', 'ctx:1|c|#a:1,b:2,dyno:web.1');
    h.closeBucket();
    await h.flush();
    const ctx = h.series().filter((s) => s.metric === 'ctx');
    expect(ctx.map((s) => [s.host, s.tags.join(','), s.points[0]![1]]).sort()).toEqual([
      ['other-host', 'a:1,appname:demo,b:2,dyno:web.1', 0.1],
      [HOST, 'a:1,appname:demo,b:2,dyno:web.1', 0.3],
    ]);
  });

  it('timestamped samples pass through unaggregated', async () => {
    const ts = Math.floor(h.now / 1000) - 30;
    await h.send(`past.gauge:7|g|T${ts}`, `past.gauge:8|g|T${ts + 1}`, `past.count:4|c|T${ts}|#x:y`);
    await h.flush();
    const series = h.series();
    expect(series.filter((s) => s.metric === 'past.gauge').map((s) => s.points[0])).toEqual([[ts, 7], [ts + 1, 8]]);
    expect(series.find((s) => s.metric === 'past.count')).toMatchObject({ type: 'count', points: [[ts, 4]] });
  });

  it('events and service checks reach /intake/ and /api/v1/check_run with host and tags', async () => {
    await h.send('_e{6,12}:Deploy|line1\\nline2|t:success|p:low|k:dep-1|s:heroku|#release:v42|h:web-host');
    // m: ends at the next | field, as in the official parser; a | of the message itself is sent as is only last.
    await h.send('_sc|db.up|2|h:db-host|m:connection refused, retrying|#shard:1');
    h.closeBucket();
    await h.flush();
    const events = h.events().flatMap((byType) => Object.entries(byType).flatMap(([source, list]) => list.map((e) => ({ source, ...e }))));
    expect(events).toMatchObject([{ source: 'heroku', msg_title: 'Deploy', msg_text: 'line1\nline2', alert_type: 'success', priority: 'low', aggregation_key: 'dep-1', host: 'web-host', tags: ['appname:demo', 'dyno:web.1', 'release:v42'] }]);
    const checks = h.serviceChecks();
    expect(checks.find((c) => c.check === 'db.up')).toMatchObject({ host_name: 'db-host', status: 2, message: 'connection refused, retrying', tags: ['appname:demo', 'dyno:web.1', 'shard:1'] });
    expect(checks.find((c) => c.check === 'datadog.agent.up')).toMatchObject({ status: 0, host_name: HOST });
    expect(pointOf(h.series(), 'datadog.agent.running', 'dyno:web.1')).toBe(1);
  });

  it('posts with DD-API-KEY, gzip and the intake content types', async () => {
    await h.send('x:1|d');
    h.closeBucket();
    await h.flush();
    const byPath = new Map(h.intake.requests.map((r) => [r.path, r]));
    for (const path of ['/api/v1/series', '/api/beta/sketches', '/api/v1/check_run']) {
      const req = byPath.get(path)!;
      expect(req.headers['dd-api-key']).toBe('abcdef0123456789abcdef0123456789');
      expect(req.headers['content-encoding']).toBe('gzip');
    }
    expect(byPath.get('/api/beta/sketches')!.headers['content-type']).toBe('application/x-protobuf');
    expect(byPath.get('/api/v1/series')!.headers['content-type']).toBe('application/json');
  });
});

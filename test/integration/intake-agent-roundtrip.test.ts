// The built-in agent's real encoders, posted to the intake: what the agent sends is what the intake stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { AgentSketch } from '../../src/agent/aggregator/sketch.js';
import { encodeAgentPayload } from '../../src/agent/apm/agent-payload.js';
import { LatencySketch } from '../../src/agent/apm/latency-sketch.js';
import { encodeAgentStats } from '../../src/agent/apm/stats-payload.js';
import { checkRunPayloads, eventPayloads, seriesPayloads, sketchPayloads } from '../../src/agent/forwarder/encode.js';
import type { Payload } from '../../src/agent/forwarder/transport.js';
import { quantile } from '../../src/intake/query/ddsketch.js';
import { startIntake, type Intake } from '../../src/intake/server.js';
import { Store } from '../../src/intake/store.js';

describe('built-in agent encoders → intake', () => {
  let intake: Intake;
  let store: Store;
  beforeAll(async () => {
    store = new Store(undefined);
    intake = await startIntake({ store, port: 0 });
  });
  afterAll(() => intake.close());

  async function deliver(payloads: Payload[]): Promise<void> {
    for (const p of payloads) {
      const res = await fetch(`${intake.url}${p.path}`, {
        method: 'POST',
        body: new Uint8Array(p.body),
        headers: { 'DD-API-KEY': 'k', 'Content-Type': p.contentType, ...(p.contentEncoding ? { 'Content-Encoding': p.contentEncoding } : {}), ...p.headers },
      });
      expect(res.status, await res.text()).toBe(202);
    }
  }

  it('series, split across payloads, arrive whole', async () => {
    const series = Array.from({ length: 300 }, (_, i) => ({ metric: `rt.metric.${i % 7}`, points: [[1_700_000_000 + i, i / 3]] as [number, number][], tags: [`i:${i}`, 'env:rt'], host: 'rt.web.1', type: 'rate' as const, interval: 10 }));
    const payloads = await seriesPayloads(series, { maxRawBytes: 4000, maxCompressedBytes: 2500 });
    expect(payloads.length).toBeGreaterThan(1);
    await deliver(payloads);
    const stored = [...store.series.values()].flatMap((byContext) => [...byContext.values()]);
    expect(stored).toHaveLength(300);
    expect(stored.find((c) => c.tags.includes('i:299'))).toEqual({ metric: 'rt.metric.5', host: 'rt.web.1', tags: ['env:rt', 'i:299'], type: 'rate', interval: 10, points: [[1_700_000_299, 99 + 2 / 3]] });
  });

  it('sketches keep their bins, and the intake reads back percentiles within the sketch accuracy', async () => {
    const sketch = new AgentSketch();
    for (let v = 1; v <= 1000; v++) sketch.insert(v, 1);
    const bins = sketch.binsOut();
    await deliver(await sketchPayloads([{ metric: 'rt.dist', host: 'rt.web.1', tags: ['env:rt'], points: [{ ts: 1_700_000_000, cnt: sketch.cnt, min: sketch.min, max: sketch.max, avg: sketch.sum / sketch.cnt, sum: sketch.sum, ...bins }] }]));
    const [record] = [...store.sketches.get('rt.dist')!.values()][0]!.sketches;
    expect(record).toEqual({ metric: 'rt.dist', host: 'rt.web.1', tags: ['env:rt'], ts: 1_700_000_000, cnt: 1000, min: 1, max: 1000, avg: 500.5, sum: 500_500, k: bins.k, n: bins.n });
    const median = quantile({ cnt: 1000, min: 1, max: 1000, bins: new Map(bins.k.map((k, i) => [k, bins.n[i]!])) }, 0.5);
    expect(Math.abs(median - 500.5) / 500.5).toBeLessThan(1 / 64);
  });

  it('service checks and events', async () => {
    await deliver(await checkRunPayloads([{ check: 'rt.check', host_name: 'rt.web.1', timestamp: 1_700_000_000, status: 1, message: 'meh', tags: ['env:rt'] }]));
    await deliver(await eventPayloads([{ msg_title: 'rt event', msg_text: 'line 1\nline 2', timestamp: 1_700_000_000, priority: 'low', host: 'rt.web.1', tags: ['env:rt'], alert_type: 'warning', aggregation_key: 'rt', source_type_name: 'rtsource' }], 'rt.web.1'));
    expect(store.checks).toEqual([{ check: 'rt.check', host: 'rt.web.1', timestamp: 1_700_000_000, status: 1, message: 'meh', tags: ['env:rt'] }]);
    expect(store.events).toEqual([{ title: 'rt event', text: 'line 1\nline 2', timestamp: 1_700_000_000, priority: 'low', host: 'rt.web.1', tags: ['env:rt'], alertType: 'warning', aggregationKey: 'rt', sourceTypeName: 'rtsource' }]);
  });

  it('an AgentPayload of the trace agent, ids and start beyond 2^53 exact', async () => {
    const span = { service: 'rt-web', name: 'web.request', resource: 'GET /rt', traceId: 0xfedcba9876543210n, spanId: 2n ** 63n + 5n, parentId: 0n, start: 1_700_000_000_123_456_789n, duration: 3_500_000, error: 1, meta: { 'http.status_code': '500' }, metrics: { _top_level: 1, _sampling_priority_v1: 2 }, type: 'web' };
    const body = encodeAgentPayload({ hostName: 'rt.web.1', env: 'rt', tags: {}, agentVersion: '7.81.2', targetTps: 10, errorTps: 10 }, [
      { containerId: '', languageName: 'nodejs', languageVersion: 'v20', tracerVersion: '5.132.0', runtimeId: 'r', env: '', appVersion: '', chunks: [{ priority: 2, origin: '', spans: [span], droppedTrace: false }] },
    ]);
    await deliver([{ path: '/api/v0.2/traces', body: gzipSync(body), contentType: 'application/x-protobuf', contentEncoding: 'gzip', kind: 'traces' }]);
    expect(store.traces.get('18364758544493064720')).toEqual([
      { service: 'rt-web', name: 'web.request', resource: 'GET /rt', traceId: '18364758544493064720', spanId: '9223372036854775813', parentId: '0', start: '1700000000123456789', duration: 3_500_000, error: 1, meta: { 'http.status_code': '500' }, metrics: { _top_level: 1, _sampling_priority_v1: 2 }, type: 'web', env: 'rt', host: 'rt.web.1', language: 'nodejs', tracerVersion: '5.132.0', priority: 2, origin: '' },
    ]);
  });

  it('APM stats of the trace agent (msgpack with int64 fields)', async () => {
    const ok = new LatencySketch();
    ok.add(1e6);
    const body = encodeAgentStats([{ identity: { env: 'rt', version: '1.0', lang: 'nodejs', tracerVersion: '5', runtimeId: 'r' }, start: 1_700_000_000_000_000_000n, groups: [{ service: 'rt-web', name: 'web.request', resource: 'GET /rt', httpStatusCode: 200, type: 'web', spanKind: 'server', synthetics: false, hits: 7, errors: 2, topLevelHits: 7, duration: 9_000_000, okSummary: ok, errorSummary: new LatencySketch() }] }], { hostname: 'rt.web.1', env: 'rt', agentVersion: '7' });
    await deliver([{ path: '/api/v0.2/stats', body: gzipSync(body), contentType: 'application/msgpack', contentEncoding: 'gzip', kind: 'stats' }]);
    expect(store.stats).toEqual([{ hostname: 'rt.web.1', env: 'rt', version: '1.0', language: 'nodejs', start: 1_700_000_000_000_000_000, bucketDuration: 10_000_000_000, service: 'rt-web', name: 'web.request', resource: 'GET /rt', type: 'web', httpStatusCode: 200, hits: 7, errors: 2, topLevelHits: 7, duration: 9_000_000 }]);
  });
});

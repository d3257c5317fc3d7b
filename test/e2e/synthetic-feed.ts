// Payloads shaped like an agent's, for looking at the page before a real agent is around.
import { gzipSync } from 'node:zlib';
import { valueToKey } from '../../src/intake/query/ddsketch.js';
import { agentPayload, sketchPayload } from '../unit/intake/fixtures.js';

async function post(url: string, path: string, body: Uint8Array): Promise<void> {
  const res = await fetch(`${url}${path}`, { method: 'POST', body: new Uint8Array(gzipSync(body)), headers: { 'DD-API-KEY': 'synthetic', 'Content-Encoding': 'gzip' } });
  if (res.status !== 202) throw new Error(`${path}: ${res.status}`);
}

/** Posts 5 minutes of series, sketches, 20 traces, checks and events ending at `now` (unix s). */
export async function feedSynthetic(url: string, now = Math.floor(Date.now() / 1000)): Promise<void> {
  const start = now - (now % 10) - 300;
  const series = [];
  for (const dyno of ['web.1', 'web.2']) {
    const points = [];
    for (let ts = start; ts <= now; ts += 10) points.push([ts, 4 + 3 * Math.sin(ts / 40) + (dyno === 'web.2' ? 1.5 : 0)]);
    series.push({ metric: 'demo.requests', points, tags: [`dyno:${dyno}`, 'env:demo', 'route:/'], host: `demo.${dyno}`, type: 'rate', interval: 10 });
  }
  await post(url, '/api/v1/series', Buffer.from(JSON.stringify({ series })));
  const dogsketches = [];
  for (let ts = start; ts <= now; ts += 10) {
    const values = Array.from({ length: 50 }, (_, i) => 20 + ((i * 37) % 50) * (1 + Math.sin(ts / 60)));
    const bins = new Map<number, number>();
    for (const v of values) bins.set(valueToKey(v), (bins.get(valueToKey(v)) ?? 0) + 1);
    const sum = values.reduce((a, b) => a + b, 0);
    dogsketches.push({ ts, cnt: values.length, min: Math.min(...values), max: Math.max(...values), avg: sum / values.length, sum, k: [...bins.keys()], n: [...bins.values()] });
  }
  await post(url, '/api/beta/sketches', sketchPayload([{ metric: 'demo.response_ms', host: 'demo.web.1', tags: ['env:demo'], dogsketches }]));
  const spans = [];
  for (let i = 1; i <= 20; i++) {
    const t0 = BigInt(now - 60 + i * 2) * 1_000_000_000n;
    const traceId = BigInt(i) * 1_000_003n;
    const base = { traceId, meta: { 'http.method': 'GET', 'http.status_code': i % 7 === 0 ? '500' : '200' }, metrics: { _sampling_priority_v1: 1 }, error: i % 7 === 0 ? 1 : 0 };
    spans.push(
      { ...base, service: 'demo-app', name: 'web.request', resource: i % 3 ? 'GET /' : 'GET /slow', type: 'web', spanId: traceId + 1n, parentId: 0n, start: t0, duration: 12_000_000 + i * 500_000 },
      { ...base, service: 'demo-app', name: 'express.middleware', resource: 'query', type: 'web', spanId: traceId + 2n, parentId: traceId + 1n, start: t0 + 500_000n, duration: 1_000_000, error: 0 },
      { ...base, service: 'demo-app-postgres', name: 'pg.query', resource: 'SELECT * FROM users WHERE id = ?', type: 'sql', spanId: traceId + 3n, parentId: traceId + 1n, start: t0 + 2_000_000n, duration: 6_000_000, error: 0 },
      { ...base, service: 'demo-app-redis', name: 'redis.command', resource: 'GET', type: 'redis', spanId: traceId + 4n, parentId: traceId + 1n, start: t0 + 8_500_000n, duration: 1_500_000, error: 0 },
    );
  }
  await post(url, '/api/v0.2/traces', agentPayload({ hostName: 'demo.web.1', env: 'demo', tracerPayloads: [{ language: 'nodejs', tracerVersion: '5.132.0', chunks: spans.map((s) => ({ priority: 1, origin: '', spans: [s] })) }] }));
  await post(url, '/api/v1/check_run', Buffer.from(JSON.stringify([
    { check: 'datadog.agent.up', host_name: 'demo.web.1', timestamp: now - 20, status: 0, message: '', tags: ['dyno:web.1'] },
    { check: 'demo.db.can_connect', host_name: 'demo.web.1', timestamp: now - 10, status: 1, message: 'slow answer', tags: ['dyno:web.1'] },
  ])));
  await post(url, '/intake/', Buffer.from(JSON.stringify({ events: { api: [{ msg_title: 'demo-app started', msg_text: 'release v42', timestamp: now - 200, alert_type: 'info', host: 'demo.web.1', tags: ['env:demo'] }] } })));
}

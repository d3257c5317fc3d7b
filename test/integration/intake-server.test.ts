import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startIntake, type Intake } from '../../src/intake/server.js';
import { Store } from '../../src/intake/store.js';
import { agentPayload, metricPayload, sketchPayload, statsPayload } from '../unit/intake/fixtures.js';

const KEY = 'test-key-0123456789';

async function post(intake: Intake, path: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(`${intake.url}${path}`, { method: 'POST', body: new Uint8Array(body), headers: { 'DD-API-KEY': KEY, ...headers } });
  return { status: res.status, body: await res.text() };
}

async function get<T>(intake: Intake, path: string): Promise<T> {
  const res = await fetch(`${intake.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const now = 1_700_000_000;

/** One payload of every kind, each under a different Content-Encoding. */
async function postEveryKind(intake: Intake): Promise<void> {
  const results = [
    await post(intake, '/api/v1/series', gzipSync(json({ series: [{ metric: 'demo.requests', points: [[now, 2], [now + 10, 3]], tags: ['env:prod', 'dyno:web.1'], host: 'app.web.1', type: 'rate', interval: 10 }] })), { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' }),
    await post(intake, '/api/v1/series', deflateSync(json({ series: [{ metric: 'demo.requests', points: [[now, 1]], tags: ['env:prod', 'dyno:web.2'], host: 'app.web.2', type: 'rate', interval: 10 }] })), { 'Content-Encoding': 'deflate' }),
    await post(intake, '/api/v2/series', execFileSync('zstd', ['-cq'], { input: metricPayload([{ metric: 'demo.temp', type: 3, host: 'app.web.1', tags: ['env:prod'], points: [{ timestamp: now, value: 21.5 }] }]) }), { 'Content-Encoding': 'zstd', 'Content-Type': 'application/x-protobuf' }),
    await post(intake, '/api/beta/sketches', gzipSync(sketchPayload([{ metric: 'demo.size', host: 'app.web.1', tags: ['env:prod'], dogsketches: [{ ts: now, cnt: 3, min: 1, max: 4, avg: 7 / 3, sum: 7, k: [1338, 1382, 1427], n: [1, 1, 1] }] }])), { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf' }),
    await post(intake, '/api/v1/check_run', json([{ check: 'datadog.agent.up', host_name: 'app.web.1', timestamp: now, status: 0, message: '', tags: [] }])),
    await post(intake, '/intake/?api_key=ignored', json({ events: { api: [{ msg_title: 'Deploy', msg_text: 'v1', timestamp: now, alert_type: 'info' }] } })),
    await post(intake, '/api/v0.2/traces', gzipSync(agentPayload({ hostName: 'app.web.1', env: 'prod', tracerPayloads: [{ language: 'nodejs', tracerVersion: '5', chunks: [{ priority: 1, origin: '', spans: [
      { service: 'web', name: 'web.request', resource: 'GET /', traceId: 77n, spanId: 1n, parentId: 0n, start: BigInt(now) * 1_000_000_000n, duration: 4_000_000, error: 0, meta: {}, metrics: {}, type: 'web' },
      { service: 'web', name: 'db.query', resource: 'SELECT 1', traceId: 77n, spanId: 2n, parentId: 1n, start: BigInt(now) * 1_000_000_000n + 1_000_000n, duration: 2_000_000, error: 1, meta: {}, metrics: {}, type: 'sql' },
    ] }] }] })), { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-protobuf' }),
    await post(intake, '/api/v0.2/stats', gzipSync(statsPayload()), { 'Content-Encoding': 'gzip', 'Content-Type': 'application/msgpack' }),
  ];
  expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202, 202, 202]);
}

describe('intake server', () => {
  let dataDir: string;
  let intake: Intake;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'intake-test-'));
    intake = await startIntake({ store: new Store(dataDir), port: 0 });
  });
  afterEach(async () => {
    await intake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every kind of payload and answers the query API', async () => {
    await postEveryKind(intake);
    const metrics = await get<{ name: string; kind: string; contexts: number }[]>(intake, '/api/query/metrics');
    expect(metrics.map((m) => [m.name, m.kind, m.contexts])).toEqual([
      ['demo.requests', 'series', 2],
      ['demo.size', 'distribution', 1],
      ['demo.temp', 'series', 1],
    ]);
    const series = await get<{ series: { host: string; points: number[][] }[] }>(intake, '/api/query/series?metric=demo.requests&tag=dyno:web.1');
    expect(series.series).toEqual([{ host: 'app.web.1', tags: ['dyno:web.1', 'env:prod'], type: 'rate', interval: 10, points: [[now, 2], [now + 10, 3]] }]);
    const ranged = await get<{ series: { points: number[][] }[] }>(intake, `/api/query/series?metric=demo.requests&from=${now + 5}`);
    expect(ranged.series.map((s) => s.points)).toEqual([[[now + 10, 3]], []]);
    const dist = await get<{ points: { cnt: number; values: number[] }[] }>(intake, '/api/query/distribution?metric=demo.size&percentiles=0,0.5,1');
    expect(dist.points).toHaveLength(1);
    expect(dist.points[0]!.cnt).toBe(3);
    expect(dist.points[0]!.values[0]).toBe(1);
    expect(dist.points[0]!.values[2]).toBe(4);
    const traces = await get<{ traceId: string; service: string; name: string; spans: number; errors: number; duration: number }[]>(intake, '/api/query/traces?service=web');
    expect(traces).toEqual([expect.objectContaining({ traceId: '77', service: 'web', name: 'web.request', spans: 2, errors: 1, duration: 4 })]);
    const trace = await get<{ spanList: { spanId: string }[] }>(intake, '/api/query/traces/77');
    expect(trace.spanList.map((s) => s.spanId)).toEqual(['1', '2']);
    expect((await fetch(`${intake.url}/api/query/traces/78`)).status).toBe(404);
    expect(await get(intake, '/api/query/services')).toEqual([{ service: 'web', traces: 1, spans: 2 }]);
    expect(await get<{ check: string }[]>(intake, '/api/query/checks')).toEqual([expect.objectContaining({ check: 'datadog.agent.up', status: 0 })]);
    expect(await get<{ title: string }[]>(intake, '/api/query/events')).toEqual([expect.objectContaining({ title: 'Deploy' })]);
    expect(await get<{ hits: number }[]>(intake, '/api/query/stats')).toEqual([expect.objectContaining({ service: 'web', hits: 12 })]);
    const summary = await get<Record<string, unknown>>(intake, '/api/query/summary');
    expect(summary).toMatchObject({ metrics: { names: 2, contexts: 3, points: 4 }, distributions: { names: 1, sketches: 1 }, traces: { traces: 1, spans: 2, services: ['web'] }, checks: 1, events: 1, stats: 1 });
  });

  it('refuses a missing API key with 403 and bad bodies with 400, and keeps serving', async () => {
    const noKey = await fetch(`${intake.url}/api/v1/series`, { method: 'POST', body: json({ series: [] }) });
    expect(noKey.status).toBe(403);
    expect((await fetch(`${intake.url}/api/v1/validate`)).status).toBe(403);
    expect((await fetch(`${intake.url}/api/v1/validate`, { headers: { 'DD-API-KEY': KEY } })).status).toBe(200);
    const bad = [
      await post(intake, '/api/v1/series', Buffer.from('{"series":')),
      await post(intake, '/api/v1/series', Buffer.from('not gzip'), { 'Content-Encoding': 'gzip' }),
      await post(intake, '/api/v2/series', Buffer.from('not zstd'), { 'Content-Encoding': 'zstd' }),
      await post(intake, '/api/v1/series', json({ series: [] }), { 'Content-Encoding': 'br' }),
      await post(intake, '/api/beta/sketches', Buffer.from([0x0a, 0xff, 0xff, 0x01])),
      await post(intake, '/api/v0.2/traces', Buffer.from([0x2a, 0x05, 0x01])),
      await post(intake, '/api/v0.2/stats', Buffer.from([0xc1, 0xc1])),
      await post(intake, '/api/v1/check_run', json({ not: 'a list' })),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 400]);
    expect(bad[0]!.body).toContain('not JSON');
    expect(bad[0]!.body).not.toContain(KEY);
    await postEveryKind(intake);
    const summary = await get<{ rejected: Record<string, number>; checks: number }>(intake, '/api/query/summary');
    expect(summary.checks).toBe(1);
    expect(summary.rejected).toMatchObject({ '/api/v1/series 403': 1, '/api/v1/series 400': 3, '/api/v0.2/traces 400': 1 });
  });

  it('accepts only the key it was given with --api-key, and never echoes a key', async () => {
    const strict = await startIntake({ store: new Store(undefined), port: 0, apiKey: KEY });
    try {
      const wrong = await fetch(`${strict.url}/api/v1/check_run`, { method: 'POST', headers: { 'DD-API-KEY': 'not-the-key-4242' }, body: json([]) });
      expect(wrong.status).toBe(403);
      expect(await wrong.text()).not.toContain('4242');
      expect((await post(strict, '/api/v1/check_run', json([]))).status).toBe(202);
    } finally {
      await strict.close();
    }
  });

  it('acknowledges other agent endpoints without storing them', async () => {
    expect((await post(intake, '/api/v1/metadata', json({ any: 'thing' }))).status).toBe(202);
    const summary = await get<{ endpoints: Record<string, { payloads: number; items: number }> }>(intake, '/api/query/summary');
    expect(summary.endpoints['/api/v1/metadata']).toEqual({ payloads: 1, bytes: 15, items: 0 });
  });

  it('streams a summary on the live feed after each append', async () => {
    const res = await fetch(`${intake.url}/api/query/live`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const next = async (): Promise<string> => {
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      const event = text.slice(0, text.indexOf('\n\n'));
      text = text.slice(text.indexOf('\n\n') + 2);
      return event;
    };
    expect(await next()).toContain('"checks":0');
    await post(intake, '/api/v1/check_run', json([{ check: 'live', status: 0 }]));
    const event = await next();
    expect(event).toMatch(/^event: summary\ndata: /);
    expect(JSON.parse(event.slice(event.indexOf('data: ') + 6))).toMatchObject({ checks: 1 });
    await reader.cancel();
  });

  it('reloads everything after a restart', async () => {
    await postEveryKind(intake);
    const before = await get<unknown>(intake, '/api/query/summary');
    await intake.close();
    intake = await startIntake({ store: new Store(dataDir), port: 0 });
    expect(await get<unknown>(intake, '/api/query/summary')).toEqual(before);
    expect((await get<unknown[]>(intake, '/api/query/traces/77')) as unknown).toMatchObject({ spans: 2 });
  });
});

describe('intake command (lib/intake.js)', () => {
  it('serves on the port asked, reloads its data folder, stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'intake-cli-'));
    const run = async () => {
      const child = spawn(process.execPath, ['lib/intake.js', '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`intake exited with ${code}: ${out}`)));
      });
      return { child, url, output: () => out };
    };
    try {
      const first = await run();
      expect((await fetch(`${first.url}/%E0%A4%A`)).status).toBe(404);
      expect((await fetch(`${first.url}/..%2f..%2fpackage.json`)).status).toBe(404);
      const page = await fetch(`${first.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>');
      const res = await fetch(`${first.url}/api/v1/check_run`, { method: 'POST', headers: { 'DD-API-KEY': KEY }, body: json([{ check: 'c', status: 1 }]) });
      expect(res.status).toBe(202);
      const exited = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(first.output()).toContain('Intake stopped');

      const second = await run();
      expect(second.output()).toContain('1 payloads reloaded');
      expect(await (await fetch(`${second.url}/api/query/checks`)).json()).toEqual([{ check: 'c', host: '', timestamp: 0, status: 1, message: '', tags: [] }]);
      second.child.kill('SIGTERM');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// The built-in trace agent end to end with hand-built payloads: v0.4/v0.5/JSON decoding, edge cases,
// size caps, malformed bodies, overload, forwarding to a recording intake and flush on stop.
import { encode } from '@msgpack/msgpack';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import type { TraceAgent } from '../../src/agent/apm/index.js';
import { API_KEY, get, openPost, post, span, spansOf, startTraceAgent, statsOf, until } from './apm-harness.js';

const msgpack = (value: unknown): Uint8Array => encode(value, { useBigInt64: true });
const BIG_TRACE_ID = 2n ** 64n - 3n; // above 2^53 and above 2^63
const BIG_SPAN_ID = 9_007_199_254_740_993n; // 2^53 + 1: a double would round it

let intake: RecordingIntake;
let agent: TraceAgent;
let logs: string[];

beforeEach(async () => {
  intake = await startRecordingIntake();
});

afterEach(async () => {
  await agent?.stop(Date.now() + 2000);
  await intake.close();
});

async function start(env: Record<string, string> = {}, extra = {}): Promise<void> {
  ({ agent, logs } = startTraceAgent(intake, env, extra));
  await agent.start();
}

describe('trace intake', () => {
  it('forwards a v0.4 msgpack trace with 64-bit ids intact, to the AgentPayload endpoint with the key and languages', async () => {
    await start();
    const root = span({ trace_id: BIG_TRACE_ID, span_id: BIG_SPAN_ID, meta: { env: 'test', version: '1.2.3' } });
    const child = span({ trace_id: BIG_TRACE_ID, span_id: 2n ** 63n + 7n, parent_id: BIG_SPAN_ID, name: 'pg.query', resource: 'SELECT 1', type: 'sql', metrics: {} });
    const reply = await post(agent.port, '/v0.4/traces', msgpack([[root, child]]), { 'X-Datadog-Trace-Count': '1', 'Datadog-Meta-Tracer-Version': '5.0.0' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).rate_by_service['service:,env:']).toBe(1);
    expect(reply.headers['datadog-agent-state']).toMatch(/^[0-9a-f]{64}$/);

    const spans = await intake.waitFor(() => (spansOf(intake).length === 2 ? spansOf(intake) : undefined));
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName['http.request']!.traceId).toBe(BIG_TRACE_ID.toString());
    expect(byName['http.request']!.spanId).toBe(BIG_SPAN_ID.toString());
    expect(byName['pg.query']!.spanId).toBe((2n ** 63n + 7n).toString());
    expect(byName['pg.query']!.parentId).toBe(BIG_SPAN_ID.toString());
    expect(byName['http.request']!.host).toBe('myapp.web.1');
    expect(byName['http.request']!.env).toBe('test');
    expect(byName['http.request']!.language).toBe('nodejs');
    expect(byName['http.request']!.tracerVersion).toBe('5.0.0');
    expect(byName['http.request']!.metrics._top_level).toBe(1);
    expect(byName['pg.query']!.metrics._top_level).toBeUndefined();

    const request = intake.accepted('/api/v0.2/traces')[0]!;
    expect(request.headers['dd-api-key']).toBe(API_KEY);
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers['x-datadog-reported-languages']).toBe('nodejs');
  });

  it('reads v0.5 string-table payloads and v0.3/v0.4 JSON with exact big ids', async () => {
    await start();
    const strings = ['', 'worker', 'job.run', 'nightly', 'env', 'test', 'custom'];
    const v05 = [strings, [[[1, 2, 3, BIG_TRACE_ID, 5n, 0n, BigInt(Date.now()) * 1_000_000n, 2_000_000n, 0, { 4: 5 }, { 0: 0 }, 6]]]];
    expect((await post(agent.port, '/v0.5/traces', msgpack(v05))).status).toBe(200);
    const json = `[[{"service":"jsonsvc","name":"json.op","resource":"r","trace_id":18446744073709551610,"span_id":9007199254740993,"parent_id":0,"start":${Date.now()}000000,"duration":1000,"meta":{"env":"test"},"metrics":{"_sampling_priority_v1":1}}]]`;
    const reply = await post(agent.port, '/v0.3/traces', json, { 'Content-Type': 'application/json' });
    expect(reply).toMatchObject({ status: 200, body: 'OK\n' });

    const spans = await intake.waitFor(() => (spansOf(intake).length === 2 ? spansOf(intake) : undefined));
    const worker = spans.find((s) => s.service === 'worker')!;
    expect(worker).toMatchObject({ name: 'job.run', resource: 'nightly', type: 'custom', traceId: BIG_TRACE_ID.toString(), spanId: '5', duration: 2_000_000 });
    expect(worker.meta.env).toBe('test');
    const fromJson = spans.find((s) => s.service === 'jsonsvc')!;
    expect(fromJson.traceId).toBe('18446744073709551610');
    expect(fromJson.spanId).toBe('9007199254740993');
  });

  it('fills missing fields with the trace-agent defaults and replaces invalid UTF-8', async () => {
    await start();
    const invalid = Uint8Array.from([0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0x2f]); // "GET \xff\xfe/"
    const bare = { trace_id: 77n, span_id: 78n, start: 0n, duration: -5, resource: invalid, meta: { 'http.status_code': 'nope' } };
    const reply = await post(agent.port, '/v0.4/traces', msgpack([[bare]]), { 'Datadog-Meta-Lang': 'python' });
    expect(reply.status).toBe(200);
    const [s] = await intake.waitFor(() => (spansOf(intake).length === 1 ? spansOf(intake) : undefined));
    expect(s!.service).toBe('unnamed-python-service');
    expect(s!.name).toBe('unnamed_operation');
    expect(s!.resource).toBe('GET \uFFFD/');
    expect(s!.duration).toBe(0);
    expect(BigInt(s!.start)).toBeGreaterThan(946_684_800_000_000_000n);
    expect(s!.meta['http.status_code']).toBeUndefined();
  });

  it('drops traces with a zero trace or span id and counts them', async () => {
    await start();
    const reply = await post(agent.port, '/v0.4/traces', msgpack([[span({ trace_id: 0n })], [span({ span_id: 0n })], [span({ trace_id: 9n, span_id: 9n })]]));
    expect(reply.status).toBe(200);
    await intake.waitFor(() => spansOf(intake).length === 1);
    expect(agent.status()).toMatchObject({ dropped: { trace_id_zero: 1, span_id_zero: 1 } });
  });

  it('answers 413 over DD_APM_MAX_PAYLOAD_SIZE and 400 for garbage, counts both, and keeps serving', async () => {
    await start({ DD_APM_MAX_PAYLOAD_SIZE: '100000' });
    const huge = msgpack([[span({ resource: 'x'.repeat(150_000) })]]);
    expect((await post(agent.port, '/v0.4/traces', huge)).status).toBe(413);
    expect((await post(agent.port, '/v0.4/traces', Uint8Array.from([0xc1, 0x00, 0xff]))).status).toBe(400);
    expect((await post(agent.port, '/v0.4/traces', msgpack({ not: 'an array' }))).status).toBe(400);
    expect((await post(agent.port, '/v0.4/traces', msgpack([['not a span']]))).status).toBe(400);
    expect((await post(agent.port, '/v0.5/traces', msgpack([['a'], [[[9, 0, 0, 1n, 1n, 0n, 1n, 1n, 0, {}, {}, 0]]]]))).status).toBe(400);
    expect((await post(agent.port, '/v0.4/traces', '[[{"trace_id": "x"', { 'Content-Type': 'application/json' })).status).toBe(400);
    expect((await post(agent.port, '/v0.4/traces', msgpack([[span()]]))).status).toBe(200);
    expect(agent.status()).toMatchObject({ dropped: { payload_too_large: 1, decoding_error: 5 } });
    await intake.waitFor(() => spansOf(intake).length === 1);
  });

  it('keeps per-language counters bounded whatever clients put in Datadog-Meta-Lang', async () => {
    await start();
    for (let i = 0; i < 40; i++) {
      await post(agent.port, '/v0.4/traces', msgpack([[span({ trace_id: BigInt(i + 1), span_id: 1n })]]), { 'Datadog-Meta-Lang': `lang\t${i}` });
    }
    const received = (agent.status() as { receivedByLanguage: Record<string, { traces: number }> }).receivedByLanguage;
    expect(Object.keys(received)).toHaveLength(33);
    expect(received.lang0).toEqual(expect.objectContaining({ traces: 1 }));
    expect(received.other!.traces).toBe(8);
  });

  it('serves /info, answers /v0.7/config as disabled and accepts telemetry', async () => {
    await start();
    const info = await get(agent.port, '/info');
    expect(info.status).toBe(200);
    const doc = JSON.parse(info.body);
    expect(doc.endpoints).toEqual(expect.arrayContaining(['/v0.4/traces', '/v0.5/traces', '/v0.6/stats']));
    expect(doc.client_drop_p0s).toBe(true);
    expect(doc.config.receiver_port).toBe(agent.port);
    expect(info.headers['datadog-agent-state']).toMatch(/^[0-9a-f]{64}$/);
    expect((await post(agent.port, '/v0.7/config', '{}', { 'Content-Type': 'application/json' })).status).toBe(404);
    expect((await post(agent.port, '/telemetry/proxy/api/v2/apmtelemetry', '{"x":1}')).status).toBe(202);
    expect((await get(agent.port, '/v0.4/traces')).status).toBe(405);
    expect(JSON.stringify(agent.status())).not.toContain(API_KEY);
    expect(logs.join('')).not.toContain(API_KEY);
  });

  it('stays out of the way when disabled, and when its port is taken it reports why instead of failing the agent', async () => {
    const disabled = startTraceAgent(intake, { DD_APM_ENABLED: 'false' }).agent;
    await disabled.start();
    expect(disabled.port).toBe(0);
    expect(disabled.status()).toEqual({ enabled: false });
    await disabled.stop(Date.now() + 1000);

    await start();
    const second = startTraceAgent(intake, { DD_APM_RECEIVER_PORT: String(agent.port) });
    await second.agent.start();
    expect(second.agent.status()).toMatchObject({ enabled: true, running: false, error: expect.stringContaining('EADDRINUSE') });
    expect(second.logs.join('')).toContain('APM disabled: cannot listen on 127.0.0.1:');
    await second.agent.stop(Date.now() + 1000);
    expect((await post(agent.port, '/v0.4/traces', msgpack([[span()]]))).status).toBe(200);
  });

  it('retries 5xx answers of the intake and delivers', async () => {
    intake.fail('/api/v0.2/traces', 500, 503, 'close');
    await start();
    await post(agent.port, '/v0.4/traces', msgpack([[span({ trace_id: 42n, span_id: 42n })]]));
    const spans = await intake.waitFor(() => (spansOf(intake).length === 1 ? spansOf(intake) : undefined));
    expect(spans[0]!.traceId).toBe('42');
    expect(intake.requests.filter((r) => r.path === '/api/v0.2/traces')).toHaveLength(4);
  });

  it('delivers what is buffered when stopped', async () => {
    await start({}, { flushIntervalMs: 3_600_000 });
    for (let i = 1; i <= 20; i++) {
      await post(agent.port, '/v0.4/traces', msgpack([[span({ trace_id: BigInt(i), span_id: BigInt(i) })]]));
    }
    expect(spansOf(intake)).toHaveLength(0);
    await agent.stop(Date.now() + 5000);
    expect(spansOf(intake)).toHaveLength(20);
  });
});

describe('sampling and stats', () => {
  it('drops unkept traces, keeps errors and user-kept ones, and answers rates aimed at DD_APM_MAX_TPS', async () => {
    const now = Date.now();
    await start({ DD_APM_MAX_TPS: '5' }, { now: () => now });
    const traces = [
      [span({ trace_id: 1n, span_id: 1n, metrics: { _sampling_priority_v1: 0 } })],
      [span({ trace_id: 2n, span_id: 2n, metrics: { _sampling_priority_v1: 0 }, error: 1 })],
      [span({ trace_id: 3n, span_id: 3n, metrics: { _sampling_priority_v1: 2 } })],
      [span({ trace_id: 4n, span_id: 4n, metrics: { _sampling_priority_v1: -1 } })],
    ];
    // 200 more kept traces of one service within the window: 20 traces/s against a target of 5.
    const busy = Array.from({ length: 200 }, (_, i) => [span({ service: 'busy', trace_id: BigInt(100 + i), span_id: BigInt(100 + i) })]);
    const reply = await post(agent.port, '/v0.4/traces', msgpack([...traces, ...busy]));
    expect(JSON.parse(reply.body).rate_by_service).toMatchObject({ 'service:busy,env:test': 0.25, 'service:web,env:test': 1, 'service:,env:': 1 });
    const spans = await intake.waitFor(() => (spansOf(intake).length === 202 ? spansOf(intake) : undefined));
    expect(spans.filter((s) => s.service === 'web').map((s) => s.traceId).sort()).toEqual(['2', '3']);
    expect(agent.status()).toMatchObject({ dropped: { sampled_out: 2 }, keptByDecision: { priority: 201, error: 1 } });
  });

  it('computes stats from every trace, sampled out or not, unless the tracer computed them', async () => {
    await start();
    await post(agent.port, '/v0.4/traces', msgpack([[span({ trace_id: 1n, span_id: 1n, metrics: { _sampling_priority_v1: 0 } })], [span({ trace_id: 2n, span_id: 2n })]]));
    await post(agent.port, '/v0.4/traces', msgpack([[span({ service: 'self-stats', trace_id: 3n, span_id: 3n })]]), { 'Datadog-Client-Computed-Stats': 'yes' });
    const clientStats = { Hostname: '', Env: 'prod', Version: '2', Stats: [{ Start: 1_700_000_000_000_000_000n, Duration: 10_000_000_000n, Stats: [{ Service: 'self-stats', Name: 'op', Resource: 'r', HTTPStatusCode: 200, Type: 'web', Hits: 7n, Errors: 1n, Duration: 99n, TopLevelHits: 7n }] }] };
    expect((await post(agent.port, '/v0.6/stats', msgpack(clientStats))).status).toBe(200);
    expect((await post(agent.port, '/v0.6/stats', Uint8Array.from([0xc1]))).status).toBe(400);
    await agent.stop(Date.now() + 5000);
    const stats = statsOf(intake);
    const web = stats.filter((r) => r.service === 'web');
    expect(web.reduce((n, r) => n + r.hits, 0)).toBe(2);
    const self = stats.filter((r) => r.service === 'self-stats');
    expect(self).toHaveLength(1);
    expect(self[0]).toMatchObject({ hits: 7, errors: 1, env: 'prod', version: '2', language: 'nodejs' });
    const requests = intake.accepted('/api/v0.2/stats');
    expect(requests.every((r) => r.headers['content-encoding'] === 'gzip' && r.headers['dd-api-key'] === API_KEY)).toBe(true);
  });
});

describe('overload', () => {
  it('bounds the bytes held under a flood of concurrent connections; refuses with 200, or 429 when asked', async () => {
    const maxBufferedBytes = 2 * 1024 * 1024;
    await start({ DD_APM_MAX_PAYLOAD_SIZE: '1048576' }, { maxBufferedBytes, maxConcurrentRequests: 8 });
    const payload = msgpack([Array.from({ length: 600 }, (_, i) => span({ trace_id: 5n, span_id: BigInt(i + 1), resource: `r${'y'.repeat(600)}` }))]);
    expect(payload.length).toBeGreaterThan(300_000);
    const open = Array.from({ length: 120 }, (_, i) =>
      openPost(agent.port, '/v0.4/traces', payload, i % 2 === 0 ? { 'Datadog-Send-Real-Http-Status': 'true' } : {}),
    );
    // Every request has sent its headers and half its body before any finishes: a real flood.
    await until(() => {
      const s = agent.status() as { receiver: { activeRequests: number; refusedOverload: number } };
      return s.receiver.activeRequests + s.receiver.refusedOverload === 120;
    });
    const replies = await Promise.all(open.map((r) => r.finish()));
    const statuses = replies.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // Refused without the header: still 200 with rates, as the trace-agent answers by default.
    expect(replies.filter((_reply, i) => i % 2 === 1).every((r) => r.status === 200 && JSON.parse(r.body).rate_by_service)).toBe(true);
    const status = agent.status() as { receiver: { peakBufferedBytes: number; refusedOverload: number }; dropped: { overloaded: number } };
    expect(status.receiver.peakBufferedBytes).toBeLessThanOrEqual(maxBufferedBytes + 1_048_576);
    expect(status.receiver.refusedOverload).toBe(status.dropped.overloaded);
    expect(status.dropped.overloaded).toBeGreaterThan(0);
    // Still serving afterwards.
    expect((await post(agent.port, '/v0.4/traces', msgpack([[span({ trace_id: 6n, span_id: 6n })]]))).status).toBe(200);
  });
});

// End to end, as a user instrumented with OpenTelemetry only would see it: examples/otel-app compiled
// by the real bin/compile in the builtin flavour, booted like a dyno with both OTLP receivers on, the
// app's own OTLP/HTTP protobuf export, and known values sent by the OpenTelemetry JS SDK's exporters
// over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC (test/fixtures/otel-sender, a process with the
// dyno's environment). The agent's OTLP options are the defaults (initial_cumulative_monotonic_value=auto).
// After the dyno's SIGTERM, the intake holds every counter, gauge, histogram and span with the values
// sent and the dyno's tags.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WireType } from '@bufbuild/protobuf/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDyno, restartSignal, waitForWeb, type Dyno } from '../../scripts/demo/dyno.js';
import { buildSlug } from '../../scripts/demo/slug.js';
import type { Serie } from '../../src/agent/aggregator/payloads.js';
import { BUILDPACK_VERSION } from '../../src/constants.js';
import { readFields, readString } from '../../src/intake/payloads/protobuf.js';
import { decodeSketches } from '../../src/intake/payloads/sketches.js';
import { decodeAgentPayload } from '../../src/intake/payloads/traces.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { freePort } from './agent-harness.js';
import { spansOf } from './apm-harness.js';

const repo = join(import.meta.dirname, '../..');
const DYNO_TAGS = ['dyno:web.1', 'dynotype:web', 'appname:otel-shop', `buildpackversion:${BUILDPACK_VERSION}`];
/** A process with the dyno's environment sending known values through three exporter pairs. */
const SENDER = join(repo, 'test/fixtures/otel-sender/send.mjs');
/** Its pairs, each its own service.name and metric prefix: OTLP/HTTP protobuf (cumulative), OTLP/HTTP JSON and OTLP/gRPC (delta). */
const SENDERS = ['proto', 'json', 'grpc'] as const;

/** AgentPayload.tags (field 6, a map), where the trace agent puts the dyno's tags; the intake's span records leave them out. */
function payloadTags(body: Uint8Array): string[] {
  const tags: string[] = [];
  readFields(body, 'AgentPayload', (field, wireType, reader) => {
    if (field !== 6 || wireType !== WireType.LengthDelimited) return false;
    const entry = { key: '', value: '' };
    readFields(reader.bytes(), 'AgentPayload.tags', (f, w, r) => {
      if (f === 1) entry.key = readString(r, w, 'key');
      else if (f === 2) entry.value = readString(r, w, 'value');
      else return false;
      return true;
    });
    tags.push(entry.value === '' ? entry.key : `${entry.key}:${entry.value}`);
    return true;
  });
  return tags;
}

describe('OpenTelemetry SDK exporters to a compiled builtin dyno', () => {
  let work: string;
  let intake: RecordingIntake;
  let dyno: Dyno;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'otlp-dyno-'));
    const slug = join(work, 'slug');
    intake = await startRecordingIntake();
    const build = await buildSlug(repo, 'otel-app', slug, join(work, 'cache'), join(work, 'env'), { DD_AGENT_FLAVOR: 'builtin' });
    expect(build.ok, build.output).toBe(true);
    const [web, statsd, apm, cmd] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const [http, grpc] = [await freePort(), await freePort()];
    const env = {
      DYNO: 'web.1',
      PORT: String(web),
      HEROKU_APP_NAME: 'otel-shop',
      DD_API_KEY: 'e2e0otlp00000000000000000000000a',
      DD_DD_URL: intake.url,
      DD_APM_DD_URL: intake.url,
      DD_DOGSTATSD_PORT: String(statsd),
      DD_APM_RECEIVER_PORT: String(apm),
      DD_CMD_PORT: String(cmd),
      DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: `localhost:${http}`,
      DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT: `localhost:${grpc}`,
    };
    dyno = bootDyno(slug, 'node server.js', env, join(work, 'dyno.log'));
    // agent-wrapper holds the app back until the OTLP ports listen: the first export is never refused.
    await waitForWeb(web, dyno);
    // waitForWeb's probe was one GET / already.
    for (const route of ['/', '/slow', '/error']) expect((await fetch(`http://127.0.0.1:${web}${route}`)).ok || route === '/error').toBe(true);
    expect((await fetch(`http://127.0.0.1:${http}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: 'not a protobuf' })).status).toBe(400);
    // The agent still serves after the garbage: the sender's exports to the same port must all succeed.
    await promisify(execFile)(process.execPath, [SENDER], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000, killSignal: 'SIGKILL' });
    // A restart: the app's SDK flushes on SIGTERM, the agent flushes everything before it exits.
    const stopped = await restartSignal(dyno, 25_000);
    expect(stopped.killed, 'nothing needed SIGKILL').toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (dyno !== undefined && dyno.pids().length > 0) await restartSignal(dyno, 5_000);
    await intake?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const series = () => intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: Serie[] }>().series);
  const sketches = () => intake.accepted('/api/beta/sketches').flatMap((r) => decodeSketches(r.body));
  const total = (metric: string) => series().filter((s) => s.metric === metric).reduce((n, s) => n + s.points.reduce((m, [, v]) => m + v, 0), 0);

  it.each(SENDERS)('maps the %s exporter counter, gauge and histogram with the values sent and the dyno tags', (name) => {
    const counts = series().filter((s) => s.metric === `e2e.${name}.orders`);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((s) => s.type === 'count')).toBe(true);
    expect(total(`e2e.${name}.orders`)).toBe(7);
    const gauge = series().find((s) => s.metric === `e2e.${name}.queue`);
    expect(gauge?.type).toBe('gauge');
    expect(gauge?.points.map(([, v]) => v)).toEqual([42]);
    const histogram = sketches().filter((s) => s.metric === `e2e.${name}.latency`);
    expect(histogram).toHaveLength(1);
    // Cumulative (proto) too: its min went down and its max up since the first point, so both are this interval's.
    expect(histogram[0]).toMatchObject({ cnt: 4, sum: 106, min: 1, max: 100 });
    for (const s of [counts[0]!, gauge!, histogram[0]!]) {
      expect(s.tags).toEqual(expect.arrayContaining([...DYNO_TAGS, 'shop:main', `service:e2e-${name}`, 'env:staging', 'version:v42']));
      expect(s.host).toBe(series().find((x) => x.metric === 'datadog.agent.running')?.host);
    }
  });

  it.each(SENDERS)('maps the %s exporter spans to Datadog spans through the trace agent', (name) => {
    const spans = spansOf(intake).filter((s) => s.service === `e2e-${name}`);
    expect(spans).toHaveLength(3);
    const root = spans.find((s) => s.parentId === '0')!;
    const child = spans.find((s) => s.parentId === root.spanId)!;
    const client = spans.find((s) => s.parentId === child?.spanId)!;
    expect(root).toMatchObject({ name: 'http.server.request', resource: 'GET /orders', type: 'web', error: 1, env: 'staging' });
    expect(root.meta).toMatchObject({ 'http.method': 'GET', 'http.route': '/orders', 'error.msg': 'out of stock', version: 'v42', 'span.kind': 'server' });
    expect(root.metrics['http.status_code']).toBe(500);
    expect(root.host).toBe(series().find((x) => x.metric === 'datadog.agent.running')?.host);
    expect(child).toMatchObject({ name: 'Internal', resource: 'load orders', type: 'custom', error: 0 });
    expect(client).toMatchObject({ name: 'http.client.request', resource: 'GET', type: 'http', error: 0 });
    expect(client.meta['span.kind']).toBe('client');
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    // The 128-bit trace id: the low half is the Datadog trace id, the high half in _dd.p.tid.
    const otelTraceId = root.meta['otel.trace_id']!;
    expect(otelTraceId).toMatch(/^[0-9a-f]{32}$/);
    expect(BigInt(`0x${otelTraceId.slice(16)}`).toString()).toBe(root.traceId);
    expect(root.meta['_dd.p.tid']).toBe(otelTraceId.slice(0, 16));
  });

  it('sends the spans in payloads tagged with the dyno tags, as /v0.4 traces are', () => {
    const payloads = intake.accepted('/api/v0.2/traces').filter((r) => decodeAgentPayload(r.body).some((s) => s.service.startsWith('e2e-')));
    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) expect(payloadTags(payload.body)).toEqual(expect.arrayContaining(DYNO_TAGS));
  });

  it("carries the app's own OTLP export, flushed at SIGTERM: every request counted, every request traced", () => {
    expect(total('demo.otel.requests')).toBe(4);
    expect(total('demo.otel.inflight')).toBe(0);
    expect(series().find((s) => s.metric === 'demo.otel.requests')?.tags).toEqual(expect.arrayContaining([...DYNO_TAGS, 'service:demo-otel']));
    expect(sketches().filter((s) => s.metric === 'demo.otel.latency').reduce((n, s) => n + s.cnt, 0)).toBe(4);
    const servers = spansOf(intake).filter((s) => s.service === 'demo-otel' && s.parentId === '0');
    expect(servers.map((s) => s.resource).sort()).toEqual(['GET /', 'GET /', 'GET /error', 'GET /slow']);
    expect(servers.filter((s) => s.error === 1).map((s) => s.resource)).toEqual(['GET /error']);
  });
});

// End to end, as a user instrumented with OpenTelemetry only would see it: examples/otel-app compiled
// by the real bin/compile in the builtin flavour, booted like a dyno with both OTLP receivers on, the
// app's own OTLP/HTTP protobuf export, and known values sent by the OpenTelemetry JS SDK's exporters
// over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC. After the dyno's SIGTERM, the intake holds
// every counter, gauge, histogram and span with the values sent and the dyno's tags.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDyno, restartSignal, waitForWeb, type Dyno } from '../../scripts/demo/dyno.js';
import { buildSlug } from '../../scripts/demo/slug.js';
import type { Serie } from '../../src/agent/aggregator/payloads.js';
import { decodeSketches } from '../../src/intake/payloads/sketches.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { freePort } from './agent-harness.js';
import { spansOf } from './apm-harness.js';

const repo = join(import.meta.dirname, '../..');
const DYNO_TAGS = ['dyno:web.1', 'dynotype:web', 'appname:otel-shop'];

interface Sender {
  readonly name: 'proto' | 'json' | 'grpc';
  readonly metrics: (url: string) => PushMetricExporter;
  readonly traces: (url: string) => SpanExporter;
}

// The SDK's default (cumulative) for protobuf, the delta temporality Datadog recommends for the others.
const DELTA = { temporalityPreference: AggregationTemporalityPreference.DELTA };
const SENDERS: readonly Sender[] = [
  { name: 'proto', metrics: (url) => new ProtoMetricExporter({ url: `${url}/v1/metrics` }), traces: (url) => new ProtoTraceExporter({ url: `${url}/v1/traces` }) },
  { name: 'json', metrics: (url) => new JsonMetricExporter({ url: `${url}/v1/metrics`, ...DELTA }), traces: (url) => new JsonTraceExporter({ url: `${url}/v1/traces` }) },
  { name: 'grpc', metrics: (url) => new GrpcMetricExporter({ url, ...DELTA }), traces: (url) => new GrpcTraceExporter({ url }) },
];

/**
 * Known values through one exporter pair: a counter 3 + 4, a gauge 42, a histogram [1, 2, 3, 100], a
 * server span with a child. A cumulative histogram's first point is only the base of the next delta
 * (as in the Datadog mapping), so with cumulative temporality one value is exported first, then the four.
 */
async function send(sender: Sender, url: string): Promise<void> {
  const resource = resourceFromAttributes({ 'service.name': `e2e-${sender.name}`, 'deployment.environment': 'staging', 'service.version': 'v42' });
  const reader = new PeriodicExportingMetricReader({ exporter: sender.metrics(url), exportIntervalMillis: 3_600_000 });
  const meters = new MeterProvider({ resource, readers: [reader] });
  const meter = meters.getMeter('e2e');
  const orders = meter.createCounter(`e2e.${sender.name}.orders`);
  orders.add(3, { shop: 'main' });
  orders.add(4, { shop: 'main' });
  meter.createObservableGauge(`e2e.${sender.name}.queue`).addCallback((result) => result.observe(42, { shop: 'main' }));
  const latency = meter.createHistogram(`e2e.${sender.name}.latency`, { unit: 'ms' });
  if (sender.name === 'proto') {
    latency.record(50, { shop: 'main' });
    await meters.forceFlush();
  }
  for (const value of [1, 2, 3, 100]) latency.record(value, { shop: 'main' });
  await meters.forceFlush();
  await meters.shutdown();

  const tracers = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(sender.traces(url))] });
  const tracer = tracers.getTracer('e2e');
  const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders', 'http.response.status_code': 500 } });
  const child = tracer.startSpan('load orders', { kind: SpanKind.INTERNAL }, trace.setSpan(context.active(), root));
  child.end();
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'out of stock' });
  root.end();
  await tracers.forceFlush();
  await tracers.shutdown();
}

describe('OpenTelemetry SDK exporters to a compiled builtin dyno', () => {
  let work: string;
  let intake: RecordingIntake;
  let dyno: Dyno;
  let http: number;
  let grpc: number;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'otlp-dyno-'));
    const slug = join(work, 'slug');
    intake = await startRecordingIntake();
    const build = await buildSlug(repo, 'otel-app', slug, join(work, 'cache'), join(work, 'env'), { DD_AGENT_FLAVOR: 'builtin' });
    expect(build.ok, build.output).toBe(true);
    const [web, statsd, apm, cmd] = [await freePort(), await freePort(), await freePort(), await freePort()];
    [http, grpc] = [await freePort(), await freePort()];
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
      // The first cumulative point counts whatever its series' start time says: the SDK's clock
      // (timeOrigin + performance.now()) may lag the agent's wall clock in a long-lived test worker.
      DD_OTLP_CONFIG_METRICS_SUMS_INITIAL_CUMULATIVE_MONOTONIC_VALUE: 'keep',
    };
    dyno = bootDyno(slug, 'node server.js', env, join(work, 'dyno.log'));
    // agent-wrapper holds the app back until the OTLP ports listen: the first export is never refused.
    await waitForWeb(web, dyno);
    // waitForWeb's probe was one GET / already.
    for (const route of ['/', '/slow', '/error']) expect((await fetch(`http://127.0.0.1:${web}${route}`)).ok || route === '/error').toBe(true);
    expect((await fetch(`http://127.0.0.1:${http}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: 'not a protobuf' })).status).toBe(400);
    for (const sender of SENDERS) await send(sender, sender.name === 'grpc' ? `http://127.0.0.1:${grpc}` : `http://127.0.0.1:${http}`);
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

  it.each(SENDERS.map((s) => s.name))('maps the %s exporter counter, gauge and histogram with the values sent and the dyno tags', (name) => {
    const counts = series().filter((s) => s.metric === `e2e.${name}.orders`);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((s) => s.type === 'count')).toBe(true);
    expect(total(`e2e.${name}.orders`)).toBe(7);
    const gauge = series().find((s) => s.metric === `e2e.${name}.queue`);
    expect(gauge?.type).toBe('gauge');
    expect(gauge?.points.map(([, v]) => v)).toEqual([42]);
    const histogram = sketches().filter((s) => s.metric === `e2e.${name}.latency`);
    expect(histogram).toHaveLength(1);
    // min and max are those of the interval only for delta points; a cumulative one's come from its buckets.
    expect(histogram[0]).toMatchObject(name === 'proto' ? { cnt: 4, sum: 106 } : { cnt: 4, sum: 106, min: 1, max: 100 });
    for (const s of [counts[0]!, gauge!, histogram[0]!]) {
      expect(s.tags).toEqual(expect.arrayContaining([...DYNO_TAGS, 'shop:main', `service:e2e-${name}`, 'env:staging', 'version:v42']));
      expect(s.host).toBe(series().find((x) => x.metric === 'datadog.agent.running')?.host);
    }
  });

  it.each(SENDERS.map((s) => s.name))('maps the %s exporter spans to Datadog spans through the trace agent', (name) => {
    const spans = spansOf(intake).filter((s) => s.service === `e2e-${name}`);
    expect(spans).toHaveLength(2);
    const root = spans.find((s) => s.parentId === '0')!;
    const child = spans.find((s) => s.parentId !== '0')!;
    expect(root).toMatchObject({ name: 'http.server.request', resource: 'GET /orders', type: 'web', error: 1, env: 'staging' });
    expect(root.meta).toMatchObject({ 'http.method': 'GET', 'http.route': '/orders', 'error.msg': 'out of stock', version: 'v42', 'span.kind': 'server' });
    expect(root.metrics['http.status_code']).toBe(500);
    expect(root.host).toBe(series().find((x) => x.metric === 'datadog.agent.running')?.host);
    expect(child.parentId).toBe(root.spanId);
    expect(child.traceId).toBe(root.traceId);
    expect(root.meta['otel.trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(BigInt(`0x${root.meta['otel.trace_id']!.slice(16)}`).toString()).toBe(root.traceId);
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

// OTLP through an in-process built-in agent (the TypeScript, not lib/): the otlp component is off and
// unloaded without an endpoint, with one it takes real OTLP/HTTP requests, its points reach the intake
// through the aggregator with the agent's tags, and `agent status` has an OTLP section saying so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { otlpComponent } from '../../src/agent/otlp/component.js';
import { renderStatusText } from '../../src/agent/ipc/status-text.js';
import { HOST, startHarness, type Harness } from './agent-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const repo = join(import.meta.dirname, '../..');
const OTLP_ON = { DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: '127.0.0.1:0', DD_TAGS: 'team:core', DD_APM_DD_URL: 'http://127.0.0.1:9' };

function httpPort(h: Harness): number {
  const otlp = h.agent.components.find((c) => c.name === 'otlp') as ReturnType<typeof otlpComponent>;
  return otlp.ingest()?.httpPort ?? 0;
}

async function post(h: Harness, path: string, body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(`http://127.0.0.1:${httpPort(h)}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

it('keeps OTLP out of lib/agent.js and gRPC out of lib/otlp.js: each is loaded only once its endpoint is set', () => {
  const lib = (name: string) => readFileSync(join(repo, 'lib', name), 'utf8');
  const grpcJs = 'grpc-node-js/'; // the user agent @grpc/grpc-js sends
  expect(lib('agent.js')).toContain('./otlp.js');
  for (const marker of ['ExportTraceServiceRequest', grpcJs, 'opentelemetry.proto']) expect(lib('agent.js')).not.toContain(marker);
  expect(lib('otlp.js')).toContain('opentelemetry.proto.collector.metrics.v1.MetricsService');
  expect(lib('otlp.js')).toContain('./otlp-grpc.js');
  expect(lib('otlp.js')).not.toContain(grpcJs);
  expect(lib('otlp-grpc.js')).toContain(grpcJs);
});

it('says "Not enabled" and listens nowhere without an endpoint', async () => {
  harness = await startHarness();
  expect(harness.agent.status().components.otlp).toEqual({ enabled: false });
  expect(httpPort(harness)).toBe(0);
  expect(renderStatusText(harness.agent.status())).toMatch(/^====\nOTLP\n====\n\n {2}Status: Not enabled\n/m);
});

it('sends OTLP gauges and sums on with the agent tags, and shows them in the OTLP status section', async () => {
  harness = await startHarness({ env: OTLP_ON });
  const h = harness;
  const now = Date.now();
  const metrics = {
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            metrics: [
              { name: 'cart.size', gauge: { dataPoints: [{ asDouble: 42, timeUnixNano: nanos(now), attributes: [{ key: 'region', value: { stringValue: 'eu' } }] }] } },
              { name: 'cart.adds', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: '7', startTimeUnixNano: nanos(now - 1000), timeUnixNano: nanos(now) }] } },
            ],
          },
        ],
      },
    ],
  };
  const answer = await post(h, '/v1/metrics', metrics);
  expect(answer.status).toBe(200);
  expect(await answer.json()).toEqual({});
  expect((await post(h, '/v1/metrics', 'not protobuf', 'application/x-protobuf')).status).toBe(400);
  await h.flush(true);
  const series = h.series();
  const gauge = series.find((s) => s.metric === 'cart.size');
  expect(gauge?.points.map((p) => p[1])).toEqual([42]);
  expect(gauge?.type).toBe('gauge');
  expect(gauge?.tags).toEqual(expect.arrayContaining(['region:eu', 'service:checkout', 'team:core']));
  expect(gauge?.host).toBe(HOST);
  const count = series.find((s) => s.metric === 'cart.adds');
  expect(count?.type).toBe('count');
  expect(count?.points.map((p) => p[1])).toEqual([7]);

  const text = renderStatusText(h.agent.status());
  const section = text.split(/^====\nOTLP\n====\n/m)[1]?.split(/^=+\n.+\n=+\n/m)[0] ?? '';
  expect(section).toContain('Status: Enabled');
  expect(section).toContain('Collector status: Running');
  expect(section).toMatch(/OTLP\/HTTP: listening on 127\.0\.0\.1:\d+/);
  expect(section).toContain('OTLP/gRPC: off');
  expect(section).toMatch(/Metrics\n {2}=======\n {4}Payloads: 1\n {4}Data points: 2\n/);
  expect(section).toContain('Decode errors: 1');
  expect(section).toContain('Series points produced: 2');
});

it('refuses OTLP spans with a partial success naming the variable when APM is off', async () => {
  harness = await startHarness({ env: { ...OTLP_ON, DD_APM_ENABLED: 'false' } });
  const now = Date.now();
  const span = { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'GET /', kind: 2, startTimeUnixNano: nanos(now - 5), endTimeUnixNano: nanos(now) };
  const answer = await post(harness, '/v1/traces', { resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] });
  expect(answer.status).toBe(200);
  expect(await answer.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('DD_APM_ENABLED=false') } });
});

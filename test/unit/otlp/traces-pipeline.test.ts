// OTLP spans through the real trace agent (createTraceAgent) to a recording intake: the same sampling,
// obfuscation, top level, stats and AgentPayload writer as /v0.4/traces.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TraceAgent } from '../../../src/agent/apm/index.js';
import { SPAN_KIND_CLIENT, SPAN_KIND_SERVER, STATUS_CODE_ERROR } from '../../../src/agent/otlp/model.js';
import { TracesTranslator } from '../../../src/agent/otlp/traces/index.js';
import { startRecordingIntake, type RecordingIntake } from '../../helpers/recording-intake.js';
import { spansOf, startTraceAgent } from '../../integration/apm-harness.js';
import { otlpSpan, request, scope, SPAN_ID } from './traces-fixtures.js';

let intake: RecordingIntake;
let agent: TraceAgent | undefined;

beforeEach(async () => {
  intake = await startRecordingIntake();
});

afterEach(async () => {
  await agent?.stop(Date.now() + 2000);
  agent = undefined;
  await intake.close();
});

const RESOURCE = {
  'service.name': 'checkout',
  'service.version': '4.2.0',
  'deployment.environment.name': 'staging',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '2.12.0',
};

function otlpRequest() {
  const now = BigInt(Date.now()) * 1_000_000n;
  const child = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 2]);
  return request(
    RESOURCE,
    [
      otlpSpan({
        name: 'GET /cart/:id',
        kind: SPAN_KIND_SERVER,
        startTimeUnixNano: now,
        endTimeUnixNano: now + 20_000_000n,
        attributes: { 'http.request.method': 'GET', 'http.route': '/cart/:id', 'http.response.status_code': 500n },
        status: { code: STATUS_CODE_ERROR, message: 'cart failed' },
      }),
      otlpSpan({
        name: 'select',
        kind: SPAN_KIND_CLIENT,
        spanId: child,
        parentSpanId: SPAN_ID,
        startTimeUnixNano: now + 1_000_000n,
        endTimeUnixNano: now + 5_000_000n,
        attributes: { 'db.system': 'postgresql', 'db.statement': "SELECT * FROM carts WHERE id = 42 AND owner = 'bob'" },
      }),
    ],
    scope('@opentelemetry/instrumentation-http', '0.52.0'),
  );
}

describe('OTLP traces into the trace agent', () => {
  it('arrive in the AgentPayload mapped, obfuscated and with the OTLP tracer identity', async () => {
    ({ agent } = startTraceAgent(intake));
    await agent.start();
    const translator = new TracesTranslator();
    expect(translator.translate(otlpRequest(), agent)).toEqual({ acceptedSpans: 2, rejectedSpans: 0 });

    const spans = await intake.waitFor(() => (spansOf(intake).length === 2 ? spansOf(intake) : undefined));
    const server = spans.find((s) => s.type === 'web')!;
    const db = spans.find((s) => s.type === 'sql')!;

    expect(server.service).toBe('checkout');
    expect(server.name).toBe('http.server.request');
    expect(server.resource).toBe('GET /cart/:id');
    expect(server.traceId).toBe(0x090a0b0c0d0e0f10n.toString());
    expect(server.spanId).toBe(0x0102030405060708n.toString());
    expect(server.duration).toBe(20_000_000);
    expect(server.error).toBe(1);
    expect(server.meta['error.msg']).toBe('cart failed');
    expect(server.meta['_dd.p.tid']).toBe('0102030405060708');
    expect(server.meta['otel.trace_id']).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(server.meta['otel.library.name']).toBe('@opentelemetry/instrumentation-http');
    expect(server.meta['span.kind']).toBe('server');
    expect(server.meta.version).toBe('4.2.0');
    expect(server.metrics['http.status_code']).toBe(500);
    expect(server.metrics._top_level).toBe(1);
    expect(server.env).toBe('staging');
    expect(server.language).toBe('nodejs');
    expect(server.tracerVersion).toBe('otlp-2.12.0');
    expect(server.priority).toBe(1);

    expect(db.name).toBe('postgresql.query');
    expect(db.parentId).toBe(server.spanId);
    expect(db.resource).toBe('SELECT * FROM carts WHERE id = ? AND owner = ?');
    expect(db.metrics._top_level).toBeUndefined();

    const status = agent.status() as { receivedByLanguage: Record<string, { traces: number; spans: number }> };
    expect(status.receivedByLanguage.nodejs).toMatchObject({ traces: 1, spans: 2 });
  });

  it('top level by span kind is kept as the translator marked it', async () => {
    ({ agent } = startTraceAgent(intake));
    await agent.start();
    new TracesTranslator({ computeTopLevelBySpanKind: true }).translate(otlpRequest(), agent);
    const spans = await intake.waitFor(() => (spansOf(intake).length === 2 ? spansOf(intake) : undefined));
    const db = spans.find((s) => s.type === 'sql')!;
    expect(db.metrics['_dd.measured']).toBe(1);
    expect(db.metrics._top_level).toBeUndefined();
  });

  it('before the agent runs, spans are dropped and counted, not queued', async () => {
    ({ agent } = startTraceAgent(intake));
    new TracesTranslator().translate(otlpRequest(), agent);
    await agent.start();
    const status = agent.status() as { dropped: Record<string, number>; receivedByLanguage: Record<string, unknown> };
    expect(status.dropped.apm_not_running).toBe(1);
    expect(status.receivedByLanguage.nodejs).toBeUndefined();
  });

  it('with APM disabled, spans are dropped and nothing is sent', async () => {
    ({ agent } = startTraceAgent(intake, { DD_APM_ENABLED: 'false' }));
    await agent.start();
    agent.consumeTraces([[{ service: 's', name: 'n', resource: 'r', traceId: 1n, spanId: 1n, parentId: 0n, start: 1n, duration: 1, error: 0, meta: {}, metrics: {}, type: '' }]], {
      language: '',
      languageVersion: '',
      tracerVersion: '',
      containerId: '',
      clientComputedStats: false,
    });
    expect(spansOf(intake)).toHaveLength(0);
    expect(agent.status()).toEqual({ enabled: false });
  });
});

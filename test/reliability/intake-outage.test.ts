// The intake unreachable for 60 s (its listener closed between two requests: connection refused)
// under steady DogStatsD and trace traffic, then back on the same port: every count and every span
// sent arrives exactly once, nothing is evicted or dropped, and `agent status --json` counts the
// retries of both the metrics forwarder and the trace writer's transport.
import { afterAll, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { closeInOrder, until } from './util.js';
import { startInProcessAgent, type InProcessAgent } from './in-process-agent.js';
import { startIntakeFront, type IntakeFront } from './intake-front.js';
import { countMismatches, deliveredCounts, deliveredSpans, missingTraces, sleep, SteadyTraffic } from './traffic.js';

const OUTAGE_MS = 60_000;

let intake: RecordingIntake | undefined;
let front: IntakeFront | undefined;
let agent: InProcessAgent | undefined;
let traffic: SteadyTraffic | undefined;

afterAll(() => closeInOrder(traffic, agent, front, intake));

it('60 s of connection refused: after recovery every count and span is delivered exactly once, retries counted', { timeout: 130_000 }, async () => {
  intake = await startRecordingIntake();
  front = await startIntakeFront(intake);
  agent = await startInProcessAgent({ intakeUrl: front.url });
  let phase = 'before';
  traffic = new SteadyTraffic({ statsdPort: agent.statsdPort, apmPort: agent.apmPort, prefix: 'outage', label: () => phase }).start();

  await sleep(3_000);
  const port = front.port;
  await front.down();
  phase = 'during';
  const downAt = Date.now();
  // Connection refused, as from an intake that is gone.
  await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  await sleep(OUTAGE_MS);
  const during = await agent.statusJson();
  await front.up();
  expect(front.port).toBe(port);
  phase = 'after';
  console.log(`intake down ${((Date.now() - downAt) / 1000).toFixed(1)} s; during it: forwarder ${JSON.stringify(pick(during.components.forwarder!))}, trace transport ${JSON.stringify(pick((during.components.apm!.transport ?? {}) as Record<string, unknown>))}`);
  await sleep(3_000);
  await traffic.stop();

  // Everything read, then the last buckets out; the trace writer flushes every 5 s.
  await until(() => (agent!.agent.dogstatsd.status().packets as number) >= traffic!.datagramsSent, 10_000, 'every datagram read');
  await agent.agent.flusher.flush(true);
  const spansSent = traffic.accepted().reduce((n, r) => n + r.spans, 0);
  await until(() => deliveredSpans(intake!).total >= spansSent, 30_000, `${spansSent} spans at the intake`);
  await agent.transportsIdle();

  expect(traffic.datagramErrors).toBe(0);
  expect(traffic.failed()).toEqual([]);
  const counts = deliveredCounts(intake, 'outage');
  expect(countMismatches(traffic, counts, ['before', 'during', 'after'])).toEqual([]);
  expect(traffic.sentCount(0, 'during')).toBeGreaterThan(0);
  const spans = deliveredSpans(intake);
  expect(spans.duplicates).toBe(0);
  expect(missingTraces(traffic.accepted(), spans.byTrace, 3)).toEqual([]);
  expect(spans.total).toBe(spansSent);

  const status = await agent.statusJson();
  const forwarder = status.components.forwarder!;
  const traces = status.components.apm!.transport as Record<string, unknown>;
  console.log(`after recovery: forwarder ${JSON.stringify(pick(forwarder))}, trace transport ${JSON.stringify(pick(traces))}`);
  for (const transport of [forwarder, traces]) {
    expect(transport.retries as number).toBeGreaterThan(0);
    expect(transport.errors as number).toBeGreaterThan(0);
    expect(transport).toMatchObject({ evicted: 0, droppedAtDeadline: 0, droppedByStatus: {}, queuedPayloads: 0, queuedBytes: 0 });
    expect(String(transport.lastError)).toMatch(/ECONNREFUSED|ECONNRESET/);
  }
  // Payloads queued during the outage were retried, not re-submitted: the agent's count of payloads
  // sent is what the intake accepted.
  const metricPaths = ['/api/v1/series', '/api/v1/check_run', '/api/beta/sketches', '/intake/'];
  // A flush (every second here) may be in flight at any one look: look again until both sides agree, a few seconds at most.
  const look = () =>
    agent!.quiet(() => ({
      metrics: metricPaths.reduce((n, p) => n + intake!.accepted(p).length, 0),
      traces: intake!.accepted('/api/v0.2/traces').length + intake!.accepted('/api/v0.2/stats').length,
    }));
  let snapshot = await look();
  for (let i = 0; i < 20 && (snapshot.forwarder.payloadsSent !== snapshot.value.metrics || snapshot.traces.payloadsSent !== snapshot.value.traces); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    snapshot = await look();
  }
  expect(snapshot.forwarder.payloadsSent).toBe(snapshot.value.metrics);
  for (const path of ['/api/v1/series', '/api/v0.2/traces']) {
    const bodies = intake.accepted(path).map((r) => r.rawBody.toString('base64'));
    expect(new Set(bodies).size, `${path}: no payload accepted twice`).toBe(bodies.length);
  }
  expect(snapshot.traces.payloadsSent).toBe(snapshot.value.traces);
});

function pick(t: Record<string, unknown>): Record<string, unknown> {
  const { payloadsSent, retries, errors, evicted, droppedAtDeadline, droppedByStatus, queuedPayloads, queuedBytes, lastError } = t;
  return { payloadsSent, retries, errors, evicted, droppedAtDeadline, droppedByStatus, queuedPayloads, queuedBytes, lastError };
}

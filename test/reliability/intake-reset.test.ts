// Connections reset under steady traffic. Halfway through a request body: the intake never had the
// payload, the agent retries it, and it arrives once. Right after the intake accepted a request
// (its answer lost): the agent retries, so the intake holds that one payload twice — the only
// duplicate there may be, and nothing else is sent twice or lost.
import { afterAll, expect, it } from 'vitest';
import type { Serie } from '../../src/agent/aggregator/payloads.js';
import { decodeAgentPayload } from '../../src/intake/payloads/traces.js';
import { startRecordingIntake, type RecordedRequest, type RecordingIntake } from '../helpers/recording-intake.js';
import { startInProcessAgent, type InProcessAgent } from './in-process-agent.js';
import { startIntakeFront, type IntakeFront } from './intake-front.js';
import { countMismatches, deliveredSpans, missingTraces, sleep, SteadyTraffic } from './traffic.js';
import { closeInOrder, until } from './util.js';

let intake: RecordingIntake | undefined;
let front: IntakeFront | undefined;
let agent: InProcessAgent | undefined;
let traffic: SteadyTraffic | undefined;

afterAll(() => closeInOrder(traffic, agent, front, intake));

/** Accepted requests on `path` whose raw body was accepted before: the retried copies. */
function copies(path: string): RecordedRequest[] {
  const seen = new Set<string>();
  const out: RecordedRequest[] = [];
  for (const r of intake!.accepted(path)) {
    const key = r.rawBody.toString('base64');
    if (seen.has(key)) out.push(r);
    seen.add(key);
  }
  return out;
}

/** Sum per `metric|label` of the `reset.` series in `requests` (rates × interval). */
function countsIn(requests: readonly RecordedRequest[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of requests) {
    for (const s of r.json<{ series: Serie[] }>().series) {
      if (!s.metric.startsWith('reset.')) continue;
      const key = `${s.metric}|${s.tags.find((t) => t.startsWith('label:'))?.slice(6) ?? ''}`;
      for (const [, v] of s.points) out.set(key, (out.get(key) ?? 0) + v * (s.interval || 1));
    }
  }
  return out;
}

it('a reset mid-body is retried and delivered once; a reset after acceptance duplicates only that payload', { timeout: 60_000 }, async () => {
  intake = await startRecordingIntake();
  front = await startIntakeFront(intake);
  // The next request on each path is cut halfway; the one after it (its retry, or the next payload) is answered, the answer reset.
  front.fail('/api/v1/series', 'reset-mid-body', 'reset-after-accept');
  front.fail('/api/v0.2/traces', 'reset-mid-body', 'reset-after-accept');
  agent = await startInProcessAgent({ intakeUrl: front.url });
  traffic = new SteadyTraffic({ statsdPort: agent.statsdPort, apmPort: agent.apmPort, prefix: 'reset' }).start();

  await until(() => front!.counters.resetMidBody >= 2 && front!.counters.resetAfterAccept >= 2, 30_000, 'both resets on both paths');
  await sleep(1_000);
  await traffic.stop();
  await until(() => (agent!.agent.dogstatsd.status().packets as number) >= traffic!.datagramsSent, 10_000, 'every datagram read');
  await agent.agent.flusher.flush(true);
  const spansSent = traffic.accepted().reduce((n, r) => n + r.spans, 0);
  const spansAtIntake = (): number => deliveredSpans(intake!).total - copies('/api/v0.2/traces').reduce((n, r) => n + decodeAgentPayload(r.body).length, 0);
  await until(() => spansAtIntake() >= spansSent, 30_000, `${spansSent} spans at the intake`);
  await agent.transportsIdle();
  expect(traffic.failed()).toEqual([]);

  // The intake never recorded the cut requests (it had half a body); it recorded the others whole.
  expect(intake.requests.every((r) => r.status === 202)).toBe(true);
  const seriesCopies = copies('/api/v1/series');
  const traceCopies = copies('/api/v0.2/traces');
  expect(seriesCopies).toHaveLength(1);
  expect(traceCopies).toHaveLength(1);

  // Counts: what was sent, plus exactly what the duplicated series payload carried.
  const delivered = countsIn(intake.accepted('/api/v1/series'));
  for (const [key, v] of countsIn(seriesCopies)) delivered.set(key, (delivered.get(key) ?? 0) - v);
  for (const [key, v] of delivered) delivered.set(key, Math.round(v * 1e6) / 1e6);
  expect(countMismatches(traffic, delivered)).toEqual([]);

  // Spans: every accepted trace, each span once except those of the one duplicated payload.
  const spans = deliveredSpans(intake);
  expect(missingTraces(traffic.accepted(), spans.byTrace, 3)).toEqual([]);
  expect(spans.duplicates).toBe(decodeAgentPayload(traceCopies[0]!.body).length);
  expect(spans.total - spans.duplicates).toBe(spansSent);

  const status = await agent.statusJson();
  const forwarder = status.components.forwarder!;
  const traces = status.components.apm!.transport as Record<string, unknown>;
  console.log(`resets: front ${JSON.stringify({ ...front.counters, arrivals: front.counters.arrivals.length })}; forwarder retries ${String(forwarder.retries)}, trace transport retries ${String(traces.retries)}`);
  for (const transport of [forwarder, traces]) {
    expect(transport.retries as number).toBeGreaterThanOrEqual(2);
    expect(transport).toMatchObject({ evicted: 0, droppedAtDeadline: 0, droppedByStatus: {}, queuedPayloads: 0 });
  }
  // Each payload counted sent once, by the agent's own account: the intake's copies less the lost answer.
  const metricPaths = ['/api/v1/series', '/api/v1/check_run', '/api/beta/sketches', '/intake/'];
  const snapshot = await agent.quiet(() => ({
    metrics: metricPaths.reduce((n, p) => n + intake!.accepted(p).length, 0),
    traces: intake!.accepted('/api/v0.2/traces').length + intake!.accepted('/api/v0.2/stats').length,
  }));
  expect(snapshot.forwarder.payloadsSent).toBe(snapshot.value.metrics - 1);
  expect(snapshot.traces.payloadsSent).toBe(snapshot.value.traces - 1);
});

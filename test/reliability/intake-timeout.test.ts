// An intake slower than the forwarders' request timeout (20 s, the default of both the metrics
// forwarder and the trace writer): the requests it sits on are given up by the agent and retried,
// and once the intake answers again everything arrives, once.
import { afterAll, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { closeInOrder, until } from './util.js';
import { startInProcessAgent, type InProcessAgent } from './in-process-agent.js';
import { startIntakeFront, type IntakeFront } from './intake-front.js';
import { countMismatches, deliveredCounts, deliveredSpans, missingTraces, sleep, SteadyTraffic } from './traffic.js';

let intake: RecordingIntake | undefined;
let front: IntakeFront | undefined;
let agent: InProcessAgent | undefined;
let traffic: SteadyTraffic | undefined;

afterAll(() => closeInOrder(traffic, agent, front, intake));

it('requests held past the 20 s timeout are abandoned by the agent, retried, and delivered once the intake is fast again', { timeout: 90_000 }, async () => {
  intake = await startRecordingIntake();
  front = await startIntakeFront(intake);
  front.slow(true);
  agent = await startInProcessAgent({ intakeUrl: front.url });
  const started = Date.now();
  traffic = new SteadyTraffic({ statsdPort: agent.statsdPort, apmPort: agent.apmPort, prefix: 'slow' }).start();

  // The first series payload leaves ~1 s in, the first trace payload ~5 s in: each is given up 20 s later.
  const counters = front.counters;
  await until(() => (counters.abandonedByPath['/api/v1/series'] ?? 0) >= 1 && (counters.abandonedByPath['/api/v0.2/traces'] ?? 0) >= 1, 45_000, 'the agent to give up a held series and a held trace request');
  const gaveUpAfter = (Date.now() - started) / 1000;
  front.slow(false);
  expect(intake.requests).toEqual([]);
  await sleep(2_000);
  await traffic.stop();

  await until(() => (agent!.agent.dogstatsd.status().packets as number) >= traffic!.datagramsSent, 10_000, 'every datagram read');
  await agent.agent.flusher.flush(true);
  const spansSent = traffic.accepted().reduce((n, r) => n + r.spans, 0);
  await until(() => deliveredSpans(intake!).total >= spansSent, 30_000, `${spansSent} spans at the intake`);
  await agent.transportsIdle();

  expect(traffic.failed()).toEqual([]);
  expect(countMismatches(traffic, deliveredCounts(intake, 'slow'))).toEqual([]);
  const spans = deliveredSpans(intake);
  expect(spans.duplicates).toBe(0);
  expect(missingTraces(traffic.accepted(), spans.byTrace, 3)).toEqual([]);
  expect(spans.total).toBe(spansSent);

  const status = await agent.statusJson();
  const forwarder = status.components.forwarder!;
  const traces = status.components.apm!.transport as Record<string, unknown>;
  console.log(
    `slow intake: first give-ups after ${gaveUpAfter.toFixed(1)} s; front ${JSON.stringify({ ...counters, arrivals: counters.arrivals.length })}; forwarder retries ${String(forwarder.retries)} (${String(forwarder.lastError)}), trace transport retries ${String(traces.retries)} (${String(traces.lastError)})`,
  );
  for (const transport of [forwarder, traces]) {
    expect(transport.retries as number).toBeGreaterThanOrEqual(1);
    expect(String(transport.lastError)).toMatch(/timeout after 20000 ms/);
    expect(transport).toMatchObject({ evicted: 0, droppedAtDeadline: 0, droppedByStatus: {}, queuedPayloads: 0 });
  }
});

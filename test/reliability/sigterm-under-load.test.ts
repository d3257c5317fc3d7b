// `agent run` (lib/agent.js) under steady DogStatsD and trace load gets SIGTERM while the load goes
// on: everything sent before the signal reaches the intake (the open buckets, the relay's socket
// queue, the traces buffered in the writer), nothing twice, and the process exits 0 within the
// 25 s Heroku leaves it (30 s grace, less the supervisor's margin). The exit time is printed.
import { afterAll, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { API_KEY, startAgentProcess, type AgentProcess } from './agent-process.js';
import { countMismatches, deliveredCounts, deliveredSpans, missingTraces, sleep, SteadyTraffic } from './traffic.js';
import { closeInOrder } from './util.js';

let intake: RecordingIntake | undefined;
let agent: AgentProcess | undefined;
let traffic: SteadyTraffic | undefined;

afterAll(() => closeInOrder(traffic, agent, intake));

it('SIGTERM under load: all sent before the signal is delivered, exit 0 in < 25 s', { timeout: 60_000 }, async () => {
  intake = await startRecordingIntake();
  agent = await startAgentProcess({ intakeUrl: intake.url });
  let phase = 'before';
  // ~2000 datagrams/s of 8 counters each and 50 trace requests/s of 4 traces × 3 spans.
  traffic = new SteadyTraffic({
    statsdPort: agent.statsdPort,
    apmPort: agent.apmPort,
    prefix: 'sigterm',
    counters: 8,
    datagramsPerTick: 20,
    tickMs: 10,
    traceEveryMs: 20,
    tracesPerRequest: 4,
    label: () => phase,
  }).start();
  await sleep(8_000);

  // From here on the traffic is labelled "after"; what was labelled "before" has been sent (and
  // each trace request of it answered) before the signal goes.
  phase = 'after';
  await traffic.settledLabel('before');
  const postedBefore = intake.requests.length;
  const signalledAt = Date.now();
  agent.child.kill('SIGTERM');
  const exit = await agent.exited;
  const seconds = (exit.at - signalledAt) / 1000;
  await traffic.stop();
  console.log(`SIGTERM under load: exit code ${String(exit.code)} after ${seconds.toFixed(2)} s, having posted ${intake.requests.length - postedBefore} payloads since the signal; before the signal ${traffic.datagramsByLabel.get('before')} datagrams and ${traffic.accepted((r) => r.label === 'before').length} trace requests, after it ${traffic.datagramsByLabel.get('after') ?? 0} datagrams sent and ${traffic.accepted((r) => r.label === 'after').length} trace requests accepted`);
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(seconds).toBeLessThan(25);

  expect(traffic.failed((r) => r.label === 'before')).toEqual([]);
  const counts = deliveredCounts(intake, 'sigterm');
  expect(countMismatches(traffic, counts, ['before'])).toEqual([]);
  // After the signal: never more than was sent.
  for (let i = 0; i < traffic.counters; i++) expect(counts.get(`sigterm.c${i}|after`) ?? 0).toBeLessThanOrEqual(traffic.sentCount(i, 'after'));
  const spans = deliveredSpans(intake);
  expect(spans.duplicates).toBe(0);
  expect(missingTraces(traffic.accepted((r) => r.label === 'before'), spans.byTrace, 3)).toEqual([]);
  // A trace request answered 200 (even after the signal) is one the agent took charge of.
  expect(missingTraces(traffic.accepted((r) => r.label === 'after'), spans.byTrace, 3)).toEqual([]);
  expect(agent.output()).toMatch(/SIGTERM received: flushing/);
  expect(agent.output()).not.toContain(API_KEY);
});

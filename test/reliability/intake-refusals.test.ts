// Intake refusals under steady DogStatsD and trace traffic, as the official agent's forwarder
// handles them (pkg/forwarder/transaction: 400, 404 and 413 dropped; 403 dropped as an invalid
// API key; any other status above 400 rescheduled — so 429 is retried), for the metrics forwarder
// and the trace writer's transport alike:
// - 403: dropped and counted per payload, one log line for the whole agent, key never logged;
//   delivery resumes by itself once the key is accepted;
// - 413 and 400: dropped and counted, never sent again; nothing else is lost;
// - 429: retried with backoff, then delivered.
import { afterEach, describe, expect, it } from 'vitest';
import type { Serie } from '../../src/agent/aggregator/payloads.js';
import { decodeAgentPayload } from '../../src/intake/payloads/traces.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { closeInOrder, until } from './util.js';
import { API_KEY, startInProcessAgent, type InProcessAgent } from './in-process-agent.js';
import { startIntakeFront, type IntakeFront } from './intake-front.js';
import { countMismatches, deliveredCounts, deliveredSpans, missingTraces, sleep, SteadyTraffic } from './traffic.js';

const METRIC_PATHS = ['/api/v1/series', '/api/v1/check_run', '/api/beta/sketches', '/intake/'];
const TRACE_PATHS = ['/api/v0.2/traces', '/api/v0.2/stats'];

let intake: RecordingIntake | undefined;
let front: IntakeFront | undefined;
let agent: InProcessAgent | undefined;
let traffic: SteadyTraffic | undefined;

afterEach(async () => {
  await closeInOrder(traffic, agent, front, intake);
  traffic = agent = intake = front = undefined;
});

async function setUp(prefix: string, label?: () => string): Promise<{ intake: RecordingIntake; front: IntakeFront; agent: InProcessAgent; traffic: SteadyTraffic }> {
  intake = await startRecordingIntake();
  // Passes every request through; it only notes when each arrived.
  front = await startIntakeFront(intake);
  agent = await startInProcessAgent({ intakeUrl: front.url });
  traffic = new SteadyTraffic({ statsdPort: agent.statsdPort, apmPort: agent.apmPort, prefix, ...(label ? { label } : {}) }).start();
  return { intake, front, agent, traffic };
}

/** Stops the traffic and waits until the agent has read it all and posted all of it (whatever the answers). */
async function drain(a: InProcessAgent, t: SteadyTraffic, i: RecordingIntake): Promise<void> {
  await t.stop();
  await until(() => (a.agent.dogstatsd.status().packets as number) >= t.datagramsSent, 10_000, 'every datagram read');
  await a.agent.flusher.flush(true);
  await a.agent.transport.idle();
  // The trace writer flushes every 5 s: wait until every span it was given has been posted.
  const spans = t.accepted().reduce((n, r) => n + r.spans, 0);
  const posted = (): number => i.requests.filter((r) => r.path === '/api/v0.2/traces').reduce((n, r) => n + decodeAgentPayload(r.body).length, 0);
  await until(() => posted() >= spans, 15_000, `${spans} spans posted`);
  await a.transportsIdle();
}

function transports(status: { components: Record<string, Record<string, unknown>> }): { forwarder: Record<string, unknown>; traces: Record<string, unknown> } {
  return { forwarder: status.components.forwarder!, traces: status.components.apm!.transport as Record<string, unknown> };
}

/**
 * Requests on `paths` whose raw body had been posted before: a payload sent again. (Series and
 * traces only: two heartbeat check runs of the same second are the same bytes yet two payloads.)
 */
function resent(i: RecordingIntake, paths: readonly string[]): string[] {
  const seen = new Set<string>();
  const again: string[] = [];
  for (const r of i.requests.filter((q) => paths.includes(q.path))) {
    const key = `${r.path} ${r.rawBody.toString('base64')}`;
    if (seen.has(key)) again.push(`${r.path} (${r.status ?? 'closed'}): ${r.body.toString('utf8').slice(0, 300)}`);
    seen.add(key);
  }
  return again;
}

describe('intake refusals under steady traffic', () => {
  it('403: every payload dropped and counted, one "API key invalid" line for both transports; delivery resumes with a good key', { timeout: 60_000 }, async () => {
    let phase = 'forbidden';
    const { intake, agent, traffic } = await setUp('forbidden', () => phase);
    intake.always('*', 403);
    await until(() => intake.requests.filter((r) => r.path === '/api/v0.2/traces').length >= 2 && intake.requests.filter((r) => r.path === '/api/v1/series').length >= 2, 20_000, 'refused series and traces');
    const refused = await agent.statusJson();
    const { forwarder, traces } = transports(refused);
    const metricRequests = intake.requests.filter((r) => METRIC_PATHS.includes(r.path)).length;
    const traceRequests = intake.requests.filter((r) => TRACE_PATHS.includes(r.path)).length;
    console.log(`403: forwarder ${JSON.stringify(forwarder.droppedByStatus)} of ${metricRequests} requests, trace transport ${JSON.stringify(traces.droppedByStatus)} of ${traceRequests}`);
    // What the transports do today: each refused payload dropped and counted under 403, none retried.
    expect((forwarder.droppedByStatus as Record<string, number>)['403']).toBeGreaterThanOrEqual(2);
    expect((traces.droppedByStatus as Record<string, number>)['403']).toBeGreaterThanOrEqual(2);
    expect(forwarder).toMatchObject({ payloadsSent: 0, retries: 0 });
    expect(traces).toMatchObject({ payloadsSent: 0, retries: 0 });
    expect(String(forwarder.lastError)).toMatch(/^HTTP 403 on /);
    expect(resent(intake, ['/api/v1/series', '/api/v0.2/traces'])).toEqual([]);
    expect(intake.requests.every((r) => r.headers['dd-api-key'] === API_KEY)).toBe(true);

    // The key is fixed (the intake accepts again): what is sent from now on arrives.
    intake.clearFaults();
    const beforeOk = intake.requests.length;
    phase = 'accepted';
    await sleep(11_000); // past the next bucket boundary: the "accepted" samples are flushed after the fix
    await drain(agent, traffic, intake);
    expect(intake.requests.slice(beforeOk).every((r) => r.status === 202)).toBe(true);
    expect(countMismatches(traffic, deliveredCounts(intake, 'forbidden'), ['accepted'])).toEqual([]);
    const spans = deliveredSpans(intake);
    expect(missingTraces(traffic.accepted((r) => r.label === 'accepted'), spans.byTrace, 3)).toEqual([]);

    const keyLines = agent.logs.filter((l) => /API key invalid/.test(l));
    expect(keyLines).toHaveLength(1);
    expect(keyLines[0]).toMatch(/\| CORE \| ERROR \| API key invalid: the intake answered 403 Forbidden on \/api\/.*check DD_API_KEY/);
    expect(agent.logs.join('')).not.toContain(API_KEY);
    const after = transports(await agent.statusJson());
    expect((after.forwarder.droppedByStatus as Record<string, number>)['403']).toBe(intake.requests.filter((r) => METRIC_PATHS.includes(r.path) && r.status === 403).length);
    expect((after.traces.droppedByStatus as Record<string, number>)['403']).toBe(intake.requests.filter((r) => TRACE_PATHS.includes(r.path) && r.status === 403).length);
  });

  it('413 and 400: the payload is dropped and counted, never sent again; everything else arrives', { timeout: 60_000 }, async () => {
    const { intake, agent, traffic } = await setUp('refused');
    intake.fail('/api/v1/series', 413, 400);
    intake.fail('/api/v0.2/traces', 413, 400);
    await until(() => intake.requests.filter((r) => r.path === '/api/v0.2/traces').length >= 3 && intake.requests.filter((r) => r.path === '/api/v1/series').length >= 3, 20_000, 'refused and accepted payloads on both paths');
    await drain(agent, traffic, intake);

    const { forwarder, traces } = transports(await agent.statusJson());
    expect(forwarder.droppedByStatus).toEqual({ 400: 1, 413: 1 });
    expect(traces.droppedByStatus).toEqual({ 400: 1, 413: 1 });
    expect(forwarder.retries).toBe(0);
    expect(traces.retries).toBe(0);
    expect(resent(intake, ['/api/v1/series', '/api/v0.2/traces'])).toEqual([]);
    for (const status of [400, 413]) {
      expect(agent.logs.filter((l) => l.includes(`refused a series payload`) && l.includes(`HTTP ${status}; dropped`))).toHaveLength(1);
      expect(agent.logs.filter((l) => l.includes(`refused a traces payload`) && l.includes(`HTTP ${status}; dropped`))).toHaveLength(1);
    }

    // Delivered + dropped = sent, exactly: the two refused payloads are all that is missing.
    const delivered = deliveredCounts(intake, 'refused');
    for (const r of intake.requests.filter((q) => q.path === '/api/v1/series' && q.status !== 202)) {
      for (const s of r.json<{ series: Serie[] }>().series) {
        if (!s.metric.startsWith('refused.')) continue;
        const key = `${s.metric}|${s.tags.find((t) => t.startsWith('label:'))?.slice(6) ?? ''}`;
        for (const [, v] of s.points) delivered.set(key, Math.round(((delivered.get(key) ?? 0) + v * (s.interval || 1)) * 1e6) / 1e6);
      }
    }
    expect(countMismatches(traffic, delivered)).toEqual([]);
    const spans = deliveredSpans(intake);
    const dropped = new Map<string, number>();
    for (const r of intake.requests.filter((q) => q.path === '/api/v0.2/traces' && q.status !== 202)) {
      for (const span of decodeAgentPayload(r.body)) dropped.set(span.traceId, (dropped.get(span.traceId) ?? 0) + 1);
    }
    expect(dropped.size).toBeGreaterThan(0);
    for (const [id, n] of dropped) spans.byTrace.set(id, (spans.byTrace.get(id) ?? 0) + n);
    expect(spans.duplicates).toBe(0);
    expect(missingTraces(traffic.accepted(), spans.byTrace, 3)).toEqual([]);
  });

  it('429: retried with backoff, then delivered (the official forwarder and trace writer retry it)', { timeout: 60_000 }, async () => {
    const { intake, front, agent, traffic } = await setUp('limited');
    intake.fail('/api/v1/series', 429, 429);
    intake.fail('/api/v0.2/traces', 429, 429);
    // Three requests and an accepted one on each path: the retried payload, or (dropped) three payloads.
    const enough = (path: string): boolean => intake.requests.filter((r) => r.path === path).length >= 3 && intake.accepted(path).length >= 1;
    await until(() => enough('/api/v1/series') && enough('/api/v0.2/traces'), 30_000, 'three requests and an acceptance on each path').catch(() => undefined);
    await drain(agent, traffic, intake);
    // drain() counts the refused attempts' spans too: the retried payloads land after their backoff.
    await until(() => missingTraces(traffic.accepted(), deliveredSpans(intake).byTrace, 3).length === 0, 15_000, 'every trace accepted after its retries').catch(() => undefined);

    const { forwarder, traces } = transports(await agent.statusJson());
    console.log(`429: forwarder retries ${String(forwarder.retries)} dropped ${JSON.stringify(forwarder.droppedByStatus)}; trace transport retries ${String(traces.retries)} dropped ${JSON.stringify(traces.droppedByStatus)}`);
    for (const [path, transport, minGapMs] of [
      ['/api/v1/series', forwarder, 125], // metrics backoff here: 250 ms doubling, jittered down to half
      ['/api/v0.2/traces', traces, 50], // the trace-agent's: 100 ms doubling
    ] as const) {
      expect(transport.droppedByStatus, `${path}: 429 must not be dropped`).toEqual({});
      expect(transport.retries as number, `${path}: 429 retried`).toBeGreaterThanOrEqual(2);
      // The same payload three times: 429, 429 (after a backoff), then accepted (after a longer one).
      const first = intake.requests.find((r) => r.path === path)!;
      const attempts = intake.requests.filter((r) => r.path === path && r.rawBody.equals(first.rawBody));
      expect(attempts.map((r) => r.status)).toEqual([429, 429, 202]);
      // Not hammered: each retry waited at least the jittered minimum of its backoff.
      const at = front.counters.arrivals.filter((a) => a.path === path).slice(0, 3).map((a) => a.at);
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(minGapMs);
      expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(minGapMs * 2);
    }
    expect(countMismatches(traffic, deliveredCounts(intake, 'limited'))).toEqual([]);
    const spans = deliveredSpans(intake);
    expect(spans.duplicates).toBe(0);
    expect(missingTraces(traffic.accepted(), spans.byTrace, 3)).toEqual([]);
  });
});

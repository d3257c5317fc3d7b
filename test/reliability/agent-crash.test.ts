// The agent of a real builtin dyno (bin/compile slug booted as Heroku boots it) is SIGKILLed under
// steady DogStatsD and trace traffic: the supervisor starts it again, and what is sent once it
// listens again is delivered. How long it was deaf and what was lost (held in the killed process,
// or sent while nothing listened) is measured and printed, not asserted: a SIGKILL loses the
// agent's memory by definition.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bootDyno, restartSignal, type Dyno } from '../../scripts/demo/dyno.js';
import { buildSlug } from '../../scripts/demo/slug.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { API_KEY } from './agent-process.js';
import { cmdline, parentOf, socketsOfTree, udpBound } from './proc-net.js';
import { deliveredCounts, deliveredSpans, SteadyTraffic, type TraceRequest } from './traffic.js';
import { freePort, sleep } from './util.js';

const repo = join(import.meta.dirname, '../..');
const SLOT_MS = 250;

let work: string;
let slug: string;
let intake: RecordingIntake;
let dyno: Dyno | undefined;
let traffic: SteadyTraffic | undefined;
let env: Record<string, string>;
let ports: { statsd: number; apm: number; cmd: number };

/** `node … lib/agent.js run`: the agent itself (a supervisor may carry the same words in its arguments). */
function isAgent(pid: number): boolean {
  const args = cmdline(pid);
  const at = args.findIndex((a) => a.endsWith('lib/agent.js'));
  return at > 0 && args[at + 1] === 'run' && /(^|\/)node$/.test(args[0]!);
}

function agentPids(): number[] {
  return dyno === undefined ? [] : dyno.pids().filter(isAgent);
}

async function apmAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${ports.apm}/info`, { signal: AbortSignal.timeout(500) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'agent-crash-'));
  slug = join(work, 'slug');
  intake = await startRecordingIntake();
  const build = await buildSlug(repo, 'gunicorn-app', slug, join(work, 'cache'), join(work, 'env'), { DD_AGENT_FLAVOR: 'builtin' });
  expect(build.ok, build.output).toBe(true);
  ports = { statsd: await freePort(), apm: await freePort(), cmd: await freePort() };
  env = {
    DYNO: 'web.1',
    PORT: String(await freePort()),
    HEROKU_APP_NAME: 'crash-app',
    DD_API_KEY: API_KEY,
    DD_DD_URL: intake.url,
    DD_APM_DD_URL: intake.url,
    DD_DOGSTATSD_PORT: String(ports.statsd),
    DD_APM_RECEIVER_PORT: String(ports.apm),
    DD_CMD_PORT: String(ports.cmd),
    DD_DISABLE_HOST_METRICS: 'true',
  };
  // The app does nothing: the test itself is the app's traffic.
  dyno = bootDyno(slug, 'sleep 600', env, join(work, 'dyno.log'));
  const started = Date.now();
  while (!(agentPids().length === 1 && udpBound(ports.statsd) && (await apmAnswers()))) {
    if (Date.now() - started > 30_000) throw new Error(`the dyno's agent did not start:\n${readFileSync(join(work, 'dyno.log'), 'utf8')}`);
    await sleep(50);
  }
}, 90_000);

afterAll(async () => {
  traffic?.close();
  if (dyno !== undefined) await restartSignal(dyno, 25_000);
  await intake?.close();
  rmSync(work, { recursive: true, force: true });
});

it('SIGKILL of the agent: the supervisor restarts it, traffic after the restart is delivered; deafness and losses printed', { timeout: 90_000 }, async () => {
  const t0 = Date.now();
  const slotOf = (t: number): number => Math.floor((t - t0) / SLOT_MS);
  traffic = new SteadyTraffic({
    statsdPort: ports.statsd,
    apmPort: ports.apm,
    prefix: 'crash',
    counters: 2,
    datagramsPerTick: 2,
    tickMs: 10,
    traceEveryMs: 50,
    tracesPerRequest: 1,
    label: () => `s${slotOf(Date.now())}`,
  }).start();
  await sleep(6_000);

  const [victim] = agentPids();
  expect(victim).toBeDefined();
  const supervisor = parentOf(victim!)!;
  // Cheap to poll (no scan of /proc), so the traffic keeps its pace meanwhile.
  const newAgent = (): number | undefined => {
    try {
      return readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .map(Number)
        .find((p) => p > 0 && p !== victim && isAgent(p));
    } catch {
      return undefined;
    }
  };
  const killedAt = Date.now();
  process.kill(victim!, 'SIGKILL');

  // Watch the port and the receiver every 10 ms until a new agent serves both.
  let udpGoneAt: number | undefined;
  let udpBackAt: number | undefined;
  let apmBackAt: number | undefined;
  let newPid: number | undefined;
  let newPidAt: number | undefined;
  while (udpBackAt === undefined || apmBackAt === undefined) {
    if (Date.now() - killedAt > 30_000) throw new Error(`no agent serving 30 s after the SIGKILL:\n${readFileSync(join(work, 'dyno.log'), 'utf8')}`);
    const now = Date.now();
    if (newPid === undefined) {
      newPid = newAgent();
      if (newPid !== undefined) newPidAt = now;
    }
    const bound = udpBound(ports.statsd);
    if (udpGoneAt === undefined && !bound) udpGoneAt = now;
    // Back once the port is bound again after a new agent started (checked below to be its relay's).
    if (newPid !== undefined && udpBackAt === undefined && bound && udpGoneAt !== undefined) udpBackAt = now;
    if (newPid !== undefined && apmBackAt === undefined && (await apmAnswers())) apmBackAt = Date.now();
    await sleep(10);
  }
  const backAt = Math.max(udpBackAt, apmBackAt);
  expect(socketsOfTree(newPid!).some((k) => k.proto === 'udp' && k.port === ports.statsd), 'the new agent (its relay) holds the DogStatsD port').toBe(true);
  await sleep(6_000);
  await traffic.stop();
  await sleep(500); // the relay hands what it read to the agent
  const stop = await restartSignal(dyno!, 25_000);
  dyno = undefined;

  // Datagrams: each carries counter c0 once; per 250 ms slot, sent vs delivered.
  const delivered = deliveredCounts(intake, 'crash');
  const lostBefore = { datagrams: 0, sent: 0 };
  const lostDeaf = { datagrams: 0, sent: 0 };
  const lostAfter: string[] = [];
  for (const [label, sent] of traffic.datagramsByLabel) {
    const slot = Number(label.slice(1));
    const slotStart = t0 + slot * SLOT_MS;
    const got = delivered.get(`crash.c0|${label}`) ?? 0;
    expect(got, `slot ${label}: never more than sent`).toBeLessThanOrEqual(sent);
    const lost = sent - got;
    if (slotStart + SLOT_MS <= killedAt) {
      lostBefore.datagrams += lost;
      lostBefore.sent += sent;
    } else if (slotStart < backAt) {
      lostDeaf.datagrams += lost;
      lostDeaf.sent += sent;
    }
    else if (lost !== 0) lostAfter.push(`${label}: sent ${sent}, delivered ${got}`);
  }
  // Trace requests: refused while deaf, or accepted by the killed agent and lost with it.
  const spans = deliveredSpans(intake);
  const arrived = (r: TraceRequest): boolean => r.traceIds.every((id) => spans.byTrace.get(id) === 3);
  const refused = traffic.failed();
  const acceptedLost = traffic.accepted((r) => !arrived(r));
  const afterBack = traffic.requests.filter((r) => r.startedAt >= backAt);

  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    [
      `agent SIGKILLed (pid ${victim}); new agent pid ${newPid} seen after ${s(newPidAt! - killedAt)}`,
      `DogStatsD port unbound after ${udpGoneAt === undefined ? 'never seen unbound' : s(udpGoneAt - killedAt)}, bound again after ${s(udpBackAt - killedAt)}; trace receiver answering again after ${s(apmBackAt - killedAt)}`,
      `deaf for ${s(backAt - killedAt)} (kill → both listeners back, 10 ms polling)`,
      `datagrams lost: ${lostBefore.datagrams} of ${lostBefore.sent} sent before the kill (aggregated in the killed agent, not yet flushed), ${lostDeaf.datagrams} of ${lostDeaf.sent} sent in the 250 ms slots from the kill until the listeners were back; ${traffic.datagramsSent} sent in all`,
      `trace requests lost: ${refused.length} refused (${[...new Set(refused.map((r) => r.error ?? r.status))].join(', ')}), ${acceptedLost.length} answered 200 by the killed agent but never forwarded; of ${traffic.requests.length} sent`,
      `dyno stop after the test: ${stop.processes} processes, ${s(stop.seconds * 1000)}, ${stop.killed} killed`,
    ].join('\n'),
  );

  expect(newPid).toBeDefined();
  expect(newPid).not.toBe(victim);
  // Everything sent once both listeners were back arrived, exactly.
  expect(lostAfter).toEqual([]);
  expect(afterBack.length).toBeGreaterThan(50);
  expect(afterBack.filter((r) => r.status !== 200 || !arrived(r)).map((r) => `${r.traceIds[0]}: ${r.status ?? r.error}`)).toEqual([]);
  expect(spans.duplicates).toBe(0);
  expect(stop.killed).toBe(0);
});

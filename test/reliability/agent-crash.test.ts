// The agent of a real builtin dyno (bin/compile slug booted as Heroku boots it) is SIGKILLed under
// steady DogStatsD (UDP and the Unix socket) and trace traffic. The supervisor holds the sockets
// (src/runtime/supervisor.pl: bound before the first agent, inherited by every agent it starts), so
// the door never closes: the UDP port stays bound, what is sent while no agent runs waits in the
// kernel's queues and trace connections in the listen backlog, and the next agent reads them.
// Asserted: every datagram and trace request sent once the killed agent is gone is delivered, none
// refused. Measured and printed: how long until a new agent serves, and what was lost with the
// killed process (aggregated and not yet flushed, or read from the sockets and not yet processed).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bootDyno, restartSignal, type Dyno } from '../../scripts/demo/dyno.js';
import { buildSlug } from '../../scripts/demo/slug.js';
import { boundUnixDatagramSockets } from '../../src/runtime/ports-ready.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { API_KEY } from './agent-process.js';
import { cmdline, parentOf, socketsOfTree, udpBound } from './proc-net.js';
import { deliveredCounts, deliveredSpans, SteadyTraffic, type TraceRequest } from './traffic.js';
import { freePort, sleep } from './util.js';

const repo = join(import.meta.dirname, '../..');
const SLOT_MS = 250;

let work: string;
let slug: string;
let socketPath: string;
let intake: RecordingIntake;
let dyno: Dyno | undefined;
let traffic: SteadyTraffic | undefined;
let uds: UdsSender | undefined;
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

/**
 * Reaped by the supervisor: every thread gone, its descriptors closed. (A killed Node process's
 * leader thread shows as a zombie while its other threads still hold the descriptors, and its relays
 * still read for it.)
 */
function dead(pid: number): boolean {
  return !existsSync(`/proc/${pid}`);
}

async function apmAnswers(timeoutMs = 500): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${ports.apm}/info`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Steady DogStatsD traffic on the Unix socket from another process, as the datadog Python client
 * sends it (a blocking socket: past the kernel's 10 queued datagrams the sender waits for the
 * reader). One datagram `crash.u0:1|c|#label:s<slot>` every `everyMs`; at SIGTERM it prints how many
 * it sent per label and exits.
 */
class UdsSender {
  private readonly child: ChildProcess;
  private output = '';
  private readonly done: Promise<void>;

  constructor(path: string, t0: number, everyMs: number) {
    const script = [
      'import json, signal, socket, sys, time',
      'path, t0, slot, every = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]) / 1000',
      'stop = []',
      'signal.signal(signal.SIGTERM, lambda *a: stop.append(1))',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      'sent, errors, nxt = {}, 0, time.time()',
      'while not stop:',
      '    label = "s%d" % ((time.time() * 1000 - t0) // slot)',
      '    try:',
      '        s.sendto(("crash.u0:1|c|#label:" + label).encode(), path)',
      '        sent[label] = sent.get(label, 0) + 1',
      '    except InterruptedError:',
      '        pass',
      '    except OSError:',
      '        errors += 1',
      '    nxt += every',
      '    time.sleep(max(0, nxt - time.time()))',
      'print(json.dumps({"sent": sent, "errors": errors}))',
    ].join('\n');
    this.child = spawn('python3', ['-c', script, path, String(t0), String(SLOT_MS), String(everyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child.stdout!.setEncoding('utf8').on('data', (t: string) => (this.output += t));
    this.done = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  async stop(): Promise<{ sent: Map<string, number>; errors: number }> {
    this.child.kill('SIGTERM');
    await this.done;
    const { sent, errors } = JSON.parse(this.output) as { sent: Record<string, number>; errors: number };
    return { sent: new Map(Object.entries(sent)), errors };
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'agent-crash-'));
  slug = join(work, 'slug');
  socketPath = join(work, 'dsd.socket');
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
    DD_DOGSTATSD_SOCKET: socketPath,
    DD_APM_RECEIVER_PORT: String(ports.apm),
    DD_CMD_PORT: String(ports.cmd),
    DD_DISABLE_HOST_METRICS: 'true',
  };
  // The app does nothing: the test itself is the app's traffic.
  dyno = bootDyno(slug, 'sleep 600', env, join(work, 'dyno.log'));
  const started = Date.now();
  while (!(agentPids().length === 1 && udpBound(ports.statsd) && boundUnixDatagramSockets().has(socketPath) && (await apmAnswers()))) {
    if (Date.now() - started > 30_000) throw new Error(`the dyno's agent did not start:\n${readFileSync(join(work, 'dyno.log'), 'utf8')}`);
    await sleep(50);
  }
}, 90_000);

afterAll(async () => {
  traffic?.close();
  uds?.kill();
  if (dyno !== undefined) await restartSignal(dyno, 25_000);
  await intake?.close();
  rmSync(work, { recursive: true, force: true });
});

it('SIGKILL of the agent: nothing sent once it is gone is lost or refused (UDP, Unix socket, traces); restart time and losses printed', { timeout: 90_000 }, async () => {
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
  uds = new UdsSender(socketPath, t0, 10);
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

  // Every 10 ms until a new agent answers: when the killed one is gone, when the new one is seen, whether the port was ever unbound.
  let goneAt: number | undefined;
  let udpUnbound = false;
  let newPid: number | undefined;
  let newPidAt: number | undefined;
  let servingAt: number | undefined;
  // A request made right after the death waits in the backlog until the new agent answers it.
  let firstAnswer: Promise<boolean> | undefined;
  while (servingAt === undefined) {
    if (Date.now() - killedAt > 30_000) throw new Error(`no agent serving 30 s after the SIGKILL:\n${readFileSync(join(work, 'dyno.log'), 'utf8')}`);
    const now = Date.now();
    if (goneAt === undefined && dead(victim!)) {
      goneAt = now;
      firstAnswer = apmAnswers(20_000).then((ok) => {
        if (ok) servingAt = Date.now();
        return ok;
      });
    }
    if (newPid === undefined) {
      newPid = newAgent();
      if (newPid !== undefined) newPidAt = now;
    }
    if (!udpBound(ports.statsd)) udpUnbound = true;
    if (firstAnswer !== undefined && servingAt === undefined && (await Promise.race([firstAnswer, sleep(10).then(() => undefined)])) === false) {
      throw new Error('the trace receiver refused or dropped a request made while the agent restarted');
    }
    if (firstAnswer === undefined) await sleep(10);
  }
  expect(socketsOfTree(newPid!).some((k) => k.proto === 'udp' && k.port === ports.statsd), 'the new agent (its relay) reads the DogStatsD port').toBe(true);
  await sleep(6_000);
  await traffic.stop();
  const udsSent = await uds.stop();
  uds = undefined;
  await sleep(500); // the relays hand what they read to the agent
  const stop = await restartSignal(dyno!, 25_000);
  dyno = undefined;

  // Datagrams: each UDP one carries counter c0 once, each Unix socket one u0 once; per 250 ms slot, sent vs delivered.
  const delivered = deliveredCounts(intake, 'crash');
  const tally = (sentByLabel: Map<string, number>, metric: string) => {
    const out = { before: { lost: 0, sent: 0 }, atKill: { lost: 0, sent: 0 }, after: { lost: 0, sent: 0 }, problems: [] as string[] };
    for (const [label, sent] of sentByLabel) {
      const slotStart = t0 + Number(label.slice(1)) * SLOT_MS;
      const got = delivered.get(`${metric}|${label}`) ?? 0;
      if (got > sent) out.problems.push(`${label}: sent ${sent}, delivered ${got} (more)`);
      const part = slotStart + SLOT_MS <= killedAt ? out.before : slotStart < goneAt! ? out.atKill : out.after;
      part.lost += sent - got;
      part.sent += sent;
      if (part === out.after && got !== sent) out.problems.push(`${label}: sent ${sent}, delivered ${got}`);
    }
    return out;
  };
  const udp = tally(traffic.datagramsByLabel, 'crash.c0');
  const unix = tally(udsSent.sent, 'crash.u0');
  // Trace requests: sent once the killed agent was gone must all be answered 200 and forwarded.
  const spans = deliveredSpans(intake);
  const arrived = (r: TraceRequest): boolean => r.traceIds.every((id) => spans.byTrace.get(id) === 3);
  const afterGone = traffic.requests.filter((r) => r.startedAt >= goneAt!);
  const atKill = traffic.requests.filter((r) => r.startedAt >= killedAt && r.startedAt < goneAt!);
  const before = traffic.requests.filter((r) => r.startedAt < killedAt);
  const refused = traffic.failed();
  const slowest = Math.max(...afterGone.filter((r) => r.startedAt < servingAt!).map((r) => r.endedAt! - r.startedAt), 0);

  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const line = (what: string, t: ReturnType<typeof tally>): string =>
    `${what} datagrams lost: ${t.before.lost} of ${t.before.sent} sent before the kill (in the killed agent, not yet flushed), ${t.atKill.lost} of ${t.atKill.sent} in the slot of the kill, ${t.after.lost} of ${t.after.sent} sent after`;
  console.log(
    [
      `agent SIGKILLed (pid ${victim}); gone after ${s(goneAt! - killedAt)}; new agent pid ${newPid} seen after ${s(newPidAt! - killedAt)}; serving (a request made at the death answered) after ${s(servingAt - killedAt)}`,
      `DogStatsD port ${udpUnbound ? 'seen UNBOUND' : 'bound throughout (held by the supervisor)'}; the slowest trace request sent while no agent ran took ${s(slowest)} (waiting in the backlog)`,
      line('UDP', udp),
      `${line('Unix socket', unix)}; ${udsSent.errors} send errors`,
      `trace requests: ${refused.length} failed (${[...new Set(refused.map((r) => `${r.error ?? r.status}${r.reused ? ' on a kept-alive connection' : ''}`))].join(', ') || 'none'}); ` +
        `${before.filter((r) => r.status === 200 && !arrived(r)).length} of ${before.length} sent before the kill answered 200 and never forwarded (held by the killed agent); ` +
        `${atKill.filter((r) => r.status !== 200 || !arrived(r)).length} of ${atKill.length} sent between the kill and the death lost; ${afterGone.length} sent after`,
      `dyno stop after the test: ${stop.processes} processes, ${s(stop.seconds * 1000)}, ${stop.killed} killed`,
    ].join('\n'),
  );

  expect(newPid).toBeDefined();
  expect(newPid).not.toBe(victim);
  expect(udpUnbound, 'the DogStatsD port stays bound while the agent restarts').toBe(false);
  // Nothing sent once the killed agent was gone is lost: datagrams over both sockets, trace requests.
  expect(udp.problems).toEqual([]);
  expect(unix.problems).toEqual([]);
  expect(udp.after.sent).toBeGreaterThan(1000);
  expect(unix.after.sent).toBeGreaterThan(300);
  expect(afterGone.length).toBeGreaterThan(100);
  // Every request sent once the agent is gone arrives: the receiver closes each connection after its
  // answer, so no client writes into a kept-alive connection that died with the agent.
  expect(afterGone.filter((r) => r.status !== 200 || !arrived(r)).map((r) => `${r.traceIds[0]}: ${r.status ?? r.error}${r.reused ? ' (reused connection)' : ''}`)).toEqual([]);
  expect(afterGone.some((r) => r.reused)).toBe(false);
  expect(spans.duplicates).toBe(0);
  expect(stop.killed).toBe(0);
});

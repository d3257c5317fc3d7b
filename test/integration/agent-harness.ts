// An in-process built-in agent wired to a recording intake, with a clock the test moves:
// buckets close when the test says so, flushes happen when the test calls them.
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type AgentOptions, type BuiltinAgent } from '../../src/agent/agent.js';
import type { Serie } from '../../src/agent/aggregator/payloads.js';
import { createLogger } from '../../src/log.js';
import { loadSettings } from '../../src/agent/settings.js';
import { decodeSketches } from '../../src/intake/payloads/sketches.js';
import type { SketchRecord } from '../../src/intake/records.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';

export const API_KEY = 'abcdef0123456789abcdef0123456789';
export const HOST = 'test-host';

export interface Harness {
  readonly agent: BuiltinAgent;
  readonly intake: RecordingIntake;
  readonly dir: string;
  readonly logs: string[];
  /** The fake clock, ms since epoch; starts 1 s into a bucket. */
  now: number;
  /** Moves the clock past the current bucket so it closes. */
  closeBucket(): void;
  /** Flushes closed buckets (all with `all`) and waits until the intake has them. */
  flush(all?: boolean): Promise<void>;
  series(): (Serie & { points: [number, number][] })[];
  sketches(): SketchRecord[];
  serviceChecks(): { check: string; host_name: string; status: number; message: string; tags: string[]; timestamp: number }[];
  events(): Record<string, { msg_title: string; msg_text: string; host: string; tags: string[]; alert_type: string; priority: string; aggregation_key?: string; timestamp: number }[]>[];
  /** Sends raw datagrams over UDP and waits until the agent has read them all. */
  send(...datagrams: (string | Buffer)[]): Promise<void>;
  waitPackets(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A port free right now on 127.0.0.1, for processes that take a port number (no port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function until(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export async function startHarness(setup: { env?: Record<string, string>; yaml?: string; options?: AgentOptions } = {}): Promise<Harness> {
  const intake = await startRecordingIntake();
  const dir = mkdtempSync(join(tmpdir(), 'agent-test-'));
  const configPath = join(dir, 'datadog.yaml');
  writeFileSync(configPath, setup.yaml ?? 'log_level: info\n');
  const settings = loadSettings(configPath, { DD_API_KEY: API_KEY, DD_DD_URL: intake.url, DD_HOSTNAME: HOST, ...setup.env });
  const logs: string[] = [];
  const sendSocket = createSocket('udp4');
  const harness: Harness = {
    agent: undefined as unknown as BuiltinAgent,
    intake,
    dir,
    logs,
    now: Math.floor(Date.now() / 10_000) * 10_000 + 1_000,
    closeBucket() {
      harness.now += 10_000;
    },
    async flush(all = false) {
      await harness.agent.flusher.flush(all);
      await harness.agent.transport.idle();
    },
    series: () => intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: Serie[] }>().series) as ReturnType<Harness['series']>,
    sketches: () => intake.accepted('/api/beta/sketches').flatMap((r) => decodeSketches(r.body)),
    serviceChecks: () => intake.accepted('/api/v1/check_run').flatMap((r) => r.json<ReturnType<Harness['serviceChecks']>>()),
    events: () => intake.accepted('/intake/').map((r) => r.json<{ events: ReturnType<Harness['events']>[number] }>().events),
    async send(...datagrams) {
      const before = harness.agent.dogstatsd.status().packets as number;
      for (const d of datagrams) {
        await new Promise<void>((resolve, reject) => sendSocket.send(d, harness.agent.dogstatsd.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
      await harness.waitPackets(before + datagrams.length);
    },
    waitPackets: (count) => until(() => (harness.agent.dogstatsd.status().packets as number) >= count, 5_000, `${count} packets`),
    async close() {
      sendSocket.close();
      await harness.agent.stop(Date.now() + 2_000);
      await intake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  (harness as { agent: BuiltinAgent }).agent = createAgent(settings, {
    ephemeralPorts: true,
    clock: () => harness.now,
    flushIntervalMs: 3_600_000,
    implicitChecks: [],
    backoff: { baseMs: 20, capMs: 200 },
    logger: createLogger('CORE', 'debug', (line) => logs.push(line)),
    ...setup.options,
  });
  await harness.agent.start();
  return harness;
}

/**
 * Closes the harness while the relay `pid` is frozen (SIGSTOP), waking it only once the agent
 * told it to stop: it then sees the end of its stdin and its socket's queue at once. What the
 * intake received stays readable.
 */
export async function closeWithFrozenRelay(h: Harness, pid: number): Promise<void> {
  const closed = h.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  process.kill(pid, 'SIGCONT');
  await closed;
}

/** The one point of the series named `metric` (optionally with `tag`), failing when absent. */
export function pointOf(series: Serie[], metric: string, tag?: string): number {
  const found = series.filter((s) => s.metric === metric && (tag === undefined || s.tags.includes(tag)));
  if (found.length !== 1) throw new Error(`expected one series ${metric}${tag ? ` with ${tag}` : ''}, found ${found.length}: ${JSON.stringify(series.map((s) => s.metric))}`);
  return found[0]!.points[0]![1];
}

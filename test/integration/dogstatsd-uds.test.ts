// DD_DOGSTATSD_SOCKET through the Perl relay: a client in another process (python's blocking
// socket, as the datadog Python client uses it), the drain at stop, relay restarts, bind errors.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { DatagramRelay } from '../../src/agent/dogstatsd/relay.js';
import { closeWithFrozenRelay, HOST, pointOf, startHarness, until, type Harness } from './agent-harness.js';

/** Sends each datagram with a blocking sendto from a python process; returns once all are queued. */
function sendFromPython(path: string, datagrams: string[]): void {
  const script = 'import socket, sys, json\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nfor d in json.load(sys.stdin): s.sendto(d.encode(), sys.argv[1])\n';
  execFileSync('python3', ['-c', script, path], { input: JSON.stringify(datagrams), timeout: 10_000 });
}

const dogstatsd = (h: Harness) => h.agent.dogstatsd.status() as Record<string, unknown> & { udsPackets: number; packets: number };

describe('DogStatsD over a Unix datagram socket', () => {
  let dir: string;
  let socketPath: string;
  let h: Harness | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'uds-'));
    socketPath = join(dir, 'dsd.socket');
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('aggregates what a client in another process sends; bad lines counted, status shows the socket', async () => {
    h = await startHarness({ env: { DD_DOGSTATSD_SOCKET: socketPath, DD_TAGS: 'dyno:web.1' } });
    const status = dogstatsd(h);
    expect(status.unixSocket).toBe(socketPath);
    expect(status.unixSocketRelayPid).toEqual(expect.any(Number));
    const datagrams = [
      ...Array.from({ length: 100 }, () => 'uds.hits:1|c|#route:/'),
      'uds.temp:21|g\nnot a metric\nuds.temp:23|g',
      '_e{5,4}:hello|body|#src:uds',
      '_sc|uds.ok|0|m:fine',
      `uds.big:1|c\n${'x'.repeat(9000)}`,
    ];
    sendFromPython(socketPath, datagrams);
    await h.waitPackets(datagrams.length);
    h.closeBucket();
    await h.flush();

    expect(pointOf(h.series(), 'uds.hits', 'route:/')).toBe(10);
    expect(pointOf(h.series(), 'uds.temp')).toBe(23);
    expect(pointOf(h.series(), 'uds.big')).toBe(0.1);
    expect(h.series().find((s) => s.metric === 'uds.hits')!.tags).toEqual(['dyno:web.1', 'route:/']);
    expect(Object.values(h.events()[0]!).flat()[0]).toMatchObject({ msg_title: 'hello', msg_text: 'body', host: HOST });
    expect(h.serviceChecks().find((c) => c.check === 'uds.ok')).toMatchObject({ status: 0, message: 'fine' });
    expect(dogstatsd(h)).toMatchObject({ udsPackets: datagrams.length, packets: datagrams.length, metricParseErrors: 1, truncatedPackets: 1, events: 1, serviceChecks: 1 });
    expect(dogstatsd(h).udsBytes).toBe(datagrams.reduce((sum, d) => sum + Buffer.byteLength(d), 0));
  });

  it('at stop, delivers what the socket still held when the agent was told to stop', async () => {
    h = await startHarness({ env: { DD_DOGSTATSD_SOCKET: socketPath, DD_DOGSTATSD_PORT: '0' } });
    const relay = dogstatsd(h).unixSocketRelayPid as number;
    // The relay frozen: the datagrams wait in the socket's queue, sent but not read (10 fit in a
    // queue of the kernel's default net.unix.max_dgram_qlen).
    process.kill(relay, 'SIGSTOP');
    const lines = (i: number) => Array.from({ length: 30 }, (_, j) => `uds.last:1|c\nuds.seq:${i * 30 + j}|g`).join('\n');
    sendFromPython(socketPath, Array.from({ length: 10 }, (_, i) => lines(i)));
    expect(dogstatsd(h).packets).toBe(0);
    const h2 = h;
    h = undefined;
    await closeWithFrozenRelay(h2, relay);

    expect(dogstatsd(h2).udsPackets).toBe(10);
    expect(pointOf(h2.series(), 'uds.last')).toBe(30);
    expect(pointOf(h2.series(), 'uds.seq')).toBe(299);
    expect(existsSync(socketPath)).toBe(false);
    expect(() => process.kill(relay, 0)).toThrow();
  });

  it('the relay ignores SIGTERM (the dyno sends it to every process) and is restarted when killed', async () => {
    h = await startHarness({ env: { DD_DOGSTATSD_SOCKET: socketPath } });
    const first = dogstatsd(h).unixSocketRelayPid as number;
    process.kill(first, 'SIGTERM');
    sendFromPython(socketPath, ['uds.after_term:1|c']);
    await h.waitPackets(1);

    process.kill(first, 'SIGKILL');
    await until(() => String(dogstatsd(h!).unixSocket).startsWith('unavailable: relay stopped (killed by SIGKILL), restarting'), 2_000, 'the relay seen gone');
    await until(() => dogstatsd(h!).unixSocket === socketPath, 5_000, 'the relay back');
    expect(dogstatsd(h)).toMatchObject({ unixSocketRelayRestarts: 1 });
    expect(dogstatsd(h).unixSocketRelayPid).not.toBe(first);
    sendFromPython(socketPath, ['uds.after_kill:1|c']);
    await h.waitPackets(2);
    expect(h.logs.join('')).toContain(`dogstatsd: the relay of Unix socket ${socketPath} stopped (killed by SIGKILL); restarting in 1 s`);
  });

  it('a socket that cannot be bound is reported in status and the log; UDP keeps working', async () => {
    const missing = join(dir, 'no-such-dir', 'dsd.socket');
    h = await startHarness({ env: { DD_DOGSTATSD_SOCKET: missing } });
    expect(dogstatsd(h).unixSocket).toBe('unavailable: bind: No such file or directory');
    expect(h.logs.join('')).toContain(`dogstatsd: cannot listen on Unix socket DD_DOGSTATSD_SOCKET=${missing}: bind: No such file or directory`);
    await h.send('udp.still:1|c');
    expect(dogstatsd(h).packets).toBe(1);
  });
});

describe('DatagramRelay without perl', () => {
  it('says perl is missing, once, and does not retry', async () => {
    const lines: string[] = [];
    const relay = new DatagramRelay({ socket: { kind: 'unix', path: join(tmpdir(), 'never.sock') }, perl: '/nonexistent/perl', onDatagram: () => {}, logger: createLogger('CORE', 'debug', (l) => lines.push(l)) });
    expect(await relay.start()).toBe('/nonexistent/perl not found: the relay needs perl (/usr/bin/perl on Heroku stacks)');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(relay.unavailable).toMatch(/not found/);
    expect(relay.restarts).toBe(0);
    expect(lines).toEqual([]);
    await relay.stop();
  });
});

// UDP through the Perl relay: what the kernel still buffered at stop is delivered, a killed relay
// comes back on the same port, a taken port names DD_DOGSTATSD_PORT, and without perl Node's own
// dgram socket takes over.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DogStatsdCounters } from '../../src/agent/dogstatsd/counters.js';
import { DogStatsdServer } from '../../src/agent/dogstatsd/server.js';
import { createLogger } from '../../src/log.js';
import { closeWithFrozenRelay, pointOf, startHarness, until, type Harness } from './agent-harness.js';

const dogstatsd = (h: Harness) => h.agent.dogstatsd.status() as Record<string, unknown> & { packets: number };

/** Sends from a socket of this process without waiting for the agent to read anything. */
async function sendRaw(port: number, datagrams: string[]): Promise<void> {
  const socket = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  socket.close();
}

describe('DogStatsD over UDP through the relay', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('at stop, delivers what the kernel still buffered for the socket', async () => {
    h = await startHarness();
    const relay = dogstatsd(h).udpRelayPid as number;
    expect(relay).toEqual(expect.any(Number));
    process.kill(relay, 'SIGSTOP');
    await sendRaw(h.agent.dogstatsd.port, Array.from({ length: 200 }, (_, i) => `udp.last:1|c\nudp.seq:${i}|g`));
    expect(dogstatsd(h).packets).toBe(0);
    const stoppedHarness = h;
    h = undefined;
    await closeWithFrozenRelay(stoppedHarness, relay);

    expect(dogstatsd(stoppedHarness).packets).toBe(200);
    expect(pointOf(stoppedHarness.series(), 'udp.last')).toBe(20);
    expect(pointOf(stoppedHarness.series(), 'udp.seq')).toBe(199);
    expect(() => process.kill(relay, 0)).toThrow();
  });

  it('a killed relay is restarted on the same port; status and the log say so', async () => {
    h = await startHarness();
    const port = h.agent.dogstatsd.port;
    const first = dogstatsd(h).udpRelayPid as number;
    process.kill(first, 'SIGTERM'); // the dyno's SIGTERM to every process: ignored
    await h.send('udp.after_term:1|c');

    process.kill(first, 'SIGKILL');
    await until(() => String(dogstatsd(h!).udp).startsWith('unavailable: relay stopped (killed by SIGKILL), restarting'), 2_000, 'the relay seen gone');
    await until(() => dogstatsd(h!).udp === `127.0.0.1:${port}`, 5_000, 'the relay back');
    expect(dogstatsd(h)).toMatchObject({ udpRelayRestarts: 1 });
    expect(dogstatsd(h).udpRelayPid).not.toBe(first);
    expect(h.agent.dogstatsd.port).toBe(port);
    await h.send('udp.after_kill:1|c');
    expect(h.logs.join('')).toContain(`dogstatsd: the relay of UDP 127.0.0.1:${port} stopped (killed by SIGKILL); restarting in 1 s`);
  });

  it('a relay that cannot bind again after being killed retries, each delay doubled, until it can', async () => {
    h = await startHarness();
    const port = h.agent.dogstatsd.port;
    process.kill(dogstatsd(h).udpRelayPid as number, 'SIGKILL');
    await until(() => String(dogstatsd(h!).udp).startsWith('unavailable: relay stopped'), 2_000, 'the relay seen gone');
    // Another process takes the port before the restart, 1 s later.
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
    try {
      await until(() => dogstatsd(h!).udp === 'unavailable: bind: Address already in use, retrying', 3_000, 'the failed restart');
      expect(h.logs.join('')).toContain(`dogstatsd: cannot listen on UDP 127.0.0.1:${port}: bind: Address already in use; retrying in 2 s`);
    } finally {
      squatter.close();
    }
    await until(() => dogstatsd(h!).udp === `127.0.0.1:${port}`, 5_000, 'the relay back');
    expect(dogstatsd(h)).toMatchObject({ udpRelayRestarts: 2 });
    await h.send('udp.after_retry:1|c');
  });

  it('a port already taken fails the start with the variable to change', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const port = taken.address().port;
    const sink = { datagram() {}, metric() {}, event() {}, serviceCheck() {} };
    const server = new DogStatsdServer({ port, nonLocalTraffic: false, sink, counters: new DogStatsdCounters(), logger: createLogger('CORE', 'off') });
    try {
      await expect(server.start()).rejects.toThrow(`DD_DOGSTATSD_PORT=${port}: cannot listen on UDP 127.0.0.1:${port}: bind: Address already in use`);
    } finally {
      await server.stop();
      taken.close();
    }
  });

  it.each([
    ['perl is missing', '/nonexistent/perl', '/nonexistent/perl not found'],
    ['the relay cannot run', '/bin/false', 'exit code 1'],
  ])('when %s, Node reads UDP itself and says so once', async (_, perl, why) => {
    h = await startHarness({ options: { perl } });
    const status = dogstatsd(h);
    expect(status.udp).toBe(`127.0.0.1:${h.agent.dogstatsd.port}`);
    expect(status.udpRelayPid).toBeUndefined();
    expect(status.udpReceiveBufferBytes).toEqual(expect.any(Number));
    await h.send('udp.node:1|c', 'udp.node:2|c');
    h.closeBucket();
    await h.flush();
    expect(pointOf(h.series(), 'udp.node')).toBe(0.3);
    expect(h.logs.filter((l) => l.includes(`dogstatsd: no relay (${why}`))).toHaveLength(1);
  });
});

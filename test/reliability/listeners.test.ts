// Every listener of `agent run` (lib/agent.js) — DogStatsD UDP (held by its Perl relay), the trace
// receiver, IPC — binds 127.0.0.1 by default, as the kernel reports the process tree's sockets in
// /proc/net, and nothing answers on this machine's other addresses; with the NON_LOCAL_TRAFFIC
// switches DogStatsD and APM bind all interfaces while IPC stays on loopback. IPC refuses tokens
// that are almost right (the missing and the plainly wrong token are in agent-cli.test.ts).
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { socketsOfTree } from './proc-net.js';
import { sleep, until } from './util.js';

let intake: RecordingIntake | undefined;
let agent: AgentProcess | undefined;

afterEach(async () => {
  await agent?.close();
  await intake?.close();
  agent = intake = undefined;
});

/** A non-loopback IPv4 address of this machine, when it has one. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

function tcpConnects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function sendUdp(host: string, port: number, text: string): Promise<void> {
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.send(text, port, host, () => resolve()));
  socket.close();
}

/** The listeners of the agent's process tree: TCP sockets in LISTEN, bound UDP sockets. */
function listeners(a: AgentProcess): { proto: string; address: string; port: number }[] {
  return socketsOfTree(a.child.pid!)
    .filter((s) => (s.proto.startsWith('tcp') && s.state === '0A') || (s.proto.startsWith('udp') && s.port !== 0))
    .map(({ proto, address, port }) => ({ proto, address, port }))
    .sort((x, y) => x.port - y.port || x.proto.localeCompare(y.proto));
}

async function packets(a: AgentProcess): Promise<number> {
  return (await a.statusJson()).components.dogstatsd!.packets as number;
}

describe('listeners', () => {
  it('default: DogStatsD, trace receiver and IPC bind 127.0.0.1 only; other local addresses get nothing', { timeout: 30_000 }, async () => {
    intake = await startRecordingIntake();
    agent = await startAgentProcess({ intakeUrl: intake.url });
    const a = agent;
    await until(() => listeners(a).length >= 3, 5_000, 'the three listeners in /proc/net');
    const found = listeners(a);
    console.log(`listeners (default): ${JSON.stringify(found)}; non-loopback address probed: ${external ?? 'none on this machine'}`);
    expect(found).toEqual(
      [
        { proto: 'udp', address: '127.0.0.1', port: a.statsdPort },
        { proto: 'tcp', address: '127.0.0.1', port: a.apmPort },
        { proto: 'tcp', address: '127.0.0.1', port: a.cmdPort },
      ].sort((x, y) => x.port - y.port),
    );
    expect(await tcpConnects('127.0.0.1', a.apmPort)).toBe(true);
    expect(await tcpConnects('127.0.0.1', a.cmdPort)).toBe(true);
    if (external !== undefined) {
      expect(await tcpConnects(external, a.apmPort)).toBe(false);
      expect(await tcpConnects(external, a.cmdPort)).toBe(false);
      for (let i = 0; i < 5; i++) await sendUdp(external, a.statsdPort, 'listeners.external:1|c');
      await sendUdp('127.0.0.1', a.statsdPort, 'listeners.loopback:1|c');
      let seen = 0;
      for (let i = 0; i < 100 && seen < 1; i++) {
        seen = await packets(a);
        await sleep(20);
      }
      await sleep(200);
      expect(await packets(a)).toBe(1);
    }
  });

  it('NON_LOCAL_TRAFFIC=true: DogStatsD and APM on all interfaces (the check above can tell), IPC still on loopback', { timeout: 30_000 }, async () => {
    intake = await startRecordingIntake();
    agent = await startAgentProcess({ intakeUrl: intake.url, env: { DD_DOGSTATSD_NON_LOCAL_TRAFFIC: 'true', DD_APM_NON_LOCAL_TRAFFIC: 'true' } });
    const a = agent;
    await until(() => listeners(a).length >= 3, 5_000, 'the three listeners in /proc/net');
    const found = listeners(a);
    expect(found).toEqual(
      [
        { proto: 'udp', address: '0.0.0.0', port: a.statsdPort },
        { proto: 'tcp', address: '0.0.0.0', port: a.apmPort },
        { proto: 'tcp', address: '127.0.0.1', port: a.cmdPort },
      ].sort((x, y) => x.port - y.port),
    );
    if (external !== undefined) {
      expect(await tcpConnects(external, a.apmPort)).toBe(true);
      expect(await tcpConnects(external, a.cmdPort)).toBe(false);
      await sendUdp(external, a.statsdPort, 'listeners.external:1|c');
      let seen = 0;
      for (let i = 0; i < 100 && seen < 1; i++) {
        seen = await packets(a);
        await sleep(20);
      }
      expect(seen).toBe(1);
    }
  });

  it('IPC refuses a token that is almost right; the right one is served', { timeout: 30_000 }, async () => {
    intake = await startRecordingIntake();
    agent = await startAgentProcess({ intakeUrl: intake.url });
    const token = readFileSync(join(agent.dir, 'auth_token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    const url = `http://127.0.0.1:${agent.cmdPort}/agent/status?format=json`;
    const flip = (c: string): string => (c === 'a' ? 'b' : 'a');
    const refused: [string, Record<string, string>, string][] = [
      ['the token without "Bearer "', { Authorization: token }, url],
      ['a longer token', { Authorization: `Bearer ${token}x` }, url],
      ['a shorter token', { Authorization: `Bearer ${token.slice(0, -1)}` }, url],
      ['the last character changed', { Authorization: `Bearer ${token.slice(0, -1)}${flip(token.at(-1)!)}` }, url],
      ['the first character changed', { Authorization: `Bearer ${flip(token[0]!)}${token.slice(1)}` }, url],
      ['Basic authentication', { Authorization: `Basic ${Buffer.from(`agent:${token}`).toString('base64')}` }, url],
      ['the token in the query', {}, `${url}&token=${token}`],
      ['an empty bearer', { Authorization: 'Bearer ' }, url],
    ];
    for (const [what, headers, target] of refused) {
      const res = await fetch(target, { headers });
      const body = await res.text();
      expect(res.status, what).toBe(401);
      expect(body, what).not.toContain(token);
    }
    for (const path of ['/agent/health', '/agent/version']) {
      expect((await fetch(`http://127.0.0.1:${agent.cmdPort}${path}`, { headers: { Authorization: `Bearer ${token}x` } })).status, path).toBe(401);
    }
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { components: Record<string, unknown> }).components).toHaveProperty('dogstatsd');
  });
});

import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundPorts, boundUnixDatagramSockets, relaysRunning, waitForPorts } from '../../../src/runtime/ports-ready.js';

describe('boundPorts', () => {
  it('reads UDP sockets of any state and only listening TCP sockets, IPv4 and IPv6', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procnet-'));
    const header = '  sl  local_address rem_address   st tx_queue rx_queue\n';
    writeFileSync(join(dir, 'udp'), `${header}   0: 0100007F:1FBD 00000000:0000 07 00000000:00000000\n`);
    writeFileSync(join(dir, 'udp6'), `${header}   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 07 0\n`);
    writeFileSync(
      join(dir, 'tcp'),
      `${header}   0: 0100007F:1FBE 00000000:0000 0A 0\n   1: 0100007F:0050 0100007F:D431 01 0\n`,
    );
    expect([...boundPorts('udp', dir)].sort()).toEqual([8080, 8125]);
    expect([...boundPorts('tcp', dir)]).toEqual([8126]);
  });
});

describe('boundUnixDatagramSockets', () => {
  it('lists bound datagram sockets (type 0002) with their paths, not stream or unnamed ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procnet-'));
    writeFileSync(
      join(dir, 'unix'),
      [
        'Num       RefCount Protocol Flags    Type St Inode Path',
        '0000000000000000: 00000002 00000000 00000000 0002 01 41 /tmp/dsd.socket',
        '0000000000000000: 00000002 00000000 00010000 0001 01 42 /run/stream.sock',
        '0000000000000000: 00000002 00000000 00000000 0002 01 43',
        '0000000000000000: 00000002 00000000 00000000 0002 01 44 /tmp/with space.sock',
        '',
      ].join('\n'),
    );
    expect([...boundUnixDatagramSockets(dir)].sort()).toEqual(['/tmp/dsd.socket', '/tmp/with space.sock']);
    expect(boundUnixDatagramSockets(join(dir, 'missing')).size).toBe(0);
  });
});

describe('waitForPorts', () => {
  it('resolves once a real UDP socket and TCP listener are bound', async () => {
    const udp = createSocket('udp4');
    const tcp = createServer();
    try {
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
      const tcpPort = (tcp.address() as { port: number }).port;
      // Pick a free UDP port, release it, and bind it again a moment after the wait began.
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      const udpPort = udp.address().port;
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      const late = createSocket('udp4');
      setTimeout(() => late.bind(udpPort, '127.0.0.1'), 150);
      try {
        expect(await waitForPorts({ udp: [udpPort], tcp: [tcpPort] }, 10_000, () => false)).toBe(true);
      } finally {
        late.close();
      }
    } finally {
      tcp.close();
    }
  });

  it('gives up when the agent is gone or the time is over', async () => {
    expect(await waitForPorts({ udp: [1], tcp: [] }, 10_000, () => true)).toBe(false);
    expect(await waitForPorts({ udp: [], tcp: [1] }, 50, () => false)).toBe(false);
  });
});

describe('relaysRunning', () => {
  /** A fake /proc: pid → [parent, argv]. */
  function fakeProc(processes: Record<number, [number, string[]]>): string {
    const dir = mkdtempSync(join(tmpdir(), 'proc-'));
    for (const [pid, [parent, argv]] of Object.entries(processes)) {
      mkdirSync(join(dir, pid));
      writeFileSync(join(dir, pid, 'stat'), `${pid} (perl) S ${parent} 1 1 0 -1`);
      writeFileSync(join(dir, pid, 'cmdline'), `${argv.join('\0')}\0`);
    }
    return dir;
  }
  const relay = (...rest: string[]): string[] => ['dogstatsd-relay', '-e', 'open(...)', '--', ...rest];

  it('finds a relay per kind below the supervisor, reading an inherited socket or one it bound', () => {
    const proc = fakeProc({
      100: [1, ['datadog-supervisor', '-e', 'x', '--', '--name=agent']],
      101: [100, ['node', 'agent.js', 'run']],
      102: [101, relay('fd', 'udp', '4', '4194304')],
      103: [101, relay('unix', '/tmp/dsd.socket')],
      200: [1, relay('fd', 'unix', '4')], // another dyno's
    });
    expect(relaysRunning(100, ['udp', 'unix'], proc)).toBe(true);
    expect(relaysRunning(100, [], proc)).toBe(true);
    expect(relaysRunning(101, ['udp'], proc)).toBe(true);
    expect(relaysRunning(300, ['udp'], proc)).toBe(false);
  });

  it('is false until the agent has started them', () => {
    const proc = fakeProc({ 100: [1, ['datadog-supervisor']], 101: [100, ['node', 'agent.js', 'run']], 102: [101, relay('fd', 'udp', '4')] });
    expect(relaysRunning(100, ['udp', 'unix'], proc)).toBe(false);
    expect(relaysRunning(100, ['udp'], proc)).toBe(true);
  });
});

// Waits until the agent's DogStatsD port (and Unix socket) and trace port are bound, so the app's
// first packets reach it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

type Protocol = 'udp' | 'tcp';

/** Ports bound on this machine, from /proc/net: UDP sockets of any state, TCP ones listening (0A). */
export function boundPorts(protocol: Protocol, procNet = '/proc/net'): Set<number> {
  const ports = new Set<number>();
  for (const file of [protocol, `${protocol}6`]) {
    let text: string;
    try {
      text = readFileSync(`${procNet}/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || (protocol === 'tcp' && fields[3] !== '0A')) continue;
      ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}

/** Absolute paths of the bound Unix datagram sockets, from /proc/net/unix (type 0002 is SOCK_DGRAM). */
export function boundUnixDatagramSockets(procNet = '/proc/net'): Set<string> {
  const paths = new Set<string>();
  let text: string;
  try {
    text = readFileSync(`${procNet}/unix`, 'utf8');
  } catch {
    return paths;
  }
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const fields = line.trim().split(/\s+/);
    if (fields[4] === '0002' && fields[7] !== undefined) paths.add(resolve(fields.slice(7).join(' ')));
  }
  return paths;
}

export interface PortWait {
  readonly udp: readonly number[];
  readonly tcp: readonly number[];
  readonly unixDatagram?: readonly string[];
}

/** Resolves true once every port is bound, false at `timeoutMs` or when `gaveUp()` says the agent is gone. */
export async function waitForPorts(wanted: PortWait, timeoutMs: number, gaveUp: () => boolean, procNet?: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const unixWanted = wanted.unixDatagram ?? [];
  for (;;) {
    const udp = boundPorts('udp', procNet);
    const tcp = boundPorts('tcp', procNet);
    const unix = unixWanted.length > 0 ? boundUnixDatagramSockets(procNet) : new Set<string>();
    if (wanted.udp.every((p) => udp.has(p)) && wanted.tcp.every((p) => tcp.has(p)) && unixWanted.every((p) => unix.has(p))) return true;
    if (Date.now() >= deadline || gaveUp()) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

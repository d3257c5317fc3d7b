// Waits until the agent's DogStatsD and trace ports are bound, so the app's first packets reach it.
import { readFileSync } from 'node:fs';

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

export interface PortWait {
  readonly udp: readonly number[];
  readonly tcp: readonly number[];
}

/** Resolves true once every port is bound, false at `timeoutMs` or when `gaveUp()` says the agent is gone. */
export async function waitForPorts(wanted: PortWait, timeoutMs: number, gaveUp: () => boolean, procNet?: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const udp = boundPorts('udp', procNet);
    const tcp = boundPorts('tcp', procNet);
    if (wanted.udp.every((p) => udp.has(p)) && wanted.tcp.every((p) => tcp.has(p))) return true;
    if (Date.now() >= deadline || gaveUp()) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

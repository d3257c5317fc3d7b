// Waits until the agent's DogStatsD port (and Unix socket) and trace port are bound, so the app's
// first packets reach it; with the builtin flavour's supervisor, which binds them before the agent
// starts, also until a DogStatsD relay reads each datagram socket.
import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * Resolves true once every port is bound (and `served()`, when given, says the agent reads them),
 * false at `timeoutMs` or when `gaveUp()` says the agent is gone.
 */
export async function waitForPorts(wanted: PortWait, timeoutMs: number, gaveUp: () => boolean, procNet?: string, served: () => boolean = () => true): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const unixWanted = wanted.unixDatagram ?? [];
  for (;;) {
    const udp = boundPorts('udp', procNet);
    const tcp = boundPorts('tcp', procNet);
    const unix = unixWanted.length > 0 ? boundUnixDatagramSockets(procNet) : new Set<string>();
    if (wanted.udp.every((p) => udp.has(p)) && wanted.tcp.every((p) => tcp.has(p)) && unixWanted.every((p) => unix.has(p)) && served()) return true;
    if (Date.now() >= deadline || gaveUp()) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function parentPid(pid: number, proc: string): number | undefined {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Whether, below process `root` (the supervisor), a DogStatsD relay (relay.pl, `ps` name
 * `dogstatsd-relay`) runs for each of `kinds`: its arguments after `--` are `fd <kind> …` with a
 * socket the supervisor holds, `<kind> …` with one it binds itself. The socket being bound is not
 * enough when the supervisor binds it: a Unix socket's queue holds 10 datagrams until a relay reads.
 */
export function relaysRunning(root: number, kinds: readonly ('udp' | 'unix')[], proc = '/proc'): boolean {
  if (kinds.length === 0) return true;
  const found = new Set<string>();
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return false;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let args: string[];
    try {
      args = readFileSync(`${proc}/${name}/cmdline`, 'latin1').split('\0');
    } catch {
      continue;
    }
    if (args[0] !== 'dogstatsd-relay') continue;
    const rest = args.slice(args.indexOf('--') + 1);
    const kind = rest[0] === 'fd' ? rest[1] : rest[0];
    if (kind === undefined || !kinds.includes(kind as 'udp' | 'unix')) continue;
    // Below the supervisor (another dyno's relays may share the machine in tests).
    let pid: number | undefined = Number(name);
    for (let depth = 0; pid !== undefined && pid > 1 && depth < 16; depth++) {
      if (pid === root) {
        found.add(kind);
        break;
      }
      pid = parentPid(pid, proc);
    }
  }
  return kinds.every((k) => found.has(k));
}

// What the kernel says about processes and their sockets: /proc/net/{tcp,tcp6,udp,udp6} parsed,
// each socket tied to the processes holding it through /proc/<pid>/fd, and process trees.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export type Proto = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface NetSocket {
  readonly proto: Proto;
  readonly address: string;
  readonly port: number;
  /** Kernel state in hex: 0A is a listening TCP socket, 07 an unconnected UDP one. */
  readonly state: string;
  readonly inode: number;
}

function ipv4(hex: string): string {
  // Little-endian 32-bit word.
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  // Four little-endian 32-bit words.
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (const i of [6, 4, 2, 0]) bytes.push(parseInt(word.slice(i, i + 2), 16));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const full = groups.join(':');
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  if (full.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${ipv4(hex.slice(24))}`;
  return full;
}

export function netSockets(): NetSocket[] {
  const out: NetSocket[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${proto}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [addr, port] = fields[1]!.split(':') as [string, string];
      out.push({ proto, address: proto.endsWith('6') ? ipv6(addr) : ipv4(addr), port: parseInt(port, 16), state: fields[3]!, inode: Number(fields[9]) });
    }
  }
  return out;
}

/** Inodes of the sockets `pid` holds open. */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(Number(match[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(Number(name));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
}

/** Sockets held by `pid` and its descendants (the agent and its DogStatsD relays). */
export function socketsOfTree(pid: number): (NetSocket & { readonly pid: number })[] {
  const byInode = new Map(netSockets().map((s) => [s.inode, s]));
  const out: (NetSocket & { pid: number })[] = [];
  for (const p of processTree(pid)) {
    for (const inode of socketInodes(p)) {
      const s = byInode.get(inode);
      if (s !== undefined) out.push({ ...s, pid: p });
    }
  }
  return out;
}

/** Whether some socket is bound to UDP `port` on this machine right now. */
export function udpBound(port: number): boolean {
  return netSockets().some((s) => (s.proto === 'udp' || s.proto === 'udp6') && s.port === port && s.state === '07');
}

// cpu, memory, load, uptime, disk and network, with the metric names of the agent's checks: each a
// check definition like the integrations, run as an implicit instance unless DD_DISABLE_HOST_METRICS.
import { readFile, statfs } from 'node:fs/promises';
import { cpus, loadavg, uptime } from 'node:os';
import type { CheckDefinition, Sender } from './check.js';

export interface ProcFiles {
  /** Root of /proc; tests point it at fixtures. */
  readonly proc: string;
  /** Filesystem the disk check measures. */
  readonly diskPath: string;
}

const DEFAULT_FILES: ProcFiles = { proc: '/proc', diskPath: '/' };

/** A host check: one run function per instance, with its state (previous readings) in the closure. */
function hostCheck(name: string, make: () => (sender: Sender) => Promise<void>, needsTwoRuns = false): CheckDefinition {
  return { name, needsTwoRuns, create: () => ({ run: make() }) };
}

function cpuCheck(files: ProcFiles): CheckDefinition {
  return hostCheck('cpu', () => {
    let previous: number[] | undefined;
    return async (sender) => {
      const line = (await readFile(`${files.proc}/stat`, 'utf8')).split('\n').find((l) => l.startsWith('cpu '));
      if (line === undefined) throw new Error(`no cpu line in ${files.proc}/stat`);
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
      const current = [user + nice, system + irq + softirq, idle, iowait, steal];
      sender.gauge('system.cpu.num_cores', cpus().length);
      if (previous !== undefined) {
        const deltas = current.map((v, i) => v - previous![i]!);
        const total = deltas.reduce((a, b) => a + b, 0);
        if (total > 0) {
          const names = ['system.cpu.user', 'system.cpu.system', 'system.cpu.idle', 'system.cpu.iowait', 'system.cpu.stolen'];
          names.forEach((name, i) => sender.gauge(name, (100 * deltas[i]!) / total));
        }
      }
      previous = current;
    };
  }, true);
}

function memoryCheck(files: ProcFiles): CheckDefinition {
  return hostCheck('memory', () => async (sender) => {
    const info = new Map<string, number>();
    for (const line of (await readFile(`${files.proc}/meminfo`, 'utf8')).split('\n')) {
      const match = /^(\w+):\s+(\d+)/.exec(line);
      if (match) info.set(match[1]!, Number(match[2]) / 1024); // kB → MB
    }
    const total = info.get('MemTotal') ?? 0;
    const free = info.get('MemFree') ?? 0;
    const usable = info.get('MemAvailable') ?? free + (info.get('Cached') ?? 0) + (info.get('Buffers') ?? 0);
    const swapTotal = info.get('SwapTotal') ?? 0;
    const swapFree = info.get('SwapFree') ?? 0;
    sender.gauge('system.mem.total', total);
    sender.gauge('system.mem.free', free);
    sender.gauge('system.mem.used', total - free);
    sender.gauge('system.mem.usable', usable);
    sender.gauge('system.mem.cached', info.get('Cached') ?? 0);
    sender.gauge('system.mem.buffered', info.get('Buffers') ?? 0);
    sender.gauge('system.mem.pct_usable', total > 0 ? usable / total : 0);
    sender.gauge('system.swap.total', swapTotal);
    sender.gauge('system.swap.free', swapFree);
    sender.gauge('system.swap.used', swapTotal - swapFree);
  });
}

function loadCheck(): CheckDefinition {
  return hostCheck('load', () => async (sender) => {
    const [one = 0, five = 0, fifteen = 0] = loadavg();
    const cores = Math.max(1, cpus().length);
    sender.gauge('system.load.1', one);
    sender.gauge('system.load.5', five);
    sender.gauge('system.load.15', fifteen);
    sender.gauge('system.load.norm.1', one / cores);
    sender.gauge('system.load.norm.5', five / cores);
    sender.gauge('system.load.norm.15', fifteen / cores);
  });
}

function uptimeCheck(): CheckDefinition {
  return hostCheck('uptime', () => async (sender) => sender.gauge('system.uptime', uptime()));
}

function diskCheck(files: ProcFiles): CheckDefinition {
  return hostCheck('disk', () => async (sender) => {
    const stats = await statfs(files.diskPath);
    const totalKb = (stats.blocks * stats.bsize) / 1024;
    const freeKb = (stats.bavail * stats.bsize) / 1024;
    const usedKb = ((stats.blocks - stats.bfree) * stats.bsize) / 1024;
    const tags = [`device:${files.diskPath}`];
    sender.gauge('system.disk.total', totalKb, tags);
    sender.gauge('system.disk.used', usedKb, tags);
    sender.gauge('system.disk.free', freeKb, tags);
    sender.gauge('system.disk.in_use', totalKb > 0 ? usedKb / (usedKb + freeKb) : 0, tags);
  });
}

/** Byte and packet counters per interface, sent as rates (per second between two runs) as the network check does. */
function networkCheck(files: ProcFiles): CheckDefinition {
  const names = ['system.net.bytes_rcvd', 'system.net.packets_in.count', 'system.net.packets_in.error', 'system.net.bytes_sent', 'system.net.packets_out.count', 'system.net.packets_out.error'];
  return hostCheck('network', () => async (sender) => {
    for (const line of (await readFile(`${files.proc}/net/dev`, 'utf8')).split('\n').slice(2)) {
      const match = /^\s*([^:]+):\s*(.*)$/.exec(line);
      if (!match || match[1] === 'lo') continue;
      const f = match[2]!.trim().split(/\s+/).map(Number);
      const counters = [f[0] ?? 0, f[1] ?? 0, f[2] ?? 0, f[8] ?? 0, f[9] ?? 0, f[10] ?? 0];
      names.forEach((name, i) => sender.rate(name, counters[i]!, [`device:${match[1]}`]));
    }
  }, true);
}

export const HOST_CHECK_NAMES = ['cpu', 'memory', 'load', 'uptime', 'disk', 'network'] as const;

export function hostCheckDefinitions(files: ProcFiles = DEFAULT_FILES): CheckDefinition[] {
  return [cpuCheck(files), memoryCheck(files), loadCheck(), uptimeCheck(), diskCheck(files), networkCheck(files)];
}

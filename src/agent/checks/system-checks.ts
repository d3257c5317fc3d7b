// cpu, memory, load, uptime, disk and network, with the metric names of the agent's checks.
import { readFile, statfs } from 'node:fs/promises';
import { cpus, loadavg, uptime } from 'node:os';
import { gauge, rate, type CheckSerie, type HostCheck } from './host-check.js';

export interface ProcFiles {
  /** Root of /proc; tests point it at fixtures. */
  readonly proc: string;
  /** Filesystem the disk check measures. */
  readonly diskPath: string;
}

const DEFAULT_FILES: ProcFiles = { proc: '/proc', diskPath: '/' };

function cpuCheck(files: ProcFiles): HostCheck {
  let previous: number[] | undefined;
  return {
    name: 'cpu',
    async run(now) {
      const line = (await readFile(`${files.proc}/stat`, 'utf8')).split('\n').find((l) => l.startsWith('cpu '));
      if (line === undefined) throw new Error(`no cpu line in ${files.proc}/stat`);
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
      const current = [user + nice, system + irq + softirq, idle, iowait, steal];
      const series: CheckSerie[] = [gauge('system.cpu.num_cores', now, cpus().length)];
      if (previous !== undefined) {
        const deltas = current.map((v, i) => v - previous![i]!);
        const total = deltas.reduce((a, b) => a + b, 0);
        if (total > 0) {
          const names = ['system.cpu.user', 'system.cpu.system', 'system.cpu.idle', 'system.cpu.iowait', 'system.cpu.stolen'];
          names.forEach((name, i) => series.push(gauge(name, now, (100 * deltas[i]!) / total)));
        }
      }
      previous = current;
      return series;
    },
  };
}

function memoryCheck(files: ProcFiles): HostCheck {
  return {
    name: 'memory',
    async run(now) {
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
      return [
        gauge('system.mem.total', now, total),
        gauge('system.mem.free', now, free),
        gauge('system.mem.used', now, total - free),
        gauge('system.mem.usable', now, usable),
        gauge('system.mem.cached', now, info.get('Cached') ?? 0),
        gauge('system.mem.buffered', now, info.get('Buffers') ?? 0),
        gauge('system.mem.pct_usable', now, total > 0 ? usable / total : 0),
        gauge('system.swap.total', now, swapTotal),
        gauge('system.swap.free', now, swapFree),
        gauge('system.swap.used', now, swapTotal - swapFree),
      ];
    },
  };
}

function loadCheck(): HostCheck {
  return {
    name: 'load',
    async run(now) {
      const [one = 0, five = 0, fifteen = 0] = loadavg();
      const cores = Math.max(1, cpus().length);
      return [
        gauge('system.load.1', now, one),
        gauge('system.load.5', now, five),
        gauge('system.load.15', now, fifteen),
        gauge('system.load.norm.1', now, one / cores),
        gauge('system.load.norm.5', now, five / cores),
        gauge('system.load.norm.15', now, fifteen / cores),
      ];
    },
  };
}

function uptimeCheck(): HostCheck {
  return { name: 'uptime', run: async (now) => [gauge('system.uptime', now, uptime())] };
}

function diskCheck(files: ProcFiles): HostCheck {
  return {
    name: 'disk',
    async run(now) {
      const stats = await statfs(files.diskPath);
      const totalKb = (stats.blocks * stats.bsize) / 1024;
      const freeKb = (stats.bavail * stats.bsize) / 1024;
      const usedKb = ((stats.blocks - stats.bfree) * stats.bsize) / 1024;
      const tags = [`device:${files.diskPath}`];
      return [
        gauge('system.disk.total', now, totalKb, tags),
        gauge('system.disk.used', now, usedKb, tags),
        gauge('system.disk.free', now, freeKb, tags),
        gauge('system.disk.in_use', now, totalKb > 0 ? usedKb / (usedKb + freeKb) : 0, tags),
      ];
    },
  };
}

function networkCheck(files: ProcFiles): HostCheck {
  let previous: { at: number; devices: Map<string, number[]> } | undefined;
  return {
    name: 'network',
    async run(now) {
      const devices = new Map<string, number[]>();
      for (const line of (await readFile(`${files.proc}/net/dev`, 'utf8')).split('\n').slice(2)) {
        const match = /^\s*([^:]+):\s*(.*)$/.exec(line);
        if (!match || match[1] === 'lo') continue;
        const f = match[2]!.trim().split(/\s+/).map(Number);
        devices.set(match[1]!, [f[0] ?? 0, f[1] ?? 0, f[2] ?? 0, f[8] ?? 0, f[9] ?? 0, f[10] ?? 0]);
      }
      const series: CheckSerie[] = [];
      const at = performance.now() / 1000; // monotonic, sub-millisecond
      if (previous !== undefined && at > previous.at) {
        const elapsed = at - previous.at;
        const names = ['system.net.bytes_rcvd', 'system.net.packets_in.count', 'system.net.packets_in.error', 'system.net.bytes_sent', 'system.net.packets_out.count', 'system.net.packets_out.error'];
        for (const [device, counters] of devices) {
          const before = previous.devices.get(device);
          if (before === undefined) continue;
          names.forEach((name, i) => {
            const delta = counters[i]! - before[i]!;
            if (delta >= 0) series.push(rate(name, now, delta / elapsed, elapsed, [`device:${device}`]));
          });
        }
      }
      previous = { at, devices };
      return series;
    },
  };
}

export const HOST_CHECK_NAMES = ['cpu', 'memory', 'load', 'uptime', 'disk', 'network'] as const;

export function hostChecks(files: ProcFiles = DEFAULT_FILES): HostCheck[] {
  return [cpuCheck(files), memoryCheck(files), loadCheck(), uptimeCheck(), diskCheck(files), networkCheck(files)];
}

// The unified hierarchy (cgroup v2): memory.*, cpu.*, pids.* in the cgroup's one directory.
import { join } from 'node:path';
import { cpusetCount, readCounter, readKeyValues, readText } from './cgroup-files.js';
import type { ContainerStats, CpuStats, MemoryStats, PidStats } from './container-stats.js';

const NS_PER_US = 1000;

/** 0 means "not set" for memory.max, memory.low and memory.peak, as the agent treats them. */
function nonZero(value: number | undefined): number | undefined {
  return value === 0 ? undefined : value;
}

async function memoryStats(dir: string): Promise<MemoryStats> {
  const stat = (await readKeyValues(join(dir, 'memory.stat'))) ?? new Map<string, number>();
  const events = await readKeyValues(join(dir, 'memory.events'));
  const kernelStack = stat.get('kernel_stack');
  const slab = stat.get('slab');
  return {
    usage: await readCounter(join(dir, 'memory.current')),
    peak: nonZero(await readCounter(join(dir, 'memory.peak'))),
    // `kernel` needs Linux 5.18; before, kernel stacks and slab are its main parts.
    kernel: stat.get('kernel') ?? (kernelStack !== undefined && slab !== undefined ? kernelStack + slab : undefined),
    limit: nonZero(await readCounter(join(dir, 'memory.max'))),
    softLimit: nonZero(await readCounter(join(dir, 'memory.low'))),
    rss: stat.get('anon'),
    cache: stat.get('file'),
    swap: await readCounter(join(dir, 'memory.swap.current')),
    oomEvents: events?.get('oom'),
    inactiveFile: stat.get('inactive_file'),
    pageFaults: stat.get('pgfault'),
    majorPageFaults: stat.get('pgmajfault'),
  };
}

async function cpuStats(dir: string): Promise<CpuStats> {
  const stat = (await readKeyValues(join(dir, 'cpu.stat'))) ?? new Map<string, number>();
  const ns = (key: string): number | undefined => {
    const us = stat.get(key);
    return us === undefined ? undefined : us * NS_PER_US;
  };
  // cpu.max is `<quota|max> <period>`, both in microseconds.
  const [quota, period] = ((await readText(join(dir, 'cpu.max'))) ?? '').trim().split(/\s+/).map((v) => (/^\d+$/.test(v) ? Number(v) : undefined));
  return {
    total: ns('usage_usec'),
    user: ns('user_usec'),
    system: ns('system_usec'),
    throttledTime: ns('throttled_usec'),
    throttledPeriods: stat.get('nr_throttled'),
    ...(quota !== undefined && period !== undefined && period > 0 ? { quotaCpus: quota / period } : {}),
    cpusetCpus: cpusetCount(await readText(join(dir, 'cpuset.cpus.effective'))),
  };
}

async function pidStats(dir: string): Promise<PidStats> {
  return { threads: await readCounter(join(dir, 'pids.current')), threadLimit: await readCounter(join(dir, 'pids.max')) };
}

export async function readV2(dir: string): Promise<ContainerStats> {
  const [memory, cpu, pids] = await Promise.all([memoryStats(dir), cpuStats(dir), pidStats(dir)]);
  return { memory, cpu, pids };
}

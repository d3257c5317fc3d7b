// cgroup v1: one directory per controller (memory, cpu, cpuacct, cpuset, pids), each maybe elsewhere.
import { join } from 'node:path';
import { cpusetCount, readCounter, readKeyValues, readText } from './cgroup-files.js';
import { isUnlimitedV1, type ContainerStats, type CpuStats, type MemoryStats, type PidStats } from './container-stats.js';
import type { V1Controller } from './cgroup-layout.js';

/** cpuacct.stat counts USER_HZ ticks, 100 per second on Linux. */
const NS_PER_USER_HZ = 10_000_000;

function limited(bytes: number | undefined): number | undefined {
  return bytes === undefined || isUnlimitedV1(bytes) ? undefined : bytes;
}

async function memoryStats(dir: string | undefined): Promise<MemoryStats> {
  if (dir === undefined) return {};
  const stat = (await readKeyValues(join(dir, 'memory.stat'))) ?? new Map<string, number>();
  // `total_*` include the sub-cgroups (use_hierarchy); a kernel without them has the plain keys.
  const total = (key: string): number | undefined => stat.get(`total_${key}`) ?? stat.get(key);
  const rss = total('rss');
  return {
    usage: await readCounter(join(dir, 'memory.usage_in_bytes')),
    peak: await readCounter(join(dir, 'memory.max_usage_in_bytes')),
    kernel: await readCounter(join(dir, 'memory.kmem.usage_in_bytes')),
    // The hierarchical limit includes a parent's (the dyno's) when our own is unset.
    limit: limited(stat.get('hierarchical_memory_limit') ?? (await readCounter(join(dir, 'memory.limit_in_bytes')))),
    softLimit: limited(await readCounter(join(dir, 'memory.soft_limit_in_bytes'))),
    // Some kernels report an underflowed total_rss; the agent drops those.
    rss: rss !== undefined && rss < 2 ** 63 ? rss : undefined,
    cache: total('cache'),
    swap: total('swap'),
    // The agent reports v1's failcnt (times usage hit the limit) as OOM events.
    oomEvents: await readCounter(join(dir, 'memory.failcnt')),
    inactiveFile: total('inactive_file'),
    pageFaults: total('pgfault'),
    majorPageFaults: total('pgmajfault'),
  };
}

async function cpuStats(dirs: Readonly<Partial<Record<V1Controller, string>>>): Promise<CpuStats> {
  const cpu: CpuStats = {};
  if (dirs.cpuacct !== undefined) {
    cpu.total = await readCounter(join(dirs.cpuacct, 'cpuacct.usage'));
    const ticks = await readKeyValues(join(dirs.cpuacct, 'cpuacct.stat'));
    const user = ticks?.get('user');
    const system = ticks?.get('system');
    if (user !== undefined) cpu.user = user * NS_PER_USER_HZ;
    if (system !== undefined) cpu.system = system * NS_PER_USER_HZ;
  }
  if (dirs.cpu !== undefined) {
    const stat = await readKeyValues(join(dirs.cpu, 'cpu.stat'));
    cpu.throttledTime = stat?.get('throttled_time');
    cpu.throttledPeriods = stat?.get('nr_throttled');
    // cfs_quota_us is -1 without a quota: it does not parse as a counter, so no quota.
    const quota = await readCounter(join(dirs.cpu, 'cpu.cfs_quota_us'));
    const period = await readCounter(join(dirs.cpu, 'cpu.cfs_period_us'));
    if (quota !== undefined && period !== undefined && period > 0) cpu.quotaCpus = quota / period;
  }
  if (dirs.cpuset !== undefined) cpu.cpusetCpus = cpusetCount(await readText(join(dirs.cpuset, 'cpuset.cpus')));
  return cpu;
}

async function pidStats(dir: string | undefined): Promise<PidStats> {
  if (dir === undefined) return {};
  return { threads: await readCounter(join(dir, 'pids.current')), threadLimit: await readCounter(join(dir, 'pids.max')) };
}

export async function readV1(dirs: Readonly<Partial<Record<V1Controller, string>>>): Promise<ContainerStats> {
  const [memory, cpu, pids] = await Promise.all([memoryStats(dirs.memory), cpuStats(dirs), pidStats(dirs.pids)]);
  return { memory, cpu, pids };
}

// The dyno's own memory and CPU from its cgroup (v1 or v2), with the metric names of the agent's
// generic container check. The buildpack's agent runs it implicitly: a dyno is a container.
import { cpus } from 'node:os';
import type { CheckDefinition, Sender } from '../check.js';
import { findCgroup, type CgroupFiles } from './cgroup-layout.js';
import type { ContainerStats } from './container-stats.js';
import { readV1 } from './stats-v1.js';
import { readV2 } from './stats-v2.js';

export type { CgroupFiles } from './cgroup-layout.js';

const DEFAULT_FILES: CgroupFiles = { proc: '/proc', cgroupRoot: '/sys/fs/cgroup' };

const NS_PER_SECOND = 1e9;

function send(submit: (name: string, value: number) => void, name: string, value: number | undefined): void {
  if (value !== undefined) submit(name, value);
}

/**
 * The CPUs the cgroup may use: the smaller of its cpuset (when narrower than the host) and its CFS
 * quota, else the host's CPUs, as the agent does so that usage / limit is always a percentage.
 */
function cpuLimit(stats: ContainerStats, hostCpus: number): number {
  let limit: number | undefined;
  const cpuset = stats.cpu.cpusetCpus;
  if (cpuset !== undefined && cpuset > 0 && cpuset !== hostCpus) limit = cpuset;
  const quota = stats.cpu.quotaCpus;
  if (quota !== undefined && (limit === undefined || quota < limit)) limit = quota;
  return limit ?? hostCpus;
}

function submitStats(sender: Sender, stats: ContainerStats, hostCpus: number): void {
  const gauge = (name: string, value: number): void => sender.gauge(name, value);
  const rate = (name: string, value: number): void => sender.rate(name, value);
  const monotonic = (name: string, value: number): void => sender.monotonicCount(name, value);
  const { memory, cpu, pids } = stats;

  // ns counters sent as rates: ns of CPU per second, i.e. nanocores.
  send(rate, 'container.cpu.usage', cpu.total);
  send(rate, 'container.cpu.user', cpu.user);
  send(rate, 'container.cpu.system', cpu.system);
  send(rate, 'container.cpu.throttled', cpu.throttledTime);
  send(rate, 'container.cpu.throttled.periods', cpu.throttledPeriods);
  if (cpu.total !== undefined || cpu.quotaCpus !== undefined) gauge('container.cpu.limit', cpuLimit(stats, hostCpus) * NS_PER_SECOND);

  send(gauge, 'container.memory.usage', memory.usage);
  send(gauge, 'container.memory.usage.peak', memory.peak);
  send(gauge, 'container.memory.kernel', memory.kernel);
  send(gauge, 'container.memory.limit', memory.limit);
  send(gauge, 'container.memory.soft_limit', memory.softLimit);
  send(gauge, 'container.memory.rss', memory.rss);
  send(gauge, 'container.memory.cache', memory.cache);
  send(gauge, 'container.memory.swap', memory.swap);
  send(gauge, 'container.memory.oom_events', memory.oomEvents);
  // The working set is what the kernel cannot reclaim easily: usage less the inactive page cache.
  if (memory.usage !== undefined && memory.inactiveFile !== undefined && memory.usage >= memory.inactiveFile) gauge('container.memory.working_set', memory.usage - memory.inactiveFile);
  send(monotonic, 'container.memory.page_faults', memory.pageFaults);
  send(monotonic, 'container.memory.major_page_faults', memory.majorPageFaults);

  send(gauge, 'container.pid.thread_count', pids.threads);
  send(gauge, 'container.pid.thread_limit', pids.threadLimit);
}

/** The container check reading `files` (fixture trees in tests). */
export function containerCheck(files: CgroupFiles = DEFAULT_FILES): CheckDefinition {
  return {
    name: 'container',
    needsTwoRuns: true,
    create: ({ logger }) => ({
      run: async (sender) => {
        const layout = await findCgroup(files);
        if (layout === undefined) {
          // Not a container (a laptop, macOS): an implicit check has nothing to report, which is no error.
          logger.once('container-no-cgroup', 'debug', `container check: no cgroup found from ${files.proc}/self/cgroup or under ${files.cgroupRoot}; nothing to report`);
          return;
        }
        const stats = layout.version === 2 ? await readV2(layout.dir) : await readV1(layout.dirs);
        submitStats(sender, stats, Math.max(1, cpus().length));
      },
    }),
  };
}

export const definition: CheckDefinition = containerCheck();

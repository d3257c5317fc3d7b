// One reading of the dyno's cgroup, in the units the agent's generic container check uses
// (bytes, nanoseconds); a field is absent when its file is missing or does not parse.

export interface MemoryStats {
  usage?: number;
  peak?: number;
  kernel?: number;
  limit?: number;
  softLimit?: number;
  rss?: number;
  cache?: number;
  swap?: number;
  oomEvents?: number;
  inactiveFile?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface CpuStats {
  /** Cumulative CPU time, ns. */
  total?: number;
  user?: number;
  system?: number;
  throttledTime?: number;
  throttledPeriods?: number;
  /** CFS quota over period, in CPUs; absent without a quota. */
  quotaCpus?: number;
  /** CPUs of the cgroup's cpuset. */
  cpusetCpus?: number;
}

export interface PidStats {
  /** Processes and threads (pids.current counts tasks). */
  threads?: number;
  threadLimit?: number;
}

export interface ContainerStats {
  readonly memory: MemoryStats;
  readonly cpu: CpuStats;
  readonly pids: PidStats;
}

/** v1 writes "no limit" as the largest page-aligned int64 (2^63 rounded down to the page size). */
export function isUnlimitedV1(bytes: number): boolean {
  return bytes >= 2 ** 62;
}

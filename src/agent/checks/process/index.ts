// process, as integrations-core's check runs it on Linux: the processes of one named group (by
// name, command-line pattern, pid or pid file) summed into system.processes.* tagged
// process_name:<name>, and process.up from their count against the instance's thresholds.
import { cpus } from 'node:os';
import type { Logger } from '../../../log.js';
import { CRITICAL, OK, WARNING, type Check, type CheckConfig, type CheckDefinition, type Sender, type ServiceCheckStatus } from '../check.js';
import {
  ProcAccessDenied,
  TICKS_PER_SECOND,
  bootTime,
  countFds,
  memoryTotal,
  ownCpuSeconds,
  readIo,
  readStat,
  readStatus,
  type ProcIo,
  type ProcStat,
  type ProcStatus,
} from './proc.js';
import { configuredPid, ofUser, searchPids, withChildren } from './selection.js';
import { processSettings, type ProcessSettings, type Thresholds } from './settings.js';

/** Most processes of one group read in detail per run; more are counted but not measured. */
export const MAX_MEASURED_PROCESSES = 2_000;

/** Most file descriptors counted per process. */
const MAX_FDS_COUNTED = 1_000_000;

const STATUS_NAMES: Readonly<Record<number, string>> = { [OK]: 'OK', [WARNING]: 'WARNING', [CRITICAL]: 'CRITICAL' };

/** OK inside the ranges; WARNING outside `warning`; CRITICAL outside `critical` (or no process without thresholds). */
export function processUpStatus(count: number, thresholds: Thresholds | undefined): ServiceCheckStatus {
  if (thresholds === undefined) return count < 1 ? CRITICAL : OK;
  let status: ServiceCheckStatus = OK;
  if (count < thresholds.warning.min || count > thresholds.warning.max) status = WARNING;
  if (count < thresholds.critical.min || count > thresholds.critical.max) status = CRITICAL;
  return status;
}

export function processUpMessage(status: ServiceCheckStatus, count: number, name: string): string {
  return status === OK ? '' : `PROCS ${STATUS_NAMES[status]}: ${count} processes found for ${name}`;
}

/** One process's readings of this run. */
interface Reading {
  readonly stat: ProcStat;
  readonly status: ProcStatus | undefined;
  readonly io: ProcIo | undefined;
  readonly fds: number | undefined;
  /** Percent of one CPU since the previous run; undefined on a process's first run. */
  readonly cpuPct: number | undefined;
  readonly runTime: number;
}

interface CpuSample {
  readonly startTicks: number;
  readonly seconds: number;
  readonly at: number;
}

/** `undefined` for a read refused by permissions (psutil's AccessDenied is skipped the same way). */
async function unlessDenied<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ProcAccessDenied) return undefined;
    throw error;
  }
}

function sum(values: readonly (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

class ProcessCheck implements Check {
  private readonly tags: readonly string[];
  private cachedPids: Set<number> | undefined;
  private cachedAt = 0;
  /** Last CPU reading per measured pid, for cpu.pct between runs. */
  private cpuSamples = new Map<number, CpuSample>();

  constructor(
    private readonly settings: ProcessSettings,
    private readonly logger: Logger,
  ) {
    // The bare name tag is the official check's too (kept until its 8.x).
    this.tags = [`process_name:${settings.name}`, settings.name];
  }

  async run(sender: Sender, signal: AbortSignal): Promise<void> {
    const { settings } = this;
    let pids = await this.selectedPids(signal);
    if (settings.collectChildren) pids = await withChildren(settings, pids, signal);
    if (settings.user !== undefined) pids = await ofUser(settings, pids, this.logger);

    const sorted = [...pids].sort((a, b) => a - b);
    if (sorted.length > MAX_MEASURED_PROCESSES) {
      this.logger.once(`process-measure-cap:${settings.name}`, 'warn', `process ${settings.name}: ${sorted.length} processes match; only ${MAX_MEASURED_PROCESSES} are measured`);
    }
    const measured = sorted.slice(0, MAX_MEASURED_PROCESSES);
    const [boot, memory] = await Promise.all([bootTime(settings.procfs), memoryTotal(settings.procfs)]);
    const readings: Reading[] = [];
    let vanished = 0;
    const samples = new Map<number, CpuSample>();
    for (const pid of measured) {
      if (signal.aborted) throw new Error('the run was aborted');
      const reading = await this.read(pid, boot, samples);
      if (reading === undefined) vanished++;
      else readings.push(reading);
    }
    this.cpuSamples = samples;
    const count = sorted.length - vanished;
    // Something changed: search again next run, as the official check resets its pid cache.
    if (vanished > 0 || count === 0) this.cachedPids = undefined;

    const tags = this.tags;
    sender.gauge('system.processes.number', count, tags);
    this.submit(sender, readings, memory);
    const status = processUpStatus(count, settings.thresholds);
    sender.serviceCheck('process.up', status, [...tags, `process:${settings.name}`], processUpMessage(status, count, settings.name));
  }

  /** The matched pids, reused for pid_cache_duration seconds when found by search_string. */
  private async selectedPids(signal: AbortSignal): Promise<Set<number>> {
    const { settings } = this;
    if (settings.selector.kind !== 'search') return configuredPid(settings, this.logger);
    const now = Date.now();
    if (this.cachedPids !== undefined && now - this.cachedAt < settings.pidCacheSeconds * 1000) return new Set(this.cachedPids);
    const pids = await searchPids(settings, this.logger, signal);
    this.cachedPids = pids;
    this.cachedAt = now;
    return new Set(pids);
  }

  /** One process's files; undefined when it exited (or its pid was reused) since it was selected. */
  private async read(pid: number, boot: number, samples: Map<number, CpuSample>): Promise<Reading | undefined> {
    const procfs = this.settings.procfs;
    const stat = await unlessDenied(readStat(procfs, pid));
    if (stat === undefined) return undefined;
    const [status, io, fds] = await Promise.all([unlessDenied(readStatus(procfs, pid)), unlessDenied(readIo(procfs, pid)), unlessDenied(countFds(procfs, pid, MAX_FDS_COUNTED))]);
    // A file gone after stat was read: the process exited mid-read.
    if (status === undefined && (await unlessDenied(readStat(procfs, pid))) === undefined) return undefined;
    const at = performance.now();
    const seconds = ownCpuSeconds(stat);
    const previous = this.cpuSamples.get(pid);
    let cpuPct: number | undefined;
    if (previous !== undefined && previous.startTicks === stat.startTicks && at > previous.at) {
      cpuPct = Math.max(0, ((seconds - previous.seconds) / ((at - previous.at) / 1000)) * 100);
    }
    samples.set(pid, { startTicks: stat.startTicks, seconds, at });
    const runTime = Math.max(0, Date.now() / 1000 - (boot + stat.startTicks / TICKS_PER_SECOND));
    return { stat, status, io, fds, cpuPct, runTime };
  }

  private submit(sender: Sender, readings: readonly Reading[], memory: number | undefined): void {
    const tags = this.tags;
    const gauge = (name: string, value: number | undefined): void => {
      if (value !== undefined) sender.gauge(name, value, tags);
    };
    const of = <T>(pick: (r: Reading) => T | undefined): (T | undefined)[] => readings.map(pick);
    const cores = cpus().length;
    const cpuPct = sum(of((r) => r.cpuPct));
    gauge('system.processes.cpu.pct', cpuPct);
    if (cpuPct !== undefined && cores > 0) gauge('system.processes.cpu.normalized_pct', sum(of((r) => (r.cpuPct === undefined ? undefined : r.cpuPct / cores))));
    gauge('system.processes.threads', sum(of((r) => r.status?.threads ?? r.stat.numThreads)));
    gauge('system.processes.mem.rss', sum(of((r) => r.status?.vmRss)));
    gauge('system.processes.mem.vms', sum(of((r) => r.status?.vmSize)));
    gauge('system.processes.mem.real', sum(of((r) => (r.status?.shared === undefined ? undefined : r.status.vmRss - r.status.shared))));
    if (memory !== undefined && memory > 0) gauge('system.processes.mem.pct', sum(of((r) => (r.status === undefined ? undefined : (r.status.vmRss / memory) * 100))));
    gauge('system.processes.open_file_descriptors', sum(of((r) => r.fds)));
    gauge('system.processes.voluntary_ctx_switches', sum(of((r) => r.status?.voluntaryCtxSwitches)));
    gauge('system.processes.involuntary_ctx_switches', sum(of((r) => r.status?.involuntaryCtxSwitches)));
    gauge('system.processes.ioread_count', sum(of((r) => r.io?.readCount)));
    gauge('system.processes.iowrite_count', sum(of((r) => r.io?.writeCount)));
    const readBytes = sum(of((r) => r.io?.readBytes));
    const writeBytes = sum(of((r) => r.io?.writeBytes));
    gauge('system.processes.ioread_bytes', readBytes);
    gauge('system.processes.iowrite_bytes', writeBytes);
    if (readBytes !== undefined) sender.monotonicCount('system.processes.ioread_bytes_count', readBytes, tags);
    if (writeBytes !== undefined) sender.monotonicCount('system.processes.iowrite_bytes_count', writeBytes, tags);
    if (readings.length > 0) {
      const runTimes = readings.map((r) => r.runTime);
      gauge('system.processes.run_time.avg', runTimes.reduce((a, b) => a + b, 0) / runTimes.length);
      gauge('system.processes.run_time.max', Math.max(...runTimes));
      gauge('system.processes.run_time.min', Math.min(...runTimes));
      const rate = (name: string, value: number): void => sender.rate(name, value, tags);
      rate('system.processes.mem.page_faults.minor_faults', sum(of((r) => r.stat.minflt))!);
      rate('system.processes.mem.page_faults.children_minor_faults', sum(of((r) => r.stat.cminflt))!);
      rate('system.processes.mem.page_faults.major_faults', sum(of((r) => r.stat.majflt))!);
      rate('system.processes.mem.page_faults.children_major_faults', sum(of((r) => r.stat.cmajflt))!);
    }
  }
}

export const definition: CheckDefinition = {
  name: 'process',
  // cpu.pct and the page-fault rates need a previous run.
  needsTwoRuns: true,
  create(config: CheckConfig): Check {
    return new ProcessCheck(processSettings(config.instance, config.initConfig), config.logger);
  },
};

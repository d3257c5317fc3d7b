// Finds a gunicorn arbiter by the title setproctitle gives it (`gunicorn: master [<proc_name>]`,
// argv[0] of /proc/<pid>/cmdline) and tells its workers (its children) working from idle by
// whether their CPU time grows over a short pause, as the official check does.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../log.js';
import { allCpuSeconds, listPids, readCmdline, readStat } from '../process/proc.js';

/** The official check's pause between the two CPU readings. */
export const CPU_SLEEP_MS = 100;

/** Most /proc entries one run looks at. */
export const MAX_SCANNED_PROCESSES = 20_000;

/** Most workers sampled per run (gunicorn runs a handful per core). */
export const MAX_WORKERS = 1_000;

export function masterTitle(procName: string): string {
  return `gunicorn: master [${procName}]`;
}

export interface Arbiters {
  readonly masters: number[];
  /** Children of the masters (their workers), in pid order. */
  readonly workers: number[];
}

/** The masters titled for `procName` and their children, from one scan of `procfs`. */
export async function findArbiters(procfs: string, procName: string, logger: Logger, signal: AbortSignal): Promise<Arbiters> {
  const title = masterTitle(procName);
  const { pids, truncated } = await listPids(procfs, MAX_SCANNED_PROCESSES);
  if (truncated) logger.once(`gunicorn-scan-cap:${procName}`, 'warn', `gunicorn ${procName}: more than ${MAX_SCANNED_PROCESSES} processes; only the first ${MAX_SCANNED_PROCESSES} pids are searched`);
  const masters: number[] = [];
  const parents = new Map<number, number>();
  const titledWorkers = new Set<number>();
  for (const pid of pids) {
    if (signal.aborted) throw new Error('the run was aborted');
    try {
      const stat = await readStat(procfs, pid);
      if (stat === undefined) continue;
      parents.set(pid, stat.ppid);
      const cmdline = await readCmdline(procfs, pid);
      if (cmdline !== undefined && cmdline.length > 0 && cmdline[0] === title) masters.push(pid);
      if (cmdline?.[0]?.startsWith(`gunicorn: worker [${procName}]`)) titledWorkers.add(pid);
    } catch (error) {
      logger.debug(`gunicorn: cannot read information from process (pid=${pid}): ${(error as Error).message}`);
    }
  }
  logger.debug(`gunicorn: there are ${masters.length} master process(es) with the name ${procName}`);
  const masterSet = new Set(masters);
  const children = [...parents].filter(([, ppid]) => masterSet.has(ppid)).map(([pid]) => pid);
  // On Heroku the app's command is exec'd by the shell that started the agent from .profile.d, so
  // the agent is a child of the master too: with titled workers, only those count.
  const titled = children.filter((pid) => titledWorkers.has(pid));
  const workers = titled.length > 0 ? titled : children;
  if (workers.length > MAX_WORKERS) logger.once(`gunicorn-worker-cap:${procName}`, 'warn', `gunicorn ${procName}: ${workers.length} workers; only ${MAX_WORKERS} are sampled`);
  return { masters, workers: workers.slice(0, MAX_WORKERS) };
}

interface CpuReading {
  readonly startTicks: number;
  readonly seconds: number;
}

async function cpuReadings(procfs: string, pids: readonly number[]): Promise<Map<number, CpuReading>> {
  const readings = new Map<number, CpuReading>();
  for (const pid of pids) {
    const stat = await readStat(procfs, pid).catch(() => undefined);
    if (stat !== undefined) readings.set(pid, { startTicks: stat.startTicks, seconds: allCpuSeconds(stat) });
  }
  return readings;
}

/** Workers whose CPU time grew during the pause are working, the others idle; vanished ones are neither. */
export async function countWorkers(procfs: string, workers: readonly number[], logger: Logger, signal: AbortSignal): Promise<{ working: number; idle: number }> {
  if (workers.length === 0) return { working: 0, idle: 0 };
  const before = await cpuReadings(procfs, workers);
  for (const pid of workers) if (!before.has(pid)) logger.warn(`gunicorn: process ${pid} disappeared while scanning`);
  await sleep(CPU_SLEEP_MS, undefined, { signal });
  const after = await cpuReadings(procfs, [...before.keys()]);
  let working = 0;
  let idle = 0;
  for (const [pid, first] of before) {
    const second = after.get(pid);
    // Gone, or its pid reused by another process: it was not a worker through the pause.
    if (second === undefined || second.startTicks !== first.startTicks) {
      logger.debug(`gunicorn: couldn't collect cpu time for ${pid}`);
      continue;
    }
    if (second.seconds === first.seconds) idle++;
    else working++;
  }
  return { working, idle };
}

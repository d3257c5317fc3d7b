// The supervisor's pid file, so `stop` and `status` find it, and its state (children and restarts).
import { readFileSync, rmSync } from 'node:fs';
import type { SlugPaths } from './paths.js';
import { writeFileAtomic } from './write-file.js';

export interface SupervisorState {
  readonly pid: number;
  readonly startedAt: string;
  readonly children: { name: string; pid: number | undefined; restarts: number; state: string }[];
}

/** True for a live process; a zombie (exited, not reaped by a pid 1 that never reaps) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The running supervisor's pid, or undefined (no file, garbage, or a pid that is gone). */
export function runningSupervisor(paths: SlugPaths): number | undefined {
  let text: string;
  try {
    text = readFileSync(paths.pidFile, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!/^\d+$/.test(text)) return undefined;
  const pid = Number(text);
  return pid > 1 && isAlive(pid) ? pid : undefined;
}

export function writePidFile(paths: SlugPaths, pid: number): void {
  writeFileAtomic(paths.pidFile, `${pid}\n`);
}

export function writeState(paths: SlugPaths, state: SupervisorState): void {
  writeFileAtomic(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

export function readState(paths: SlugPaths): SupervisorState | undefined {
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8')) as SupervisorState;
  } catch {
    return undefined;
  }
}

/** Removes the pid and state files when they are still this process's. */
export function removePidFile(paths: SlugPaths, pid: number): void {
  try {
    if (readFileSync(paths.pidFile, 'utf8').trim() !== String(pid)) return;
  } catch {
    return;
  }
  rmSync(paths.pidFile, { force: true });
  rmSync(paths.stateFile, { force: true });
}

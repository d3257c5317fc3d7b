// Reads processes from /proc the way psutil does on Linux (stat, status, cmdline, io, fd), for the
// process and gunicorn checks. A process that exits mid-read is `undefined`, never an error; reads
// are capped in size and never follow a symlink.
import { constants } from 'node:fs';
import { open, opendir, readdir } from 'node:fs/promises';

export const DEFAULT_PROCFS = '/proc';

/** USER_HZ: the kernel reports process times in these ticks per second (100 on every Linux ABI). */
export const TICKS_PER_SECOND = 100;

/** Most bytes kept of one /proc file: cmdline can reach ARG_MAX (2 MiB), the rest are small. */
const MAX_FILE_BYTES = 64 * 1024;

/** A read refused by permissions (another user's process without privileges). */
export class ProcAccessDenied extends Error {
  override readonly name = 'ProcAccessDenied';
}

/** Fields of /proc/<pid>/stat (proc(5)), times in ticks, memory in pages. */
export interface ProcStat {
  readonly pid: number;
  /** The kernel's command name, at most 15 characters. */
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly minflt: number;
  readonly cminflt: number;
  readonly majflt: number;
  readonly cmajflt: number;
  readonly utime: number;
  readonly stime: number;
  readonly cutime: number;
  readonly cstime: number;
  readonly numThreads: number;
  /** Ticks after boot at which the process started: with the pid, what identifies one process. */
  readonly startTicks: number;
  /** Ticks spent waiting for block I/O (delayacct_blkio_ticks). */
  readonly blkioTicks: number;
}

/** Fields of /proc/<pid>/status, memory in bytes. */
export interface ProcStatus {
  readonly uid: number | undefined;
  readonly threads: number | undefined;
  readonly vmSize: number;
  readonly vmRss: number;
  /** RssFile + RssShmem: what statm calls shared. */
  readonly shared: number | undefined;
  readonly voluntaryCtxSwitches: number | undefined;
  readonly involuntaryCtxSwitches: number | undefined;
}

export interface ProcIo {
  readonly readCount: number | undefined;
  readonly writeCount: number | undefined;
  readonly readBytes: number | undefined;
  readonly writeBytes: number | undefined;
}

function isVanished(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR';
}

function isDenied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM';
}

/** The first MAX_FILE_BYTES of a /proc file; undefined when the process is gone. */
async function readProcFile(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (isVanished(error)) return undefined;
    if (isDenied(error)) throw new ProcAccessDenied(`access denied to ${path}`);
    throw error;
  }
  try {
    const buffer = Buffer.alloc(MAX_FILE_BYTES);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } catch (error) {
    // ESRCH: the process exited between open and read.
    if (isVanished(error)) return undefined;
    if (isDenied(error)) throw new ProcAccessDenied(`access denied to ${path}`);
    throw error;
  } finally {
    await handle.close();
  }
}

function pidPath(procfs: string, pid: number, file: string): string {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`not a pid: ${pid}`);
  return `${procfs}/${pid}/${file}`;
}

/** The process ids in `procfs`, at most `cap` of them (sorted), and whether some were left out. */
export async function listPids(procfs: string, cap: number): Promise<{ pids: number[]; truncated: boolean }> {
  let entries;
  try {
    entries = await readdir(procfs, { withFileTypes: true });
  } catch (error) {
    throw new Error(`cannot list processes in ${procfs}: ${(error as Error).message}`);
  }
  // Numeric directories only: /proc/self and /proc/thread-self are symlinks.
  const pids = entries.filter((e) => e.isDirectory() && /^[1-9]\d{0,9}$/.test(e.name)).map((e) => Number(e.name));
  pids.sort((a, b) => a - b);
  return { pids: pids.slice(0, cap), truncated: pids.length > cap };
}

/** Does /proc/<pid> exist (a process, or a zombie not yet reaped)? */
export async function processExists(procfs: string, pid: number): Promise<boolean> {
  return (await readStat(procfs, pid).catch(() => undefined)) !== undefined;
}

/** Parses a stat line; the command name sits in parentheses and may hold spaces and ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 of proc(5).
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    return Number.isFinite(value) ? value : 0;
  };
  if (!Number.isSafeInteger(pid) || rest.length < 22) return undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    minflt: field(10),
    cminflt: field(11),
    majflt: field(12),
    cmajflt: field(13),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    numThreads: field(20),
    startTicks: field(22),
    blkioTicks: field(42),
  };
}

export async function readStat(procfs: string, pid: number): Promise<ProcStat | undefined> {
  const data = await readProcFile(pidPath(procfs, pid, 'stat'));
  return data === undefined ? undefined : parseStat(data.toString('utf8'));
}

/**
 * The arguments, split as psutil splits them: on NUL when the data ends with one, else on spaces
 * (a title set by setproctitle over the argv area). [] for kernel threads and zombies.
 */
export function splitCmdline(data: Buffer): string[] {
  let text = data.toString('utf8');
  if (text === '') return [];
  const separator = text.endsWith('\0') ? '\0' : ' ';
  if (text.endsWith(separator)) text = text.slice(0, -1);
  const args = text.split(separator);
  if (separator === '\0' && args.length === 1 && text.includes(' ')) return text.split(' ');
  return args;
}

export async function readCmdline(procfs: string, pid: number): Promise<string[] | undefined> {
  const data = await readProcFile(pidPath(procfs, pid, 'cmdline'));
  return data === undefined ? undefined : splitCmdline(data);
}

/** psutil's name(): the kernel's 15-character comm, completed from argv[0] when that extends it. */
export function processName(stat: ProcStat, cmdline: readonly string[] | undefined): string {
  const name = stat.comm;
  if (name.length < 15 || cmdline === undefined || cmdline.length === 0) return name;
  const first = cmdline[0]!;
  const base = first.slice(first.lastIndexOf('/') + 1);
  return base.startsWith(name) ? base : name;
}

export function parseStatus(text: string): ProcStatus {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) values.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const number = (key: string): number | undefined => {
    const raw = values.get(key);
    if (raw === undefined) return undefined;
    const value = Number(raw.split(/\s+/)[0]);
    return Number.isFinite(value) ? value : undefined;
  };
  const kilobytes = (key: string): number | undefined => {
    const value = number(key);
    return value === undefined ? undefined : value * 1024;
  };
  const file = kilobytes('RssFile');
  const shmem = kilobytes('RssShmem');
  return {
    uid: number('Uid'),
    threads: number('Threads'),
    // Kernel threads have no Vm lines: psutil reads 0 from their statm.
    vmSize: kilobytes('VmSize') ?? 0,
    vmRss: kilobytes('VmRSS') ?? 0,
    shared: file === undefined || shmem === undefined ? undefined : file + shmem,
    voluntaryCtxSwitches: number('voluntary_ctxt_switches'),
    involuntaryCtxSwitches: number('nonvoluntary_ctxt_switches'),
  };
}

export async function readStatus(procfs: string, pid: number): Promise<ProcStatus | undefined> {
  const data = await readProcFile(pidPath(procfs, pid, 'status'));
  return data === undefined ? undefined : parseStatus(data.toString('utf8'));
}

export function parseIo(text: string): ProcIo {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s*(\d+)$/.exec(line.trim());
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return { readCount: values.get('syscr'), writeCount: values.get('syscw'), readBytes: values.get('read_bytes'), writeBytes: values.get('write_bytes') };
}

/** /proc/<pid>/io, which only the owner (or root) may read. */
export async function readIo(procfs: string, pid: number): Promise<ProcIo | undefined> {
  const data = await readProcFile(pidPath(procfs, pid, 'io'));
  return data === undefined ? undefined : parseIo(data.toString('utf8'));
}

/** Entries of /proc/<pid>/fd, counted without resolving them, at most `cap`. */
export async function countFds(procfs: string, pid: number, cap: number): Promise<number | undefined> {
  let dir;
  try {
    dir = await opendir(pidPath(procfs, pid, 'fd'));
  } catch (error) {
    if (isVanished(error)) return undefined;
    if (isDenied(error)) throw new ProcAccessDenied(`access denied to ${procfs}/${pid}/fd`);
    throw error;
  }
  let count = 0;
  try {
    for await (const _entry of dir) {
      if (++count >= cap) break;
    }
  } catch (error) {
    if (isVanished(error)) return undefined;
    throw error;
  } finally {
    await dir.close().catch(() => undefined);
  }
  return count;
}

/** Seconds since the epoch at which the system booted (btime of /proc/stat). */
export async function bootTime(procfs: string): Promise<number> {
  const data = await readProcFile(`${procfs}/stat`);
  const match = data === undefined ? null : /^btime\s+(\d+)/m.exec(data.toString('utf8'));
  if (match === null) throw new Error(`no btime line in ${procfs}/stat`);
  return Number(match[1]);
}

/** Physical memory in bytes (MemTotal of /proc/meminfo). */
export async function memoryTotal(procfs: string): Promise<number | undefined> {
  const data = await readProcFile(`${procfs}/meminfo`);
  const match = data === undefined ? null : /^MemTotal:\s+(\d+)\s*kB/m.exec(data.toString('utf8'));
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** User and system seconds of the process itself (psutil's cpu_times().user + .system). */
export function ownCpuSeconds(stat: ProcStat): number {
  return (stat.utime + stat.stime) / TICKS_PER_SECOND;
}

/** sum(psutil cpu_times()): user, system, children's user and system, and I/O wait, in seconds. */
export function allCpuSeconds(stat: ProcStat): number {
  return (stat.utime + stat.stime + stat.cutime + stat.cstime + stat.blkioTicks) / TICKS_PER_SECOND;
}

/** Every descendant of `roots` (not the roots), from a pid → ppid table of one scan. */
export function descendants(parents: ReadonlyMap<number, number>, roots: Iterable<number>): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const found = new Set<number>();
  const queue = [...roots];
  const rootSet = new Set(queue);
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (found.has(child) || rootSet.has(child)) continue;
      found.add(child);
      queue.push(child);
    }
  }
  return found;
}

// Which processes an instance covers, as the official check picks them: by name (psutil name())
// or, with exact_match: false, a regex searched in the space-joined command line; or by pid /
// pid_file; then their descendants (collect_children) and only those of `user`.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../../log.js';
import { ProcAccessDenied, descendants, listPids, processName, readCmdline, readStat, readStatus } from './proc.js';
import type { ProcessSettings } from './settings.js';

/** Most /proc entries one run looks at: a dyno has tens of processes, a host a few thousand. */
export const MAX_SCANNED_PROCESSES = 20_000;

/** The deprecated search string that matches every process. */
const ALL = 'All';

const MAX_PASSWD_BYTES = 1024 * 1024;

function aborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('the run was aborted');
}

/** Pids whose process matches one of the instance's search strings. */
export async function searchPids(settings: ProcessSettings, logger: Logger, signal: AbortSignal): Promise<Set<number>> {
  if (settings.selector.kind !== 'search') return new Set();
  const { strings, patterns } = settings.selector;
  const all = strings.includes(ALL);
  if (all) logger.once(`process-all:${settings.name}`, 'warn', 'process: Deprecated: having "All" in your search_string greatly reduces the performance of the check and will be removed in a future version of the agent.');
  const { pids, truncated } = await listPids(settings.procfs, MAX_SCANNED_PROCESSES);
  if (truncated) logger.once(`process-scan-cap:${settings.name}`, 'warn', `process ${settings.name}: more than ${MAX_SCANNED_PROCESSES} processes; only the first ${MAX_SCANNED_PROCESSES} pids are searched`);
  const matching = new Set<number>();
  for (const pid of pids) {
    aborted(signal);
    try {
      if (all) {
        if (await readStat(settings.procfs, pid)) matching.add(pid);
        continue;
      }
      if (settings.exactMatch) {
        const stat = await readStat(settings.procfs, pid);
        if (stat === undefined) continue;
        // Only a 15-character comm may have been truncated: then argv[0] completes it.
        const cmdline = stat.comm.length >= 15 ? await readCmdline(settings.procfs, pid) : undefined;
        if (strings.includes(processName(stat, cmdline))) matching.add(pid);
      } else {
        const cmdline = await readCmdline(settings.procfs, pid);
        if (cmdline === undefined) continue;
        const line = cmdline.join(' ');
        if (patterns.some((pattern) => pattern.test(line))) matching.add(pid);
      }
    } catch (error) {
      if (!(error instanceof ProcAccessDenied)) throw error;
      if (!settings.ignoreDeniedAccess) throw new Error(`process ${settings.name}: access denied to process with PID ${pid} (ignore_denied_access: false)`);
      logger.debug(`process ${settings.name}: access denied to process with PID ${pid}`);
    }
  }
  if (matching.size === 0) logger.debug(`process ${settings.name}: no process matches ${JSON.stringify(strings)}`);
  return matching;
}

/** The pid of `pid:` or `pid_file:` when that process exists, as psutil.Process(pid) checks it. */
export async function configuredPid(settings: ProcessSettings, logger: Logger): Promise<Set<number>> {
  let pid: number;
  if (settings.selector.kind === 'pid') pid = settings.selector.pid;
  else if (settings.selector.kind === 'pid_file') {
    let text: string;
    try {
      text = (await readFile(settings.selector.path, 'utf8')).slice(0, 4096);
    } catch (error) {
      // No pid file: the process is not running.
      logger.debug(`process ${settings.name}: unable to read pid file ${settings.selector.path}: ${(error as Error).message}`);
      return new Set();
    }
    const line = text.split('\n')[0]!.trim();
    if (!/^\d{1,10}$/.test(line) || Number(line) <= 0) throw new Error(`process ${settings.name}: pid_file ${settings.selector.path} does not start with a process id (its first line is ${JSON.stringify(line.slice(0, 40))})`);
    pid = Number(line);
  } else return new Set();
  return (await readStat(settings.procfs, pid)) === undefined ? new Set() : new Set([pid]);
}

/** `pids` and every process under them (collect_children: true). */
export async function withChildren(settings: ProcessSettings, pids: ReadonlySet<number>, signal: AbortSignal): Promise<Set<number>> {
  if (pids.size === 0) return new Set();
  const parents = new Map<number, number>();
  for (const pid of (await listPids(settings.procfs, MAX_SCANNED_PROCESSES)).pids) {
    aborted(signal);
    const stat = await readStat(settings.procfs, pid).catch(() => undefined);
    if (stat !== undefined) parents.set(pid, stat.ppid);
  }
  return new Set([...pids, ...descendants(parents, pids)]);
}

/** The uid of a user name from /etc/passwd; a numeric name not listed there is taken as a uid. */
async function uidOf(user: string, passwd: string): Promise<number | undefined> {
  let text = '';
  try {
    text = (await readFile(passwd, 'utf8')).slice(0, MAX_PASSWD_BYTES);
  } catch {
    // No passwd file (some containers): only numeric users can match.
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length > 2 && /^\d+$/.test(fields[2]!)) return Number(fields[2]);
  }
  return /^\d+$/.test(user) ? Number(user) : undefined;
}

/** Only the pids whose real uid is `settings.user`'s. */
export async function ofUser(settings: ProcessSettings, pids: ReadonlySet<number>, logger: Logger, passwd = '/etc/passwd'): Promise<Set<number>> {
  if (settings.user === undefined) return new Set(pids);
  const uid = await uidOf(settings.user, passwd);
  if (uid === undefined) {
    logger.once(`process-user:${settings.name}`, 'warn', `process ${settings.name}: user ${JSON.stringify(settings.user)} is not in ${passwd}; no process matches`);
    return new Set();
  }
  const kept = new Set<number>();
  for (const pid of pids) {
    const status = await readStatus(settings.procfs, pid).catch(() => undefined);
    if (status?.uid === uid) kept.add(pid);
  }
  return kept;
}

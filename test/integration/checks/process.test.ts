// The process check against real processes spawned by the test (sleep under names and argv[0]
// markers unique to this run), values compared with what the test reads from /proc itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRITICAL, CheckConfigError, OK, WARNING } from '../../../src/agent/checks/check.js';
import { definition } from '../../../src/agent/checks/process/index.js';
import { METRICS, SERVICE_CHECKS } from '../../../src/agent/checks/process/metadata.js';
import { createLogger } from '../../../src/log.js';
import { runCheck } from '../../helpers/check-harness.js';

const RUN = randomBytes(3).toString('hex');
/** Under 15 characters: the kernel's comm holds all of it. */
const SHORT = `pc${RUN}`;
/** Over 15 characters: comm is truncated and argv[0] completes the name. */
const LONG = `proccheck-long-${RUN}`;
const MARKER = `ddmark-${RUN}`;
const ROOT = mkdtempSync(join(tmpdir(), 'process-check-'));
const children: ChildProcess[] = [];

function spawnSleep(file: string, argv0?: string): ChildProcess {
  const child = spawn(file, ['300'], { stdio: 'ignore', ...(argv0 === undefined ? {} : { argv0 }) });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function until(test: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A /proc/<pid>/status field's first number (kB for memory). */
function statusField(pid: number, key: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`));
  if (line === undefined) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(line.slice(key.length + 1).trim().split(/\s+/)[0]);
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const logger = createLogger('CORE', 'off');
const NO_CACHE = { pid_cache_duration: 0 };

beforeAll(() => {
  symlinkSync('/bin/sleep', join(ROOT, SHORT));
  symlinkSync('/bin/sleep', join(ROOT, LONG));
});

afterAll(async () => {
  await Promise.all(children.map(stop));
  rmSync(ROOT, { recursive: true, force: true });
});

describe('process by name (exact_match: true, the default)', () => {
  const group: ChildProcess[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) group.push(spawnSleep(join(ROOT, SHORT)));
    await until(() => group.every((c) => c.pid !== undefined && readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim() === SHORT), 'the sleeps to exec');
  });

  it('sums what /proc says of the three processes and reports process.up OK', async () => {
    const started = Date.now();
    const results = await runCheck(definition, { name: 'sleepers', search_string: [SHORT], tags: ['team:ops'] });
    expect(results.errors).toEqual([undefined, undefined]);
    const pids = group.map((c) => c.pid!);
    const tags = ['process_name:sleepers', 'sleepers', 'team:ops'];

    expect(results.value('system.processes.number', tags)).toBe(3);
    expect(results.value('system.processes.threads', tags)).toBe(pids.reduce((a, p) => a + statusField(p, 'Threads'), 0));
    expect(results.value('system.processes.mem.vms', tags)).toBe(pids.reduce((a, p) => a + statusField(p, 'VmSize') * 1024, 0));
    const rss = pids.reduce((a, p) => a + statusField(p, 'VmRSS') * 1024, 0);
    expect(results.value('system.processes.mem.rss', tags)).toBeCloseTo(rss, -5);
    const shared = pids.reduce((a, p) => a + (statusField(p, 'RssFile') + statusField(p, 'RssShmem')) * 1024, 0);
    expect(results.value('system.processes.mem.real', tags)).toBeCloseTo(rss - shared, -5);
    const memTotal = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
    expect(results.value('system.processes.mem.pct', tags)).toBeCloseTo((rss / memTotal) * 100, 2);
    expect(results.value('system.processes.open_file_descriptors', tags)).toBe(pids.reduce((a, p) => a + readdirSync(`/proc/${p}/fd`).length, 0));
    expect(results.value('system.processes.voluntary_ctx_switches', tags)).toBeGreaterThanOrEqual(0);
    expect(results.value('system.processes.involuntary_ctx_switches', tags)).toBeGreaterThanOrEqual(0);
    const io = pids.map((p) => new Map(readFileSync(`/proc/${p}/io`, 'utf8').trim().split('\n').map((l) => l.split(': ') as [string, string])));
    expect(results.value('system.processes.ioread_count', tags)).toBe(io.reduce((a, m) => a + Number(m.get('syscr')), 0));
    expect(results.value('system.processes.iowrite_count', tags)).toBe(io.reduce((a, m) => a + Number(m.get('syscw')), 0));
    expect(results.value('system.processes.ioread_bytes', tags)).toBe(io.reduce((a, m) => a + Number(m.get('read_bytes')), 0));
    expect(results.value('system.processes.iowrite_bytes', tags)).toBe(io.reduce((a, m) => a + Number(m.get('write_bytes')), 0));
    // Sleeping processes: no CPU, no I/O, no page faults between the two runs.
    expect(results.value('system.processes.cpu.pct', tags)).toBeLessThan(5);
    expect(results.value('system.processes.cpu.normalized_pct', tags)).toBeLessThan(5);
    results.assertMetric('system.processes.cpu.pct', { tags, count: 1 });
    results.assertMetric('system.processes.ioread_bytes_count', { tags, type: 'count', value: 0, count: 1 });
    results.assertMetric('system.processes.iowrite_bytes_count', { tags, type: 'count', value: 0, count: 1 });
    for (const kind of ['minor_faults', 'children_minor_faults', 'major_faults', 'children_major_faults']) {
      results.assertMetric(`system.processes.mem.page_faults.${kind}`, { tags, type: 'gauge', count: 1 });
      expect(results.value(`system.processes.mem.page_faults.${kind}`, tags)).toBeGreaterThanOrEqual(0);
    }
    const elapsed = (Date.now() - started) / 1000 + 60;
    for (const stat of ['avg', 'max', 'min']) {
      const runTime = results.value(`system.processes.run_time.${stat}`, tags);
      expect(runTime).toBeGreaterThanOrEqual(0);
      expect(runTime).toBeLessThan(elapsed);
    }
    expect(results.value('system.processes.run_time.min', tags)).toBeLessThanOrEqual(results.value('system.processes.run_time.max', tags));

    results.assertServiceCheck('process.up', { status: OK, tags: [...tags, 'process:sleepers'], message: '', count: 2 });
    expect(results.serviceChecks.every((c) => (SERVICE_CHECKS as readonly string[]).includes(c.check))).toBe(true);
    results.assertMetricsUsingMetadata(METRICS);
    results.assertMetadataCovered(METRICS);
    results.assertAllMetricsCovered();
  });

  it('reports thresholds as process.up WARNING and CRITICAL with the official message', async () => {
    const warn = await runCheck(definition, { name: 'sleepers', search_string: [SHORT], thresholds: { warning: [4, 10] } }, { runs: 1 });
    warn.assertServiceCheck('process.up', { status: WARNING, message: 'PROCS WARNING: 3 processes found for sleepers' });
    const crit = await runCheck(definition, { name: 'sleepers', search_string: [SHORT], thresholds: { warning: [4, 10], critical: [5, 10] } }, { runs: 1 });
    crit.assertServiceCheck('process.up', { status: CRITICAL, message: 'PROCS CRITICAL: 3 processes found for sleepers' });
    const above = await runCheck(definition, { name: 'sleepers', search_string: [SHORT], thresholds: { critical: [1, 2] } }, { runs: 1 });
    above.assertServiceCheck('process.up', { status: CRITICAL, message: 'PROCS CRITICAL: 3 processes found for sleepers' });
    const inside = await runCheck(definition, { name: 'sleepers', search_string: [SHORT], thresholds: { warning: [1, 3], critical: [1, 5] } }, { runs: 1 });
    inside.assertServiceCheck('process.up', { status: OK, message: '' });
  });

  it('counts a process that exited since the pids were matched out, and searches again', async () => {
    const victim = spawnSleep(join(ROOT, SHORT));
    await until(() => readFileSync(`/proc/${victim.pid}/comm`, 'utf8').trim() === SHORT, 'the victim to exec');
    // The default pid_cache_duration (120 s) keeps the matched pids: the second run reads a vanished one.
    const results = await runCheck(definition, { name: 'sleepers', search_string: [SHORT] }, { runs: 3, pauseMs: 10, between: async (run) => (run === 1 ? stop(victim) : undefined) });
    expect(results.errors).toEqual([undefined, undefined, undefined]);
    expect(results.find('system.processes.number').map((s) => s.points[0]![1])).toEqual([4, 3, 3]);
  });
});

describe('process by command line and name rules', () => {
  let long: ChildProcess;
  const marked: ChildProcess[] = [];

  beforeAll(async () => {
    long = spawnSleep(join(ROOT, LONG));
    for (let i = 0; i < 2; i++) marked.push(spawnSleep('/bin/sleep', MARKER));
    await until(() => [long, ...marked].every((c) => readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').includes('300')), 'the sleeps to exec');
  });

  it('matches a name longer than the kernel keeps by argv[0], as psutil name() does', async () => {
    expect(readFileSync(`/proc/${long.pid}/comm`, 'utf8').trim()).toBe(LONG.slice(0, 15));
    const full = await runCheck(definition, { name: 'long', search_string: [LONG] }, { runs: 1, initConfig: NO_CACHE });
    expect(full.value('system.processes.number')).toBe(1);
    const truncated = await runCheck(definition, { name: 'long', search_string: [LONG.slice(0, 15)] }, { runs: 1, initConfig: NO_CACHE });
    expect(truncated.value('system.processes.number')).toBe(0);
  });

  it('searches the command line as a regular expression with exact_match: false', async () => {
    const results = await runCheck(definition, { name: 'marked', search_string: [`^${MARKER}\\s300$`], exact_match: false }, { runs: 1 });
    expect(results.value('system.processes.number', ['process_name:marked'])).toBe(2);
    results.assertServiceCheck('process.up', { status: OK });
    const substring = await runCheck(definition, { name: 'marked', search_string: [MARKER.slice(3)], exact_match: 'false' }, { runs: 1 });
    expect(substring.value('system.processes.number')).toBe(2);
  });

  it('compares the process name, not argv[0], with exact_match: true: no process is CRITICAL', async () => {
    const results = await runCheck(definition, { name: 'marked', search_string: [MARKER] }, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    expect(results.value('system.processes.number')).toBe(0);
    results.assertServiceCheck('process.up', { status: CRITICAL, tags: ['process_name:marked', 'process:marked'], message: 'PROCS CRITICAL: 0 processes found for marked' });
    // Nothing to measure: only the count.
    expect(new Set(results.series.map((s) => s.metric))).toEqual(new Set(['system.processes.number']));
  });
});

describe('process by pid, pid_file, children and user', () => {
  let one: ChildProcess;
  let parent: ChildProcess;

  beforeAll(async () => {
    one = spawnSleep('/bin/sleep');
    parent = spawn('/bin/bash', ['-c', 'sleep 300 & sleep 300 & wait'], { stdio: 'ignore' });
    children.push(parent);
    await until(() => childrenOf(parent.pid!).length === 2, 'the two children of bash');
  });

  it('measures the process of pid and of pid_file', async () => {
    const byPid = await runCheck(definition, { name: 'one', pid: one.pid }, { runs: 1 });
    expect(byPid.value('system.processes.number')).toBe(1);
    expect(byPid.value('system.processes.threads')).toBe(statusField(one.pid!, 'Threads'));
    const pidFile = join(ROOT, 'one.pid');
    writeFileSync(pidFile, `${one.pid}\n`);
    const byFile = await runCheck(definition, { name: 'one', pid_file: pidFile }, { runs: 1 });
    expect(byFile.value('system.processes.number')).toBe(1);
    byFile.assertServiceCheck('process.up', { status: OK });
  });

  it('reports a missing pid file as no process, and a pid file without a pid as the run error', async () => {
    const missing = await runCheck(definition, { name: 'gone', pid_file: join(ROOT, 'missing.pid') }, { runs: 1 });
    expect(missing.errors).toEqual([undefined]);
    expect(missing.value('system.processes.number')).toBe(0);
    missing.assertServiceCheck('process.up', { status: CRITICAL, message: 'PROCS CRITICAL: 0 processes found for gone' });
    const garbage = join(ROOT, 'garbage.pid');
    writeFileSync(garbage, 'not a pid\n');
    const bad = await runCheck(definition, { name: 'bad', pid_file: garbage }, { runs: 1 });
    expect(bad.errors[0]).toMatch(/pid_file .*garbage\.pid does not start with a process id/);
  });

  it('adds the descendants with collect_children, and keeps only the processes of user', async () => {
    const expected = 1 + childrenOf(parent.pid!).length;
    const results = await runCheck(definition, { name: 'family', pid: parent.pid, collect_children: true }, { runs: 1 });
    expect(results.value('system.processes.number')).toBe(expected);
    const root = await runCheck(definition, { name: 'family', pid: parent.pid, collect_children: true, user: 'root' }, { runs: 1 });
    expect(root.value('system.processes.number')).toBe(process.getuid?.() === 0 ? expected : 0);
    const nobody = await runCheck(definition, { name: 'family', pid: parent.pid, collect_children: true, user: 'nobody' }, { runs: 1 });
    expect(nobody.value('system.processes.number')).toBe(0);
  });
});

describe('process with a broken /proc or bad settings', () => {
  it('skips a malformed or half-gone process of procfs_path, and fails the run when procfs_path cannot be listed', async () => {
    const fake = join(ROOT, 'fakeproc');
    mkdirSync(fake);
    writeFileSync(join(fake, 'stat'), 'cpu  1 2 3 4\nbtime 1700000000\n');
    writeFileSync(join(fake, 'meminfo'), 'MemTotal:        1024 kB\n');
    const stat = (pid: number, comm: string): string => `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 0 5 0 0 0 7 3 0 0 20 0 1 0 100 1000 10 ${'0 '.repeat(20)}\n`;
    for (const [pid, files] of Object.entries({
      100: { stat: stat(100, 'fixtured'), status: 'Threads:\t1\nVmSize:\t 8 kB\nVmRSS:\t 4 kB\n', io: 'syscr: 1\nsyscw: 2\nread_bytes: 3\nwrite_bytes: 4\n' },
      101: { stat: 'garbage without parentheses' },
      // Exited between its stat and the rest: status, io and fd are gone.
      102: { stat: stat(102, 'fixtured') },
      103: { stat: `${'9'.repeat(400)} (fixtured) ${'x '.repeat(5000)}` },
    })) {
      mkdirSync(join(fake, pid));
      for (const [file, text] of Object.entries(files)) writeFileSync(join(fake, pid, file), text);
    }
    mkdirSync(join(fake, '100', 'fd'));
    for (const fd of ['0', '1', '2']) symlinkSync('/dev/null', join(fake, '100', 'fd', fd));
    const results = await runCheck(definition, { name: 'fixtured', search_string: ['fixtured'] }, { runs: 1, initConfig: { procfs_path: `${fake}/` } });
    expect(results.errors).toEqual([undefined]);
    expect(results.value('system.processes.number')).toBe(2);
    expect(results.value('system.processes.threads')).toBe(2);
    expect(results.value('system.processes.mem.rss')).toBe(4096);
    expect(results.value('system.processes.open_file_descriptors')).toBe(3);
    expect(results.value('system.processes.ioread_bytes')).toBe(3);
    expect(results.value('system.processes.mem.pct')).toBeCloseTo(100 * (4096 / (1024 * 1024)), 6);

    const unlisted = await runCheck(definition, { name: 'nowhere', search_string: ['x'] }, { runs: 1, initConfig: { procfs_path: join(ROOT, 'no-such-proc') } });
    expect(unlisted.errors[0]).toMatch(/cannot list processes in .*no-such-proc/);
  });

  it('rejects settings it cannot run with a message naming the setting', async () => {
    const create = (instance: Record<string, unknown>) => () => definition.create({ instance, initConfig: {}, logger });
    expect(create({ search_string: ['x'] })).toThrow(CheckConfigError);
    expect(create({ search_string: ['x'] })).toThrow(/name is required/);
    expect(create({ name: 'x' })).toThrow(/"search_string" or "pid" or "pid_file" parameter is required/);
    expect(create({ name: 'x', search_string: ['(unclosed'], exact_match: false })).toThrow(/search_string "\(unclosed" is not a valid regular expression/);
    expect(create({ name: 'x', search_string: ['x'], thresholds: { warning: 'few' } })).toThrow(/thresholds\.warning must be a list of two numbers/);
    expect(create({ name: 'x', search_string: ['x'], thresholds: { critical: [1] } })).toThrow(/thresholds\.critical/);
    expect(create({ name: 'x', pid: -4 })).toThrow(/pid must be a process id/);
    expect(create({ name: 'x', search_string: ['x'], exact_match: 'maybe' })).toThrow(/exact_match must be true or false/);
    // A run of an instance that does not validate reports the error, never throws.
    const results = await runCheck(definition, { search_string: ['x'] }, { runs: 1 });
    expect(results.errors[0]).toMatch(/name is required/);
    expect(results.series).toEqual([]);
  });
});

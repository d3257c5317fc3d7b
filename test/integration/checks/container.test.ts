// The container check against cgroup trees the test writes (v2 and v1, with the mountinfo and
// /proc/self/cgroup that point at them), then against this machine's own cgroup.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckResults, runCheck } from '../../helpers/check-harness.js';
import { containerCheck, definition } from '../../../src/agent/checks/container/index.js';
import { METRICS } from '../../../src/agent/checks/container/metadata.js';
import { loadCheck } from '../../../src/agent/checks/registry.js';

const UNLIMITED_V1 = '9223372036854771712';

let root: string;
let proc: string;
let cgroupRoot: string;

/** Writes `files` (relative path → content) under `base`. */
function write(base: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), content);
  }
}

/** mountinfo escapes spaces in paths as \040. */
const escapeMount = (path: string): string => path.replace(/ /g, '\\040');

/** Seconds between the first and the last run, from the series' own timestamps. */
function runSeconds(results: CheckResults): number {
  const stamps = [...new Set(results.series.map((s) => s.points[0]![0]))].sort();
  return stamps[stamps.length - 1]! - stamps[0]!;
}

const check = () => containerCheck({ proc, cgroupRoot });

beforeEach(() => {
  // A space in the path exercises mountinfo's octal escapes.
  root = mkdtempSync(join(tmpdir(), 'container fixture-'));
  proc = join(root, 'proc');
  cgroupRoot = join(root, 'sys', 'fs', 'cgroup');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('container check, cgroup v2', () => {
  const own = 'system.slice/dyno-web.1.scope';
  const cpuStat = (usage: number, user: number, system: number, periods: number, throttled: number, throttledUs: number) =>
    `usage_usec ${usage}\nuser_usec ${user}\nsystem_usec ${system}\nnr_periods ${periods}\nnr_throttled ${throttled}\nthrottled_usec ${throttledUs}\nnr_bursts 0\nburst_usec 0\n`;
  const memoryStat = (pgfault: number, pgmajfault: number) =>
    `anon 104857600\nfile 52428800\nkernel 8388608\nkernel_stack 1048576\nslab 4194304\nsock 0\nshmem 0\nfile_mapped 1048576\nanon_thp 0\ninactive_anon 1000\nactive_anon 2000\ninactive_file 20971520\nactive_file 31457280\nunevictable 0\npgfault ${pgfault}\npgmajfault ${pgmajfault}\n`;

  beforeEach(() => {
    write(proc, {
      'self/cgroup': `0::/${own}\n`,
      'self/mountinfo': [
        `22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw`,
        `30 22 0:26 / ${escapeMount(cgroupRoot)} rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`,
      ].join('\n') + '\n',
    });
    write(cgroupRoot, {
      // The host's root cgroup: values the check must not report.
      'cgroup.controllers': 'cpuset cpu io memory pids\n',
      'cpu.stat': cpuStat(9e12, 8e12, 1e12, 0, 0, 0),
      [`${own}/cgroup.controllers`]: 'cpuset cpu io memory pids\n',
      [`${own}/memory.current`]: '178257920\n',
      [`${own}/memory.max`]: '536870912\n',
      [`${own}/memory.low`]: '268435456\n',
      [`${own}/memory.peak`]: '201326592\n',
      [`${own}/memory.swap.current`]: '4096\n',
      [`${own}/memory.events`]: 'low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n',
      [`${own}/memory.stat`]: memoryStat(1000, 10),
      [`${own}/cpu.stat`]: cpuStat(5_000_000, 3_000_000, 2_000_000, 100, 4, 30_000),
      [`${own}/cpu.max`]: '150000 100000\n',
      [`${own}/cpuset.cpus.effective`]: '0-3\n',
      [`${own}/pids.current`]: '42\n',
      [`${own}/pids.max`]: '4096\n',
    });
  });

  it('reports the own cgroup found through mountinfo: gauges exact, counters as rates over two runs', async () => {
    const results = await runCheck(check(), {}, {
      runs: 2,
      between: async () => {
        // +1.5 s of CPU (1.0 user, 0.5 system), 10 more periods of which 3 throttled for 0.25 s.
        write(join(cgroupRoot, own), { 'cpu.stat': cpuStat(6_500_000, 4_000_000, 2_500_000, 110, 7, 280_000), 'memory.stat': memoryStat(1250, 13) });
      },
    });
    expect(results.errors).toEqual([undefined, undefined]);
    const seconds = runSeconds(results);
    expect(seconds).toBeGreaterThan(0);

    const exact = (name: string, value: number, type: 'gauge' | 'count' = 'gauge') => results.assertMetric(name, { value, type, tags: [], count: name.startsWith('container.cpu.') && name !== 'container.cpu.limit' ? 1 : undefined });
    exact('container.cpu.usage', 1.5e9 / seconds);
    exact('container.cpu.user', 1.0e9 / seconds);
    exact('container.cpu.system', 0.5e9 / seconds);
    exact('container.cpu.throttled', 0.25e9 / seconds);
    exact('container.cpu.throttled.periods', 3 / seconds);
    // cpu.max 150000/100000: 1.5 CPUs, narrower than the 4 of the cpuset.
    exact('container.cpu.limit', 1.5e9);
    exact('container.memory.usage', 178257920);
    exact('container.memory.usage.peak', 201326592);
    exact('container.memory.kernel', 8388608);
    exact('container.memory.limit', 536870912);
    exact('container.memory.soft_limit', 268435456);
    exact('container.memory.rss', 104857600);
    exact('container.memory.cache', 52428800);
    exact('container.memory.swap', 4096);
    exact('container.memory.oom_events', 2);
    exact('container.memory.working_set', 178257920 - 20971520);
    exact('container.memory.page_faults', 250, 'count');
    exact('container.memory.major_page_faults', 3, 'count');
    exact('container.pid.thread_count', 42);
    exact('container.pid.thread_limit', 4096);
    // Dyno metrics carry only the runner's global tags, no container_id.
    expect(results.series.every((s) => s.tags.length === 0)).toBe(true);

    results.assertMetricsUsingMetadata(METRICS);
    results.assertMetadataCovered(METRICS);
    results.assertAllMetricsCovered();
  });

  it('memory.max "max" and pids.max "max" (no limit) send no limit metric; no quota and a host-wide cpuset give the host CPUs', async () => {
    write(join(cgroupRoot, own), { 'memory.max': 'max\n', 'pids.max': 'max\n', 'cpu.max': 'max 100000\n', 'cpuset.cpus.effective': `0-${cpus().length - 1}\n` });
    const results = await runCheck(check(), {}, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    expect(results.find('container.memory.limit')).toEqual([]);
    expect(results.find('container.pid.thread_limit')).toEqual([]);
    results.assertMetric('container.cpu.limit', { value: cpus().length * 1e9 });
    results.assertMetric('container.memory.usage', { value: 178257920 });
  });

  it('missing files skip their metrics, malformed values are skipped, never a run error', async () => {
    rmSync(join(cgroupRoot, own), { recursive: true });
    write(join(cgroupRoot, own), {
      'memory.current': '104857600\n',
      'memory.max': 'garbage\n',
      'memory.stat': 'anon\nfile -5\ninactive_file 1 2\nkernel 99999999999999999999999\npgfault 12abc\n\n\u0000\u0001 junk\n',
      'cpu.stat': 'usage_usec\nuser_usec NaN\n',
    });
    const results = await runCheck(check(), {}, { runs: 2 });
    expect(results.errors).toEqual([undefined, undefined]);
    expect([...new Set(results.series.map((s) => s.metric))]).toEqual(['container.memory.usage']);
    results.assertMetric('container.memory.usage', { value: 104857600, count: 2 });
  });

  it('without mountinfo the own path is taken under the cgroup root; without /proc the root itself', async () => {
    rmSync(join(proc, 'self', 'mountinfo'));
    let results = await runCheck(check(), {}, { runs: 1 });
    results.assertMetric('container.memory.usage', { value: 178257920 });

    rmSync(proc, { recursive: true });
    write(cgroupRoot, { 'memory.current': '999\n' });
    results = await runCheck(check(), {}, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    results.assertMetric('container.memory.usage', { value: 999 });
  });
});

describe('container check, cgroup v1', () => {
  const memoryStat = (pgfault: number) =>
    [
      'cache 1000', 'rss 2000', 'rss_huge 0', 'swap 0', 'pgfault 1', 'pgmajfault 1', 'inactive_file 10',
      `hierarchical_memory_limit 536870912`, `hierarchical_memsw_limit ${UNLIMITED_V1}`,
      'total_cache 41943040', 'total_rss 94371840', 'total_rss_huge 0', 'total_swap 8192',
      `total_pgfault ${pgfault}`, 'total_pgmajfault 5', 'total_inactive_file 10485760', 'total_active_file 31457280',
    ].join('\n') + '\n';

  beforeEach(() => {
    write(proc, {
      'self/cgroup': ['12:pids:/lxc/dyno', '11:memory:/lxc/dyno', '4:cpu,cpuacct:/lxc/dyno', '3:cpuset:/', '1:name=systemd:/lxc/dyno', '0::/'].join('\n') + '\n',
      'self/mountinfo': [
        `22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw`,
        `31 22 0:28 / ${escapeMount(cgroupRoot)} rw,relatime - tmpfs tmpfs rw,mode=755`,
        // The memory hierarchy is bind-mounted from /lxc: our /lxc/dyno is its dyno/ folder.
        `35 31 0:32 /lxc ${escapeMount(cgroupRoot)}/memory rw,relatime - cgroup cgroup rw,memory`,
        `33 31 0:30 / ${escapeMount(cgroupRoot)}/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct`,
        `34 31 0:31 / ${escapeMount(cgroupRoot)}/cpuset rw,relatime - cgroup cgroup rw,cpuset`,
        `39 31 0:36 / ${escapeMount(cgroupRoot)}/pids rw,relatime - cgroup cgroup rw,pids`,
        `41 31 0:38 / ${escapeMount(cgroupRoot)}/unified rw,relatime - cgroup2 cgroup2 rw`,
      ].join('\n') + '\n',
    });
    write(cgroupRoot, {
      'memory/memory.usage_in_bytes': '7777777777\n',
      'memory/dyno/memory.usage_in_bytes': '146800640\n',
      'memory/dyno/memory.limit_in_bytes': `${UNLIMITED_V1}\n`,
      'memory/dyno/memory.soft_limit_in_bytes': `${UNLIMITED_V1}\n`,
      'memory/dyno/memory.max_usage_in_bytes': '209715200\n',
      'memory/dyno/memory.kmem.usage_in_bytes': '3145728\n',
      'memory/dyno/memory.failcnt': '6\n',
      'memory/dyno/memory.stat': memoryStat(5000),
      'cpu,cpuacct/lxc/dyno/cpuacct.usage': '20000000000\n',
      'cpu,cpuacct/lxc/dyno/cpuacct.stat': 'user 1500\nsystem 500\n',
      'cpu,cpuacct/lxc/dyno/cpu.stat': 'nr_periods 50\nnr_throttled 5\nthrottled_time 400000000\n',
      'cpu,cpuacct/lxc/dyno/cpu.cfs_quota_us': '-1\n',
      'cpu,cpuacct/lxc/dyno/cpu.cfs_period_us': '100000\n',
      'cpuset/cpuset.cpus': '0-1\n',
      'pids/lxc/dyno/pids.current': '17\n',
      'pids/lxc/dyno/pids.max': 'max\n',
      'unified/cgroup.controllers': '',
    });
  });

  it('reads each controller where mountinfo puts it: gauges exact, ns and USER_HZ counters as rates', async () => {
    const results = await runCheck(check(), {}, {
      runs: 2,
      between: async () => {
        write(join(cgroupRoot, 'cpu,cpuacct/lxc/dyno'), {
          'cpuacct.usage': '22000000000\n', // +2 s of CPU
          'cpuacct.stat': 'user 1650\nsystem 550\n', // +1.5 s user, +0.5 s system, in 1/100 s
          'cpu.stat': 'nr_periods 60\nnr_throttled 9\nthrottled_time 900000000\n', // +4 periods, +0.5 s throttled
        });
        write(join(cgroupRoot, 'memory/dyno'), { 'memory.stat': memoryStat(5400) });
      },
    });
    expect(results.errors).toEqual([undefined, undefined]);
    const seconds = runSeconds(results);
    const exact = (name: string, value: number, type: 'gauge' | 'count' = 'gauge') => results.assertMetric(name, { value, type, tags: [] });
    exact('container.cpu.usage', 2e9 / seconds);
    exact('container.cpu.user', 1.5e9 / seconds);
    exact('container.cpu.system', 0.5e9 / seconds);
    exact('container.cpu.throttled', 0.5e9 / seconds);
    exact('container.cpu.throttled.periods', 4 / seconds);
    // No CFS quota: the cpuset's 2 CPUs (the host's when it has 2).
    exact('container.cpu.limit', 2e9);
    exact('container.memory.usage', 146800640);
    exact('container.memory.usage.peak', 209715200);
    exact('container.memory.kernel', 3145728);
    // hierarchical_memory_limit, the dyno's, although memory.limit_in_bytes is unlimited.
    exact('container.memory.limit', 536870912);
    exact('container.memory.rss', 94371840);
    exact('container.memory.cache', 41943040);
    exact('container.memory.swap', 8192);
    exact('container.memory.oom_events', 6);
    exact('container.memory.working_set', 146800640 - 10485760);
    exact('container.memory.page_faults', 400, 'count');
    exact('container.memory.major_page_faults', 0, 'count');
    exact('container.pid.thread_count', 17);

    results.assertMetricsUsingMetadata(METRICS);
    results.assertMetadataCovered(METRICS, [
      'container.memory.soft_limit', // memory.soft_limit_in_bytes is unlimited in this tree
      'container.pid.thread_limit', // pids.max is "max"
    ]);
    results.assertAllMetricsCovered();
  });

  it('a CFS quota sets the limit; an unlimited hierarchical limit sends none', async () => {
    write(join(cgroupRoot, 'cpu,cpuacct/lxc/dyno'), { 'cpu.cfs_quota_us': '50000\n' });
    write(join(cgroupRoot, 'memory/dyno'), { 'memory.stat': memoryStat(1).replace('536870912', UNLIMITED_V1) });
    const results = await runCheck(check(), {}, { runs: 1 });
    results.assertMetric('container.cpu.limit', { value: 0.5e9 });
    expect(results.find('container.memory.limit')).toEqual([]);
  });
});

describe('container check, no cgroup', () => {
  it('submits nothing, with no error and one debug log however many runs', async () => {
    mkdirSync(proc, { recursive: true });
    const results = await runCheck(check(), {}, { runs: 2, pauseMs: 0 });
    expect(results.errors).toEqual([undefined, undefined]);
    expect(results.series).toEqual([]);
    const notes = results.logs.filter((l) => l.includes('no cgroup found'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/\| DEBUG \|/);
  });
});

/** This machine's memory cgroup directory and version, found the simple way. */
function machineMemoryCgroup(): { version: 1 | 2; dir: string } | undefined {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').map((l) => l.split(':'));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').map((l) => {
    const f = l.split(' ');
    const dash = f.indexOf('-');
    return { root: f[3]!, point: f[4]!.replace(/\\040/g, ' '), type: f[dash + 1]!, opts: f[dash + 3]!.split(',') };
  });
  const v1 = lines.find((l) => l[1]!.split(',').includes('memory'));
  const mount = v1 ? mounts.find((m) => m.type === 'cgroup' && m.opts.includes('memory')) : mounts.find((m) => m.type === 'cgroup2');
  const path = (v1 ?? lines.find((l) => l[1] === ''))?.slice(2).join(':');
  if (mount === undefined || path === undefined) return undefined;
  const under = join(mount.point, mount.root === '/' ? path : path.slice(mount.root.length));
  const dir = existsSync(under) ? under : mount.point;
  // A v2 cgroup without the memory controller enabled has no memory.current: nothing to compare.
  return existsSync(join(dir, v1 ? 'memory.usage_in_bytes' : 'memory.current')) ? { version: v1 ? 1 : 2, dir } : undefined;
}

describe('container check, this machine', () => {
  const machine = existsSync('/proc/self/cgroup') ? machineMemoryCgroup() : undefined;

  it.skipIf(machine === undefined)('reports this process cgroup memory: the limit exactly, the usage within what the test reads around the run', async () => {
    const { version, dir } = machine!;
    const usageFile = join(dir, version === 1 ? 'memory.usage_in_bytes' : 'memory.current');
    const usage = () => Number(readFileSync(usageFile, 'utf8'));
    let limit: number | undefined;
    if (version === 2) {
      const max = readFileSync(join(dir, 'memory.max'), 'utf8').trim();
      limit = max === 'max' || max === '0' ? undefined : Number(max);
    } else {
      const line = readFileSync(join(dir, 'memory.stat'), 'utf8').split('\n').find((l) => l.startsWith('hierarchical_memory_limit '));
      const bytes = Number(line?.split(' ')[1] ?? readFileSync(join(dir, 'memory.limit_in_bytes'), 'utf8'));
      limit = bytes >= 2 ** 62 ? undefined : bytes;
    }
    const before = usage();
    const results = await runCheck('container', {}, { runs: 1 });
    const after = usage();
    expect(results.errors).toEqual([undefined]);
    const reported = results.value('container.memory.usage');
    // Usage moves as the test runs: a band around the readings before and after the run.
    expect(reported).toBeGreaterThanOrEqual(Math.min(before, after) * 0.5);
    expect(reported).toBeLessThanOrEqual(Math.max(before, after) * 1.5);
    if (limit === undefined) expect(results.find('container.memory.limit')).toEqual([]);
    else results.assertMetric('container.memory.limit', { value: limit, count: 1 });
    results.assertMetricsUsingMetadata(METRICS);
  });

  it('the registry loads it and an empty instance (the implicit one) runs', async () => {
    expect(await loadCheck('container')).toBe(definition);
    const results = await runCheck(definition, {}, { runs: 1 });
    expect(results.runner.configError).toBeUndefined();
    expect(results.errors).toEqual([undefined]);
  });
});

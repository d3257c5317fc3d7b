// The parsers of the container check: /proc/self/cgroup, mountinfo, cpusets and key-value files.
import { describe, expect, it } from 'vitest';
import { cpusetCount, parseCounter, parseKeyValues } from '../../../src/agent/checks/container/cgroup-files.js';
import { parseMountinfo, parseProcCgroup } from '../../../src/agent/checks/container/cgroup-layout.js';

describe('container check parsers', () => {
  it('/proc/self/cgroup: v1 controller lists, the unified line, paths with colons', () => {
    expect(parseProcCgroup('4:cpu,cpuacct:/lxc/dyno\n1:name=systemd:/x\n0::/a:b\nnot a line\n')).toEqual([
      { controllers: ['cpu', 'cpuacct'], path: '/lxc/dyno' },
      { controllers: ['name=systemd'], path: '/x' },
      { controllers: [], path: '/a:b' },
    ]);
  });

  it('mountinfo: only cgroup mounts, optional fields skipped, octal escapes decoded', () => {
    const text = [
      '22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw',
      '30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:9 master:2 - cgroup2 cgroup2 rw,nsdelegate',
      '35 31 0:32 /lxc /my\\040cgroups/memory rw,relatime - cgroup cgroup rw,memory',
      'truncated line - cgroup',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual([
      { root: '/', mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', superOptions: ['rw', 'nsdelegate'] },
      { root: '/lxc', mountPoint: '/my cgroups/memory', fsType: 'cgroup', superOptions: ['rw', 'memory'] },
    ]);
  });

  it('cpusets count ranges and singles; malformed lists are no count', () => {
    expect(cpusetCount('0-3,8,10-11\n')).toBe(7);
    expect(cpusetCount('5')).toBe(1);
    expect(cpusetCount('')).toBeUndefined();
    expect(cpusetCount('3-1')).toBeUndefined();
    expect(cpusetCount('0-a')).toBeUndefined();
  });

  it('counters: digits only ("max", -1, garbage and absurd lengths are no value)', () => {
    expect(parseCounter('536870912\n')).toBe(536870912);
    expect(parseCounter('max')).toBeUndefined();
    expect(parseCounter('-1')).toBeUndefined();
    expect(parseCounter('1'.repeat(30))).toBeUndefined();
    expect(parseCounter(undefined)).toBeUndefined();
    expect([...parseKeyValues('anon 5\nfile\nbad x\nthree a b\n  slab   7  \n')]).toEqual([
      ['anon', 5],
      ['slab', 7],
    ]);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostCheckEnabled, scanConfd } from '../../../src/agent/checks/confd.js';
import { hostChecks } from '../../../src/agent/checks/system-checks.js';

describe('built-in host checks', () => {
  let proc: string;
  beforeEach(() => {
    proc = mkdtempSync(join(tmpdir(), 'proc-'));
    mkdirSync(join(proc, 'net'));
    writeFileSync(join(proc, 'meminfo'), 'MemTotal:       2048000 kB\nMemFree:         512000 kB\nMemAvailable:   1024000 kB\nCached:          256000 kB\nBuffers:          25600 kB\nSwapTotal:            0 kB\nSwapFree:             0 kB\n');
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  const check = (name: string) => hostChecks({ proc, diskPath: tmpdir() }).find((c) => c.name === name)!;
  const value = (series: { metric: string; points: [number, number][] }[], metric: string) => series.find((s) => s.metric === metric)?.points[0]![1];

  it('memory in MB from meminfo', async () => {
    const series = await check('memory').run(100);
    expect(value(series, 'system.mem.total')).toBe(2000);
    expect(value(series, 'system.mem.used')).toBe(1500);
    expect(value(series, 'system.mem.usable')).toBe(1000);
    expect(value(series, 'system.mem.pct_usable')).toBe(0.5);
  });

  it('cpu percentages from /proc/stat deltas, nothing on the first run', async () => {
    const cpu = check('cpu');
    writeFileSync(join(proc, 'stat'), 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3\n');
    expect(value(await cpu.run(1), 'system.cpu.user')).toBeUndefined();
    writeFileSync(join(proc, 'stat'), 'cpu  130 10 120 930 10 0 0 0 0 0\n');
    const series = await cpu.run(2);
    expect(value(series, 'system.cpu.user')).toBe(20);
    expect(value(series, 'system.cpu.system')).toBe(10);
    expect(value(series, 'system.cpu.idle')).toBe(65);
    expect(value(series, 'system.cpu.iowait')).toBe(5);
  });

  it('network rates per device from /proc/net/dev, loopback left out', async () => {
    const network = check('network');
    const dev = (rx: number, tx: number) =>
      `Inter-|   Receive\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets\n    lo: 999 9 0 0 0 0 0 0 999 9 0 0 0 0 0 0\n  eth0: ${rx} 10 0 0 0 0 0 0 ${tx} 20 0 0 0 0 0 0\n`;
    writeFileSync(join(proc, 'net', 'dev'), dev(1000, 2000));
    expect(await network.run(1)).toEqual([]);
    writeFileSync(join(proc, 'net', 'dev'), dev(5000, 2000));
    const series = await network.run(2);
    expect(series.every((s) => s.tags?.includes('device:eth0'))).toBe(true);
    expect(value(series, 'system.net.bytes_rcvd')! > 0).toBe(true);
    expect(value(series, 'system.net.bytes_sent')).toBe(0);
  });

  it('conf.d: host checks run unless their folder has no enabled file; others are listed with the reason', () => {
    const confd = join(proc, 'conf.d');
    mkdirSync(join(confd, 'cpu.d'), { recursive: true });
    writeFileSync(join(confd, 'cpu.d', 'conf.yaml.default_disabled'), 'instances: [{}]\n');
    mkdirSync(join(confd, 'memory.d'));
    writeFileSync(join(confd, 'memory.d', 'conf.yaml.default'), 'instances: [{}]\n');
    writeFileSync(join(confd, 'redisdb.yaml'), 'instances: [{host: x}]\n');
    writeFileSync(join(confd, 'bad.yaml'), 'a: [\n');
    expect(hostCheckEnabled('cpu', confd)).toBe(false);
    expect(hostCheckEnabled('memory', confd)).toBe(true);
    expect(hostCheckEnabled('disk', confd)).toBe(true);
    const found = scanConfd(confd);
    expect(found.map((c) => [c.name, c.skipped === undefined ? 'runs' : c.skipped.split(':')[0]])).toEqual([
      ['bad', 'invalid YAML'],
      ['memory', 'runs'],
      ['redisdb', 'the built-in agent runs only cpu, memory, load, uptime, disk, network; "redisdb" needs DD_AGENT_FLAVOR=official'],
    ]);
  });
});

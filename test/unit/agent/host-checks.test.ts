import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { implicitCheckEnabled, scanConfd } from '../../../src/agent/checks/confd.js';
import { hostCheckDefinitions } from '../../../src/agent/checks/system-checks.js';
import { InstanceRunner } from '../../../src/agent/checks/instance-runner.js';
import { createLogger } from '../../../src/log.js';

describe('built-in host checks', () => {
  let proc: string;
  beforeEach(() => {
    proc = mkdtempSync(join(tmpdir(), 'proc-'));
    mkdirSync(join(proc, 'net'));
    writeFileSync(join(proc, 'meminfo'), 'MemTotal:       2048000 kB\nMemFree:         512000 kB\nMemAvailable:   1024000 kB\nCached:          256000 kB\nBuffers:          25600 kB\nSwapTotal:            0 kB\nSwapFree:             0 kB\n');
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  /** A host check's instance whose `run(now)` gives the series of one run at unix second `now`. */
  const check = (name: string) => {
    const runner = new InstanceRunner({
      definition: hostCheckDefinitions({ proc, diskPath: tmpdir() }).find((c) => c.name === name)!,
      instance: {},
      initConfig: {},
      source: 'builtin',
      hostname: 'h',
      globalTags: [],
      histogram: { aggregates: [], percentiles: [] },
      logger: createLogger('CORE', 'off'),
    });
    return { run: async (now: number) => (await runner.run(5_000, () => now * 1000)).series };
  };
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
    expect(value(series, 'system.net.bytes_rcvd')).toBe(4000);
    expect(value(series, 'system.net.bytes_sent')).toBe(0);
    expect(series.find((s) => s.metric === 'system.net.bytes_rcvd')?.type).toBe('gauge'); // a check's rate is sent as a gauge
  });

  it('conf.d: host checks run unless their folder has no enabled file; bad files are config errors', () => {
    const confd = join(proc, 'conf.d');
    mkdirSync(join(confd, 'cpu.d'), { recursive: true });
    writeFileSync(join(confd, 'cpu.d', 'conf.yaml.default_disabled'), 'instances: [{}]\n');
    mkdirSync(join(confd, 'memory.d'));
    writeFileSync(join(confd, 'memory.d', 'conf.yaml.default'), 'instances: [{}]\n');
    writeFileSync(join(confd, 'redisdb.yaml'), 'instances: [{host: x}]\n');
    writeFileSync(join(confd, 'bad.yaml'), 'a: [\n');
    writeFileSync(join(confd, 'redis.yaml'), 'init_config:\ninstances: [{host: y}]\n');
    writeFileSync(join(confd, 'empty.yaml'), 'init_config: {}\n');
    expect(implicitCheckEnabled('cpu', confd)).toBe(false);
    expect(implicitCheckEnabled('memory', confd)).toBe(true);
    expect(implicitCheckEnabled('disk', confd)).toBe(true);
    const { files, errors } = scanConfd(confd);
    expect(files.map((f) => [f.name, f.instances, f.note])).toEqual([
      ['memory', [{}], undefined],
      ['redisdb', [{ host: 'y' }], 'configured as "redis": runs as the redisdb check'],
      ['redisdb', [{ host: 'x' }], undefined],
    ]);
    expect(errors.map((e) => [e.name, e.error.split(':')[0]])).toEqual([
      ['bad', 'invalid YAML'],
      ['empty', 'no instances'],
    ]);
  });
});

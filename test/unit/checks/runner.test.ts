// The collector with checks written for the test: each instance on its own schedule, a throwing or
// hanging check reported and retried, bad settings and unknown names as status lines, secrets
// masked, and the check sampler's rules for each metric type.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckOutput } from '../../../src/agent/aggregator/check-sampler.js';
import { CRITICAL, OK, type CheckDefinition } from '../../../src/agent/checks/check.js';
import { instanceId } from '../../../src/agent/checks/instance.js';
import { CheckRunner } from '../../../src/agent/checks/runner.js';
import { renderCollector } from '../../../src/agent/ipc/collector-text.js';
import { createLogger } from '../../../src/log.js';
import { runCheck } from '../../helpers/check-harness.js';

const until = async (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('check sampler (through a real instance run)', () => {
  it('gauge last, count summed, rate and monotonic_count over two runs, histogram aggregates; interval 0', async () => {
    let run = 0;
    const definition: CheckDefinition = {
      name: 'sample',
      create: () => ({
        async run(sender) {
          run++;
          sender.gauge('t.gauge', 1, ['a:1']);
          sender.gauge('t.gauge', 7, ['a:1']);
          sender.count('t.count', 2);
          sender.count('t.count', 3);
          sender.rate('t.rate', run === 1 ? 100 : 110);
          sender.monotonicCount('t.mono', run === 1 ? 50 : 80);
          sender.monotonicCount('t.reset', run === 1 ? 50 : 10);
          for (const v of [1, 2, 3, 4]) sender.histogram('t.hist', v);
          sender.gauge('t.nan', Number.NaN);
          sender.serviceCheck('t.up', OK, ['x:y'], 'fine');
          sender.event({ title: 'hello', text: 'world' });
        },
      }),
    };
    const results = await runCheck(definition, { tags: ['team:a'], service: 'svc' }, { runs: 2, globalTags: ['dyno:web.1'] });
    const last = results.lastRun();
    const one = (name: string) => last.filter((s) => s.metric === name);
    expect(one('t.gauge')).toEqual([expect.objectContaining({ type: 'gauge', interval: 0, points: [[expect.any(Number), 7]], tags: ['a:1', 'dyno:web.1', 'service:svc', 'team:a'], host: 'check-host' })]);
    expect(one('t.count')[0]).toMatchObject({ type: 'count', points: [[expect.any(Number), 5]] });
    expect(one('t.rate')[0]!.type).toBe('gauge');
    expect(one('t.rate')[0]!.points[0]![1]).toBeGreaterThan(0);
    expect(one('t.mono')[0]).toMatchObject({ type: 'count', points: [[expect.any(Number), 30]] });
    expect(one('t.reset')[0]).toMatchObject({ type: 'count', points: [[expect.any(Number), 0]] });
    expect(one('t.hist.max')[0]!.points[0]![1]).toBe(4);
    expect(one('t.hist.avg')[0]!.points[0]![1]).toBe(2.5);
    expect(one('t.hist.count')[0]).toMatchObject({ type: 'rate', points: [[expect.any(Number), 4]] });
    expect(one('t.nan')).toEqual([]);
    // The first run has no rate nor monotonic count yet.
    const first = results.series.filter((s) => s.points[0]![0] < last[0]!.points[0]![0]);
    expect(first.some((s) => s.metric === 't.rate' || s.metric === 't.mono')).toBe(false);
    expect(results.serviceChecks[0]).toMatchObject({ check: 't.up', status: OK, message: 'fine', tags: ['dyno:web.1', 'service:svc', 'team:a', 'x:y'] });
    expect(results.events[0]).toMatchObject({ msg_title: 'hello', msg_text: 'world', host: 'check-host', alert_type: 'info' });
    expect(results.runner.stats).toMatchObject({ totalRuns: 2, totalErrors: 0, metricSamples: { lastRun: 11, total: 22 } });
  });

  it('empty_default_hostname sends no host; a hostname argument overrides it', async () => {
    const definition: CheckDefinition = {
      name: 'hosts',
      create: () => ({
        async run(sender) {
          sender.gauge('t.a', 1);
          sender.gauge('t.b', 1, [], 'other-host');
        },
      }),
    };
    const results = await runCheck(definition, { empty_default_hostname: true });
    expect(results.series.map((s) => [s.metric, s.host])).toEqual([['t.a', ''], ['t.b', 'other-host']]);
  });

  it('a throwing check is an error of that run, with the instance password masked; service checks still go out', async () => {
    const definition: CheckDefinition = {
      name: 'thrower',
      create: ({ instance }) => ({
        async run(sender) {
          sender.serviceCheck('t.can_connect', CRITICAL, [], `login as bob with ${String(instance.password)} failed`);
          throw new Error(`cannot reach postgres://bob:${String(instance.password)}@db:5432/x (password ${String(instance.password)})`);
        },
      }),
    };
    const results = await runCheck(definition, { password: 's3cr3t-pw' });
    expect(results.errors[0]).toBe('cannot reach postgres://bob:***@db:5432/x (password ********)');
    expect(results.serviceChecks[0]!.message).toBe('login as bob with ******** failed');
    expect(results.runner.stats).toMatchObject({ totalRuns: 1, totalErrors: 1, lastSuccessAt: 0 });
  });

  it('a bad instance setting is a config error naming it; the check never runs', async () => {
    const definition: CheckDefinition = { name: 'never', create: () => ({ run: () => Promise.reject(new Error('ran')) }) };
    const results = await runCheck(definition, { min_collection_interval: 'often' });
    expect(results.errors[0]).toBe('min_collection_interval must be a number, not "often"');
  });

  it('instance IDs: <check>:<hex>, with the name when the instance has one, stable for the same config', () => {
    expect(instanceId('redisdb', { host: 'a', port: 1 }, {})).toMatch(/^redisdb:[0-9a-f]{1,16}$/);
    expect(instanceId('redisdb', { host: 'a', port: 1 }, {})).toBe(instanceId('redisdb', { host: 'a', port: 1 }, {}));
    expect(instanceId('redisdb', { host: 'a', port: 2 }, {})).not.toBe(instanceId('redisdb', { host: 'a', port: 1 }, {}));
    expect(instanceId('http_check', { name: 'home', url: 'x' }, {})).toMatch(/^http_check:home:[0-9a-f]+$/);
  });
});

describe('collector (CheckRunner)', () => {
  let confd: string;
  let runner: CheckRunner | undefined;
  const outputs: { name: string; output: CheckOutput }[] = [];
  beforeEach(() => {
    confd = mkdtempSync(join(tmpdir(), 'confd-'));
    outputs.length = 0;
  });
  afterEach(async () => {
    await runner?.stop();
    rmSync(confd, { recursive: true, force: true });
  });

  it('schedules each instance on its own interval; a hanging run times out and the next run still happens', async () => {
    let fastRuns = 0;
    let slowRuns = 0;
    const fast: CheckDefinition = {
      name: 'fast',
      create: () => ({
        async run(sender) {
          fastRuns++;
          sender.gauge('fast.runs', fastRuns);
        },
      }),
    };
    const hanging: CheckDefinition = {
      name: 'hanging',
      create: () => ({
        run: (_sender, signal) =>
          new Promise<void>((resolve) => {
            slowRuns++;
            signal.addEventListener('abort', () => resolve());
          }),
      }),
    };
    writeFileSync(join(confd, 'fast.yaml'), 'instances: [{min_collection_interval: 0.1}]\n');
    writeFileSync(join(confd, 'hanging.yaml'), 'instances: [{min_collection_interval: 0.3}]\n');
    runner = new CheckRunner({
      confdPath: confd,
      hostname: 'h',
      globalTags: [],
      histogram: { aggregates: [], percentiles: [] },
      logger: createLogger('CORE', 'off'),
      disableImplicitChecks: true,
      definitions: [fast, hanging],
      submit: (output) => outputs.push({ name: output.series[0]?.metric ?? 'none', output }),
    });
    await runner.start();
    // The hanging instance times out at its interval, again and again; the fast one keeps its pace meanwhile.
    await until(() => slowRuns >= 3 && fastRuns >= 6, 'three hanging runs and six fast ones');
    const status = runner.status() as { runningChecks: Record<string, { state: string; totalRuns: number; error?: string }[]> };
    expect(status.runningChecks.hanging![0]).toMatchObject({ state: 'ERROR', error: 'timeout: the check ran longer than 0.3 s' });
    expect(status.runningChecks.hanging![0]!.totalRuns).toBeGreaterThanOrEqual(2);
    expect(status.runningChecks.fast![0]).toMatchObject({ state: 'OK' });
    expect(outputs.filter((o) => o.name === 'fast.runs').length).toBeGreaterThanOrEqual(5);
  });

  it('config and loading errors are status lines in the agent layout, never a stop', async () => {
    writeFileSync(join(confd, 'bad.yaml'), 'instances: [\n');
    mkdirSync(join(confd, 'mysql.d'));
    writeFileSync(join(confd, 'mysql.d', 'conf.yaml'), 'instances: [{server: db}]\n');
    runner = new CheckRunner({
      confdPath: confd,
      hostname: 'h',
      globalTags: [],
      histogram: { aggregates: [], percentiles: [] },
      logger: createLogger('CORE', 'off'),
      disableImplicitChecks: true,
      submit: () => undefined,
    });
    await runner.start();
    const text = renderCollector(runner.status() as never);
    expect(text).toContain('\n  Running Checks\n  ==============\n    No checks have run yet\n');
    expect(text).toMatch(/  Config Errors\n  ==============\n    bad\n    ---\n      .*bad\.yaml: invalid YAML/);
    expect(text).toMatch(/  Loading Errors\n  ==============\n    mysql\n    -----\n      Built-in Check Loader:\n        the built-in agent has no check "mysql"/);
  });
});

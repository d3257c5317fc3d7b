// End to end: a builtin-flavour slug built by bin/compile boots like a dyno (.profile.d/datadog.sh,
// agent-wrapper start), takes DogStatsD from a stock client, shows it in `agent-wrapper status`,
// and on SIGTERM delivers the last interval to the intake, tagged with the dyno tags.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import StatsD from 'hot-shots';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDyno, restartSignal, type Dyno } from '../../scripts/demo/dyno.js';
import { decodeSketches } from '../../src/intake/payloads/sketches.js';
import { freePort } from './agent-harness.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';

const KEY = 'e2e00000000000000000000000000key';

interface Serie {
  metric: string;
  points: [number, number][];
  tags: string[];
  host: string;
}

describe('builtin slug, booted like a dyno', () => {
  let work: string;
  let slug: string;
  let intake: RecordingIntake;
  let dyno: Dyno;
  let env: Record<string, string>;
  let statsdPort: number;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'agent-e2e-'));
    slug = join(work, 'build');
    const [cache, envDir] = [join(work, 'cache'), join(work, 'env')];
    for (const dir of [slug, cache, envDir]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(slug, 'package.json'), '{ "name": "e2e-app", "private": true }\n');
    writeFileSync(join(envDir, 'DD_AGENT_FLAVOR'), 'builtin');
    execFileSync(join(process.cwd(), 'bin/compile'), [slug, cache, envDir], { env: { ...process.env, STACK: 'heroku-24' }, stdio: 'pipe' });
    intake = await startRecordingIntake();
    statsdPort = await freePort();
    env = {
      DYNO: 'web.1',
      HEROKU_APP_NAME: 'e2e-app',
      DD_API_KEY: KEY,
      DD_DD_URL: intake.url,
      DD_APM_DD_URL: intake.url,
      DD_DYNO_HOST: 'true',
      DD_TAGS: 'team:e2e',
      DD_DOGSTATSD_PORT: String(statsdPort),
      DD_APM_RECEIVER_PORT: String(await freePort()),
      DD_CMD_PORT: String(await freePort()),
      DD_DISABLE_HOST_METRICS: 'true',
    };
    dyno = bootDyno(slug, 'sleep 600', env, join(work, 'dyno.log'));
  }, 120_000);
  afterAll(async () => {
    if (dyno !== undefined) await restartSignal(dyno, 5_000);
    await intake?.close();
    if (!process.env.KEEP_E2E) rmSync(work, { recursive: true, force: true });
  });

  const wrapper = (...args: string[]) =>
    execa(join(slug, '.apt/usr/bin/agent-wrapper'), args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, HOME: slug }, cwd: slug, reject: false, extendEnv: false });

  it('accepts DogStatsD from hot-shots, shows counters in `agent-wrapper status`, delivers the last interval on SIGTERM', async () => {
    // The agent is up once its IPC answers.
    let status = await wrapper('status', '--json');
    for (let i = 0; i < 100 && status.exitCode !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await wrapper('status', '--json');
    }
    expect(status.exitCode, status.stderr).toBe(0);
    const client = new StatsD({ host: '127.0.0.1', port: statsdPort, maxBufferSize: 0 });
    for (let i = 0; i < 40; i++) client.increment('e2e.orders', 1, ['shop:main']);
    for (const v of [12, 20, 31]) client.distribution('e2e.basket', v);
    client.check('e2e.payment_gateway', client.CHECKS.OK, { message: 'reachable' });
    client.event('e2e deploy', 'v1 is live');
    const counters = async () => (JSON.parse((await wrapper('status', '--json')).stdout) as { components: { dogstatsd: Record<string, number> } }).components.dogstatsd;
    let seen = await counters();
    for (let i = 0; i < 100 && seen.metricSamples! < 43; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await counters();
    }
    expect(seen).toMatchObject({ metricSamples: 43, events: 1, serviceChecks: 1, metricParseErrors: 0 });
    await new Promise<void>((resolve) => client.close(() => resolve()));
    const text = await wrapper('status');
    expect(text.stdout).toMatch(/\n  Dogstatsd Metric Sample: 43\n/);
    expect(text.stdout).toMatch(/\n  Event Packets: 1\n(.*\n)*  Service Check Packets: 1\n/);
    expect(text.stdout).not.toContain(KEY);

    const stopped = await restartSignal(dyno, 30_000);
    expect(stopped.killed).toBe(0);
    const series = intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: Serie[] }>().series);
    const orders = series.filter((s) => s.metric === 'e2e.orders' && s.points[0]![1] > 0);
    expect(orders.reduce((sum, s) => sum + s.points[0]![1] * 10, 0)).toBeCloseTo(40, 10);
    for (const tag of ['dyno:web.1', 'dynotype:web', 'appname:e2e-app', 'team:e2e', 'shop:main']) expect(orders[0]!.tags).toContain(tag);
    expect(orders[0]!.host).toBe('e2e-app.web.1');
    const basket = intake.accepted('/api/beta/sketches').flatMap((r) => decodeSketches(r.body)).filter((s) => s.metric === 'e2e.basket');
    expect(basket.reduce((n, s) => n + s.cnt, 0)).toBe(3);
    expect(basket[0]!.tags).toContain('dyno:web.1');
    const checks = intake.accepted('/api/v1/check_run').flatMap((r) => r.json<{ check: string; status: number; tags: string[] }[]>());
    expect(checks.find((c) => c.check === 'e2e.payment_gateway')).toMatchObject({ status: 0 });
    expect(checks.find((c) => c.check === 'e2e.payment_gateway')!.tags).toContain('dyno:web.1');
    const events = intake.accepted('/intake/').flatMap((r) => Object.values(r.json<{ events: Record<string, { msg_title: string; tags: string[] }[]> }>().events).flat());
    expect(events.find((e) => e.msg_title === 'e2e deploy')!.tags).toContain('appname:e2e-app');
  }, 90_000);
});

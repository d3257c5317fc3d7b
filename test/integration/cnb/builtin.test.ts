// The buildpack as a Cloud Native Buildpack (Heroku Fir), end to end through the lifecycle
// stand-in (scripts/cnb-lifecycle.ts): the node example detected, built in the builtin flavour
// and launched as a dyno. The agent runs beside the app, DogStatsD counts reach the local intake,
// DD_TAGS with the dyno tags is in the app's environment, a warm rebuild reuses the layers, and
// SIGTERM ends everything inside 25 s with the last flush.
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, detect, launch, layersDir, readBuildpack, workspace, type BuildResult, type Launched, type Workspace } from '../../../scripts/cnb-lifecycle.js';
import { restartSignal, waitForWeb } from '../../../scripts/demo/dyno.js';
import { copyApp } from '../../../scripts/demo/slug.js';
import type { Serie } from '../../../src/agent/aggregator/payloads.js';
import { BUILDPACK_VERSION } from '../../../src/constants.js';
import { startRecordingIntake, type RecordingIntake } from '../../helpers/recording-intake.js';
import { freePort, until } from '../agent-harness.js';

const repo = join(import.meta.dirname, '../../..');
const API_KEY = 'f1r0cnb0000000000000000000000042';
const bp = readBuildpack(repo);

describe('the builtin flavour as a CNB, through the lifecycle stand-in', () => {
  let work: string;
  let ws: Workspace;
  let intake: RecordingIntake;
  let first: BuildResult;
  let second: BuildResult;
  let dyno: Launched | undefined;
  let statsdPort: number;
  const config = { DD_AGENT_FLAVOR: 'builtin', DD_API_KEY: API_KEY };
  const layer = (name: string) => join(layersDir(ws, bp), name);
  const series = () => intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: Serie[] }>().series);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cnb-builtin-'));
    mkdirSync(join(work, 'app'));
    copyApp(repo, 'node-app', join(work, 'app'));
    ws = workspace(work, join(work, 'app'));
    // prerun.sh semantics: it runs inside exec.d, before the variables go to the app.
    mkdirSync(join(ws.appDir, 'datadog'));
    writeFileSync(join(ws.appDir, 'datadog', 'prerun.sh'), 'export DD_VERSION="v-from-prerun"\nexport SHOP_PRERUN=ran\n');
    intake = await startRecordingIntake();
    first = await build(ws, bp, { config, env: process.env });
    second = await build(ws, bp, { config, env: process.env });
  }, 120_000);

  afterAll(async () => {
    if (dyno !== undefined) await restartSignal(dyno, 25_000);
    await intake?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('buildpack.toml declares API 0.10 and BUILDPACK_VERSION; bin/detect passes under the CNB API', async () => {
    expect(bp.version).toBe(BUILDPACK_VERSION);
    expect(Number(bp.api)).toBeGreaterThanOrEqual(0.1);
    const result = await detect(ws, bp, { config, env: process.env });
    expect(result).toEqual({ code: 0, output: '' });
  });

  it('builds launch layers (agent, node) and never prints the API key', () => {
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`-----> Datadog buildpack ${BUILDPACK_VERSION}: builtin agent (Cloud Native Buildpack, linux/amd64, ubuntu 24.04)`);
    expect(first.layers.map((l) => [l.name, l.launch, l.cache])).toEqual([
      ['agent', true, true],
      ['node', true, true],
    ]);
    expect(existsSync(join(layer('agent'), 'bin', 'agent-wrapper'))).toBe(true);
    expect(existsSync(join(layer('agent'), 'exec.d', 'datadog'))).toBe(true);
    expect(existsSync(join(layer('node'), 'dist', 'bin', 'node'))).toBe(true);
    // Nothing of Cedar's layout in the app folder.
    expect(existsSync(join(ws.appDir, '.apt'))).toBe(false);
    expect(existsSync(join(ws.appDir, '.profile.d'))).toBe(false);
    for (const text of [first.output, second.output]) expect(text).not.toContain(API_KEY);
  });

  it('a warm rebuild reuses the node and agent layers as they are', () => {
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('unchanged: reusing the node layer');
    expect(second.output).toContain('Build inputs unchanged: reusing the agent layer');
    expect(second.output).not.toContain('copied into the node layer');
    // The same files, not rewritten: their change time is from the first build.
    const agentJs = join(layer('agent'), '.apt/opt/datadog-buildpack/lib/agent.js');
    expect(statSync(agentJs).ctimeMs).toBeLessThan(statSync(join(layersDir(ws, bp), 'agent.toml')).mtimeMs);
  });

  it('launches the agent beside the app; DD_TAGS and prerun.sh variables are in the app environment; counts reach the intake', { timeout: 90_000 }, async () => {
    const [web, apm, cmd] = [await freePort(), await freePort(), await freePort()];
    statsdPort = await freePort();
    const runtime = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: ws.appDir,
      DYNO: 'web.1',
      PORT: String(web),
      HEROKU_APP_NAME: 'fir-shop',
      DD_API_KEY: API_KEY,
      DD_DD_URL: intake.url,
      DD_APM_DD_URL: intake.url,
      DD_DOGSTATSD_PORT: String(statsdPort),
      DD_APM_RECEIVER_PORT: String(apm),
      DD_CMD_PORT: String(cmd),
      DD_TAGS: 'team:checkout',
    };
    dyno = await launch(ws, bp, 'web', runtime, join(work, 'dyno.log'));
    await waitForWeb(web, dyno);
    // As soon as the app runs, the agent listens: the exec.d program waited for it.
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => sock.send('fir.orders:3|c|#kind:book', statsdPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    sock.close();

    const appPid = dyno.pids().find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('node\0server.js'));
    expect(appPid, readFileSync(join(work, 'dyno.log'), 'utf8')).toBeDefined();
    const appEnv = new Map(
      readFileSync(`/proc/${appPid}/environ`, 'latin1')
        .split('\0')
        .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const),
    );
    expect(appEnv.get('DD_TAGS')?.split(',')).toEqual(expect.arrayContaining(['team:checkout', 'dyno:web.1', 'dynotype:web', 'appname:fir-shop', `buildpackversion:${BUILDPACK_VERSION}`]));
    expect(appEnv.get('DD_HOSTNAME')).toBeTruthy();
    expect(appEnv.get('DD_VERSION')).toBe('v-from-prerun');
    expect(appEnv.get('SHOP_PRERUN')).toBe('ran');
    expect(dyno.environment.fromExecD).toEqual(expect.arrayContaining(['DD_TAGS', 'DYNOTYPE', 'DD_VERSION', 'SHOP_PRERUN']));

    await until(() => series().some((s) => s.metric === 'fir.orders'), 40_000, 'fir.orders at the intake');
    const orders = series().find((s) => s.metric === 'fir.orders')!;
    expect(orders.tags).toEqual(expect.arrayContaining(['kind:book', 'dyno:web.1', 'appname:fir-shop', 'team:checkout']));
    expect(orders.points[0]![1] * orders.interval).toBe(3);
  });

  it('SIGTERM to the dyno ends the app and the agents inside 25 s, after the last flush', { timeout: 60_000 }, async () => {
    expect(dyno).toBeDefined();
    const agents = dyno!.pids().filter((pid) => /agent|supervisor|relay/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1')));
    expect(agents.length).toBeGreaterThan(0);
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => sock.send('fir.last:5|c', statsdPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    sock.close();
    await new Promise((r) => setTimeout(r, 200));
    const stopped = await restartSignal(dyno!, 25_000);
    dyno = undefined;
    expect(stopped.killed).toBe(0);
    const last = series().find((s) => s.metric === 'fir.last');
    expect(last, 'the counter sent just before SIGTERM was flushed').toBeDefined();
    expect(last!.points[0]![1] * last!.interval).toBe(5);
  });
});

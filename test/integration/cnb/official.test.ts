// The official flavour as a CNB, through the lifecycle stand-in, against the signed test apt
// repository (stand-in agent binaries): the verified .deb lands in the cache-only packages layer,
// the agent in the launch layer; a warm rebuild downloads and extracts nothing; a strip option
// change rebuilds the agent layer from the cached .deb; arm64 is refused with the fix; at launch
// the supervisor runs the agent from the layer and SIGTERM stops it inside the grace period.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, launch, layersDir, readBuildpack, workspace, type Workspace } from '../../../scripts/cnb-lifecycle.js';
import { restartSignal } from '../../../scripts/demo/dyno.js';
import { startAptRepo, type AptRepoUrls } from '../../helpers/apt-repo.mjs';
import { freePort, until } from '../agent-harness.js';

const repo = join(import.meta.dirname, '../../..');
const API_KEY = 'f1r0official000000000000000000042';
const bp = readBuildpack(repo);

describe('the official flavour as a CNB, through the lifecycle stand-in', () => {
  let work: string;
  let ws: Workspace;
  let apt: { urls: AptRepoUrls; close(): Promise<void> };
  let config: Record<string, string>;
  const layer = (name: string) => join(layersDir(ws, bp), name);
  const debRequests = () => readFileSync(apt.urls.REQUEST_LOG, 'utf8').split('\n').filter((l) => /^GET \S+\.deb/.test(l)).length;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cnb-official-'));
    mkdirSync(join(work, 'app'));
    writeFileSync(join(work, 'app', 'Procfile'), 'web: sleep 600\n');
    ws = workspace(work, join(work, 'app'));
    apt = await startAptRepo();
    config = { DD_API_KEY: API_KEY, DD_APT_REPO_URL: apt.urls.APT_REPO_URL, DD_APT_KEYS_URL: apt.urls.APT_KEYS_URL, DD_AGENT_VERSION: '7.60.0-1' };
  }, 120_000);

  afterAll(async () => {
    await apt?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs the verified agent into the agent layer and caches the .deb in the packages layer', async () => {
    const result = await build(ws, bp, { config, env: process.env });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('-----> Downloading datadog-heroku-agent 7.60.0-1');
    expect(result.output).toMatch(/adds .* to the image \(agent /);
    expect(result.output).not.toContain(API_KEY);
    expect(result.layers.map((l) => [l.name, l.launch, l.cache])).toEqual([
      ['agent', true, true],
      ['node', true, true],
      ['packages', false, true],
    ]);
    expect(existsSync(join(layer('agent'), '.apt/opt/datadog-agent/bin/agent/agent'))).toBe(true);
    expect(readFileSync(join(layer('agent'), '.apt/opt/datadog-buildpack/build.json'), 'utf8')).toContain('"agentVersion": "7.60.0-1"');
    expect(debRequests()).toBe(1);
  });

  it('a warm rebuild downloads nothing and keeps the agent layer', async () => {
    const result = await build(ws, bp, { config, env: process.env });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Build inputs unchanged: reusing the agent layer (datadog-heroku-agent 7.60.0-1)');
    expect(result.output).not.toContain('Reading the Datadog apt repository');
    expect(debRequests()).toBe(1);
  });

  it('DD_APM_ENABLED=false rebuilds the agent layer from the cached .deb, still with no download', async () => {
    const result = await build(ws, bp, { config: { ...config, DD_APM_ENABLED: 'false' }, env: process.env });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('reusing the cached datadog-heroku-agent 7.60.0-1 (nothing downloaded)');
    expect(existsSync(join(layer('agent'), '.apt/opt/datadog-agent/embedded/bin/trace-agent'))).toBe(false);
    expect(debRequests()).toBe(1);
  });

  it('an arm64 target is refused with the variable to change', async () => {
    const other = workspace(join(work, 'arm'), ws.appDir);
    const result = await build(other, bp, { config, env: process.env, target: { os: 'linux', arch: 'arm64', distroName: 'ubuntu', distroVersion: '24.04' } });
    expect(result.code).toBe(1);
    expect(result.output).toContain(' !     The official Datadog Agent package is installed for amd64 only; this build targets linux/arm64.');
    expect(result.output).toContain('Set DD_AGENT_FLAVOR=builtin');
  });

  it('at launch the supervisor runs the agent from the layer; SIGTERM stops everything', { timeout: 60_000 }, async () => {
    await build(ws, bp, { config, env: process.env });
    const standinLog = join(work, 'standin.log');
    writeFileSync(standinLog, '');
    const runtime = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: ws.appDir,
      DYNO: 'web.1',
      HEROKU_APP_NAME: 'fir-official',
      DD_API_KEY: API_KEY,
      DD_DOGSTATSD_PORT: String(await freePort()),
      DD_APM_RECEIVER_PORT: String(await freePort()),
      DD_CMD_PORT: String(await freePort()),
      STANDIN_LOG: standinLog,
    };
    const dyno = await launch(ws, bp, 'web', runtime, join(work, 'dyno.log'));
    try {
      const conf = join(layer('agent'), '.apt/etc/datadog-agent/datadog.yaml');
      await until(() => readFileSync(standinLog, 'utf8').includes(`run -c ${conf}`), 20_000, 'the stand-in agent run from the layer');
      expect(readFileSync(conf, 'utf8')).not.toContain(API_KEY);
      expect(dyno.environment.fromExecD).toEqual(expect.arrayContaining(['DD_TAGS', 'DD_CONF_DIR']));
    } finally {
      const stopped = await restartSignal(dyno, 25_000);
      expect(stopped.killed).toBe(0);
    }
    expect(readFileSync(join(work, 'dyno.log'), 'utf8')).toContain('Agent stopped');
  });
});

// The bundled agent as a process: `agent run -c datadog.yaml`, stock client traffic, `agent status`
// over IPC, conf.d it cannot run, and SIGTERM delivering the last (open) interval before exit 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import StatsD from 'hot-shots';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { freePort, until } from './agent-harness.js';

const AGENT = join(process.cwd(), 'lib/agent.js');
const KEY = 'cli0123456789abcdef0123456789abc';

describe('agent CLI (lib/agent.js)', () => {
  let intake: RecordingIntake;
  let dir: string;
  let config: string;
  let env: NodeJS.ProcessEnv;
  let agent: ChildProcess;
  let output = '';
  let exit: Promise<number | string | null>;

  beforeAll(async () => {
    intake = await startRecordingIntake();
    dir = mkdtempSync(join(tmpdir(), 'agent-cli-'));
    config = join(dir, 'datadog.yaml');
    const [statsdPort, cmdPort, apmPort] = [await freePort(), await freePort(), await freePort()];
    mkdirSync(join(dir, 'conf.d', 'nosuchcheck.d'), { recursive: true });
    writeFileSync(join(dir, 'conf.d', 'nosuchcheck.d', 'conf.yaml'), 'instances:\n  - host: db\n');
    writeFileSync(join(dir, 'conf.d', 'broken.yaml'), 'instances: [\n  - : :\n');
    writeFileSync(config, `api_key: from-yaml-is-overridden\nhostname: yaml-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\ntags:\n  - team:core\n`);
    env = { ...process.env, DD_API_KEY: KEY, DD_DD_URL: intake.url, DD_HOSTNAME: 'cli-host', DD_LOG_LEVEL: 'info', DD_APM_RECEIVER_PORT: String(apmPort) };
    agent = spawn(process.execPath, [AGENT, 'run', '-c', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    agent.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exit = new Promise((resolve) => agent.on('exit', (code, signal) => resolve(code ?? signal)));
    await until(() => output.includes('built-in agent running as'), 10_000, 'agent start');
  });
  afterAll(async () => {
    if (agent.exitCode === null) agent.kill('SIGKILL');
    await intake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => execa(process.execPath, [AGENT, ...args, '-c', config], { env, reject: false });

  it('creates auth_token beside datadog.yaml, readable by the owner only', () => {
    expect(statSync(join(dir, 'auth_token')).mode & 0o777).toBe(0o600);
  });

  it('serves hot-shots traffic and shows it in `agent status --json` and text', async () => {
    const port = Number(/dogstatsd_port: (\d+)/.exec(readFileSync(config, 'utf8'))![1]);
    const client = new StatsD({ host: '127.0.0.1', port, maxBufferSize: 0 });
    for (let i = 0; i < 20; i++) client.increment('cli.hits', 1, ['path:/']);
    client.distribution('cli.latency', 42);
    let status: { hostname: string; apiKey: string; tags: string[]; components: Record<string, Record<string, unknown>> } | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await cli('status', '--json');
      expect(res.exitCode).toBe(0);
      status = JSON.parse(res.stdout) as typeof status;
      if ((status!.components.dogstatsd!.metricSamples as number) >= 21) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Closed only now: closing right after sending may drop datagrams still queued in the client.
    await new Promise<void>((resolve) => client.close(() => resolve()));
    expect(status!.hostname).toBe('cli-host');
    expect(status!.tags).toEqual(['team:core']);
    expect(status!.apiKey).toBe(`${'*'.repeat(KEY.length - 5)}${KEY.slice(-5)}`);
    expect(status!.components.dogstatsd).toMatchObject({ metricSamples: 21, metricParseErrors: 0 });
    expect(status!.components.collector).toMatchObject({
      configErrors: [{ name: 'broken', error: expect.stringMatching(/^invalid YAML/) }],
      loadingErrors: [{ name: 'nosuchcheck', error: expect.stringMatching(/has no check "nosuchcheck".*DD_AGENT_FLAVOR=official/) }],
    });
    const text = await cli('status');
    expect(text.stdout).toMatch(/^(=+)\nAgent \(v[\d.]+\)\n\1\n  Status date: /);
    expect(text.stdout).toContain('=========\nCollector\n=========\n\n  Running Checks\n  ==============\n');
    expect(text.stdout).toMatch(/  Config Errors\n  =+\n    broken\n    ------\n      .*broken\.yaml: invalid YAML/);
    expect(text.stdout).toMatch(/  Loading Errors\n  =+\n    nosuchcheck\n    -+\n      Built-in Check Loader:\n        the built-in agent has no check "nosuchcheck"/);
    expect(text.stdout).toMatch(/==========\nAggregator\n==========\n\n(  .*\n)*  Dogstatsd Metric Sample: 21\n/);
    expect(text.stdout).toMatch(/=========\nDogStatsD\n=========\n\n(  .*\n)*  Metric Parse Errors: 0\n/);
    expect(text.stdout + text.stderr).not.toContain(KEY);
    expect((await cli('health')).stdout).toContain('Agent health: PASS');
  });

  it('refuses IPC requests without the bearer token', async () => {
    const port = Number(/cmd_port: (\d+)/.exec(readFileSync(config, 'utf8'))![1]);
    const res = await fetch(`http://127.0.0.1:${port}/agent/status`);
    expect(res.status).toBe(401);
    const bad = await fetch(`http://127.0.0.1:${port}/agent/status`, { headers: { Authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
  });

  it('masks the key in `agent config` and `agent check` runs a host check', async () => {
    const shown = await cli('config');
    expect(shown.stdout).toContain('\nhostname: cli-host\n');
    expect(shown.stdout).toMatch(/^additional_checksd: .*\napi_key: "\*+\w{5}"\napm_config:\n  apm_dd_url: /);
    expect(shown.stdout).not.toContain(KEY);
    const check = await cli('check', 'memory');
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toMatch(/^=== Series ===\n\[\n  \{\n    "metric": "system\.mem\.total",\n    "points": \[\n      \[\n        \d+,\n        \d/);
    expect(check.stdout).toMatch(/    memory\n    ------\n      Instance ID: memory \[OK\]\n      Configuration Source: builtin\n      Total Runs: 1\n      Metric Samples: Last Run: 10, Total: 10\n/);
    const refused = await cli('check', 'nosuchcheck');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('DD_AGENT_FLAVOR=official');
  });

  it('SIGTERM (twice, as Heroku and the supervisor both send it): the open interval reaches the intake, then exit 0', async () => {
    agent.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 20));
    agent.kill('SIGTERM');
    expect(await exit).toBe(0);
    const series = intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: { metric: string; points: [number, number][]; tags: string[]; host: string }[] }>().series);
    const hits = series.filter((s) => s.metric === 'cli.hits');
    expect(hits.reduce((sum, s) => sum + s.points[0]![1] * 10, 0)).toBeCloseTo(20, 10);
    expect(hits[0]).toMatchObject({ host: 'cli-host', tags: ['path:/', 'team:core'] });
    expect(intake.accepted('/api/beta/sketches').length).toBeGreaterThan(0);
    expect(intake.requests.every((r) => r.headers['dd-api-key'] === KEY)).toBe(true);
    expect(output).toMatch(/SIGTERM received: flushing/);
    expect(output).not.toContain(KEY);
  });
});

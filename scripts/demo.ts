// `npm run demo`: builds examples/node-app with bin/compile (builtin flavour), boots it like a dyno
// against a local intake, drives traffic, restarts it with SIGTERM and checks nothing was lost.
//   --short   a 8 s run (CI)      --keep   leave the intake and the dyno running until Ctrl-C
//   --cnb     build and launch through the Cloud Native Buildpack API (Heroku Fir), with the
//             lifecycle stand-in scripts/cnb-lifecycle.ts, instead of bin/compile and .profile.d
//   --app node-app|gunicorn-app|otel-app   which example of examples/ to build (node-app by default;
//             otel-app is instrumented with the OpenTelemetry SDK and sends over OTLP/HTTP)
//   --seconds N   traffic duration --rate N   requests per second   --intake-port N (0 = any)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build as cnbBuild, launch as cnbLaunch, layersDir, readBuildpack, workspace } from './cnb-lifecycle.js';
import { diagnose } from './demo/diagnose.js';
import { bootDyno, restartSignal, waitForWeb, type Dyno } from './demo/dyno.js';
import { freePort } from './demo/ports.js';
import { APPS, compare, summaryOf, type AppName } from './demo/report.js';
import { buildSlug, copyApp, procfileCommand } from './demo/slug.js';
import { bootProbe, driveTraffic } from './demo/traffic.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    app: { type: 'string', default: 'node-app' },
    short: { type: 'boolean', default: false },
    cnb: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    rate: { type: 'string', default: '5' },
    'intake-port': { type: 'string', default: '8080' },
  },
});
if (!(args.app in APPS)) {
  process.stderr.write(` !     --app must be one of ${Object.keys(APPS).join(', ')} (the folders of examples/), not ${args.app}\n`);
  process.exit(2);
}
const APP = args.app as AppName;
const SERVICE = APPS[APP].service;
const seconds = Number(args.seconds ?? (args.short ? 8 : 30));
// Under 10 traces/s per service, so the agent's priority sampler keeps every trace.
const rate = Number(args.rate);

const step = (text: string) => process.stdout.write(`-----> ${text}\n`);
const detail = (text: string) => process.stdout.write(`       ${text}\n`);
const fail = (text: string): never => {
  process.stderr.write(` !     ${text}\n`);
  process.exit(1);
};

const work = mkdtempSync(join(tmpdir(), 'dd-demo-'));
const slug = join(work, 'app');
let intakeProcess: ChildProcess | undefined;
let dyno: Dyno | undefined;

async function startIntake(port: number): Promise<string> {
  const child = spawn(process.execPath, [join(repo, 'lib/intake.js'), '--port', String(port), '--data', join(work, 'intake-data')], { stdio: ['ignore', 'pipe', 'pipe'] });
  intakeProcess = child;
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the intake exited (${code}): ${output.trim()}`)));
  });
}

async function cleanup(keepFiles: boolean): Promise<void> {
  if (dyno && dyno.pids().length > 0) await restartSignal(dyno, 5000);
  intakeProcess?.kill('SIGTERM');
  if (!keepFiles) rmSync(work, { recursive: true, force: true, maxRetries: 3 });
}

function progress(text: string, final = false): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2K       ${text}${final ? '\n' : ''}`);
  else if (final) detail(text);
}

// Ctrl-C or SIGTERM at any point stops what the demo started; in --keep mode it ends the wait.
let stopping = false;
let keepRunning = false;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    if (args.keep && keepRunning) {
      stopping = true;
      return;
    }
    process.stderr.write(`\n !     ${name}: stopping the demo\n`);
    void cleanup(false)
      .catch(() => {})
      .finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const ws = workspace(work, slug);
  const bp = readBuildpack(repo);
  let build: { ok: boolean; output: string };
  if (args.cnb) {
    step(`Building examples/${APP} as a Cloud Native Buildpack (bin/detect, bin/build through scripts/cnb-lifecycle.ts; DD_AGENT_FLAVOR=builtin) in ${work}`);
    mkdirSync(slug, { recursive: true });
    copyApp(repo, APP, slug);
    const result = await cnbBuild(ws, bp, { config: { DD_AGENT_FLAVOR: 'builtin' }, env: process.env });
    build = { ok: result.code === 0, output: result.output };
  } else {
    step(`Building examples/${APP} with bin/compile (DD_AGENT_FLAVOR=builtin) into ${slug}`);
    build = await buildSlug(repo, APP, slug, join(work, 'cache'), join(work, 'env'), { DD_AGENT_FLAVOR: 'builtin' });
  }
  process.stdout.write(build.output.replace(/^/gm, '       | ').replace(/ {7}\| $/, ''));
  if (!build.ok) fail(`${args.cnb ? 'bin/build' : 'bin/compile'} failed: see its output above.`);
  const needed = args.cnb ? [join(layersDir(ws, bp), 'agent/exec.d/datadog')] : [join(slug, '.profile.d/datadog.sh'), join(slug, '.apt/usr/bin/agent-wrapper')];
  const missing = needed.filter((p) => !existsSync(p));
  if (missing.length > 0) detail(`WARNING: the build lacks ${missing.join(', ')}: the dyno will boot without an agent and nothing will reach the intake.`);

  const intakePort = await freePort(Number(args['intake-port']));
  const intake = await startIntake(intakePort);
  step(`Local intake on ${intake} (data in ${join(work, 'intake-data')})`);

  const ports = { web: await freePort(0), statsd: await freePort(0, true), apm: await freePort(0), cmd: await freePort(0), otlp: await freePort(0) };
  const env: Record<string, string> = {
    DYNO: 'web.1',
    PORT: String(ports.web),
    HEROKU_APP_NAME: SERVICE,
    HEROKU_RELEASE_VERSION: 'v1',
    DD_API_KEY: `demo${'0'.repeat(28)}`,
    DD_DD_URL: intake,
    DD_APM_DD_URL: intake,
    DD_DYNO_HOST: 'true',
    DD_ENV: 'demo',
    DD_SERVICE: SERVICE,
    DD_TAGS: 'team:demo,source:npm-run-demo',
    DD_DOGSTATSD_PORT: String(ports.statsd),
    DD_APM_RECEIVER_PORT: String(ports.apm),
    DD_TRACE_AGENT_PORT: String(ports.apm),
    DD_CMD_PORT: String(ports.cmd),
    ...(APPS[APP].otlp ? { DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: `localhost:${ports.otlp}` } : {}),
    // The tracer's own telemetry and remote configuration are not part of this pipeline.
    DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
    DD_TRACE_STARTUP_LOGS: 'false',
  };
  const command = procfileCommand(slug, 'web');
  const logFile = join(work, 'dyno.log');
  const boot = async (): Promise<Dyno> =>
    args.cnb ? cnbLaunch(ws, bp, 'web', { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: slug, ...env }, logFile) : bootDyno(slug, command, env, logFile);
  step(`Booting web.1 like a dyno${args.cnb ? ' (CNB launcher: layer env, exec.d, then the process)' : ''}: HOME=${slug}, PORT=${ports.web}, \`${command}\` (DogStatsD ${ports.statsd}, traces ${ports.apm}${APPS[APP].otlp ? `, OTLP/HTTP ${ports.otlp}` : ''}; log ${logFile})`);
  dyno = await boot();
  const probe = bootProbe(await waitForWeb(ports.web, dyno));
  detail(`web.1 is up: ${dyno.pids().length} processes in the dyno`);

  step(`Driving traffic for ${seconds} s at ${rate} requests/s`);
  const sent = await driveTraffic(ports.web, seconds, rate, async (elapsed, counts) => {
    const s = await summaryOf(intake).catch(() => undefined);
    const received = s ? `intake: ${Object.values(s.endpoints).reduce((n, e) => n + e.payloads, 0)} payloads, ${s.metrics.names + s.distributions.names} metrics, ${s.traces.traces} traces, ${s.checks} checks` : 'intake: unreachable';
    progress(`[${String(elapsed).padStart(3)} s/${seconds} s] ${counts.requests} requests sent · ${received}`);
  }, undefined, probe);
  progress(`${sent.requests} requests sent (${Object.entries(sent.byRoute).map(([r, n]) => `${r} ${n}`).join(', ')}), ${sent.failures} failed`, true);

  // Let the tracer (500 ms flush) hand its last traces to the agent before the restart.
  await new Promise((r) => setTimeout(r, 1500));
  step('Restarting the dyno: SIGTERM to every process, SIGKILL after 30 s (as Heroku does)');
  const stop = await restartSignal(dyno);
  detail(`${stop.processes} processes got SIGTERM; ${stop.killed === 0 ? `all exited in ${stop.seconds.toFixed(1)} s` : `${stop.killed} still running after 30 s were killed`}`);

  step('Summary');
  const { checks, summary } = await compare(intake, sent, APP);
  for (const c of checks) detail(`${c.ok ? '✓' : '✗'} ${c.what.padEnd(40)} sent ${String(c.sent).padStart(5)}   received ${String(c.received).padStart(5)}`);
  detail(`  received in all: ${summary.metrics.names} metrics (${summary.metrics.points} points), ${summary.distributions.names} distributions, ${summary.traces.traces} traces (${summary.traces.spans} spans), ${summary.checks} service checks, ${summary.events} events, ${summary.stats} APM stats`);
  const lost = checks.filter((c) => !c.ok);
  writeFileSync(join(work, 'summary.json'), JSON.stringify({ sent, checks, summary }, null, 2));
  if (lost.length === 0) detail('Nothing lost: every request, trace, check and event reached the intake.');
  else {
    detail(`MISMATCH in ${lost.length} check(s): ${lost.map((c) => c.what).join('; ')} (dyno log: ${logFile})`);
    for (const hint of diagnose(readFileSync(logFile, 'utf8'))) detail(`  why: ${hint}`);
  }
  detail(`Page: ${intake}/#metric=${APPS[APP].pageMetric}`);

  if (args.keep) {
    step('--keep: web.1 boots again (as after a restart) with light traffic; Ctrl-C stops everything');
    dyno = await boot();
    await waitForWeb(ports.web, dyno);
    keepRunning = true;
    await driveTraffic(ports.web, Infinity, 1, () => {}, () => stopping);
    await cleanup(false);
    return lost.length === 0 ? 0 : 1;
  }
  await cleanup(lost.length > 0);
  if (lost.length > 0) detail(`Files kept for a look: ${work}`);
  return lost.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(` !     ${(error as Error).message}\n`);
    await cleanup(true);
    process.stderr.write(` !     Files kept for a look: ${work}\n`);
    process.exit(1);
  },
);

#!/usr/bin/env node
// Dyno boot and stop, builtin flavour: how long sourcing .profile.d/datadog.sh holds up the app's
// command, how long until the agent is ready (auth_token written), and how long a dyno-wide SIGTERM
// takes to end the supervisor and its agent.
//   node bench/dyno-boot.mjs [--runs N] [--json FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, json: { type: 'string' } } });
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'dd-boot-bench-'));
const app = join(work, 'app');
mkdirSync(join(app, '.heroku/node/bin'), { recursive: true });
symlinkSync(process.execPath, join(app, '.heroku/node/bin/node'));
mkdirSync(join(work, 'env'));
writeFileSync(join(work, 'env/DD_AGENT_FLAVOR'), 'builtin');
execFileSync(join(root, 'bin/compile'), [app, join(work, 'cache'), join(work, 'env')], { stdio: 'ignore' });

const intake = createServer((req, res) => req.resume().on('end', () => res.writeHead(202).end('{}')));
await new Promise((r) => intake.listen(0, '127.0.0.1', r));
const freePort = () => new Promise((r) => { const s = netServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => r(port)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const conf = join(app, '.apt/etc/datadog-agent');
const pidFile = join(app, '.apt/opt/datadog-agent/run/agent-wrapper.pid');

async function once(apiKey) {
  rmSync(join(conf, 'auth_token'), { force: true });
  const intakeUrl = `http://127.0.0.1:${intake.address().port}`;
  const env = {
    PATH: '/usr/bin:/bin', HOME: app, DYNO: 'web.1', HEROKU_APP_NAME: 'bench', DD_API_KEY: apiKey, DD_LOG_LEVEL: 'off',
    DD_CMD_PORT: String(await freePort()), DD_APM_RECEIVER_PORT: String(await freePort()), DD_DOGSTATSD_PORT: String(await freePort()),
    DD_DD_URL: intakeUrl, DD_APM_DD_URL: intakeUrl,
  };
  const t0 = performance.now();
  spawnSync('bash', ['-c', 'source .profile.d/datadog.sh'], { cwd: app, env, stdio: 'ignore' });
  const sourced = performance.now() - t0;
  if (!apiKey) return { sourced };
  while (!existsSync(join(conf, 'auth_token'))) await sleep(5);
  const ready = performance.now() - t0;
  const supervisor = Number(readFileSync(pidFile, 'utf8'));
  const children = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const t1 = performance.now();
  for (const pid of [supervisor, ...children]) process.kill(pid, 'SIGTERM');
  while ([supervisor, ...children].some(alive)) await sleep(5);
  return { sourced, ready, stopped: performance.now() - t1 };
}

const rows = [];
const cases = [];
for (const [label, key] of [['DD_API_KEY set (agent started)', 'bench0123456789abcdef0123456789ab'], ['no DD_API_KEY (hint only)', '']]) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(key));
  const col = (k) => (results[0][k] === undefined ? '–' : `${median(results.map((r) => r[k])).toFixed(0)} ms (${Math.min(...results.map((r) => r[k])).toFixed(0)})`);
  rows.push(`| ${label} | ${col('sourced')} | ${col('ready')} | ${col('stopped')} |`);
  const stat = (k) => (results[0][k] === undefined ? null : { median: median(results.map((r) => r[k])), min: Math.min(...results.map((r) => r[k])), runs: results.map((r) => r[k]) });
  cases.push({ name: label, sourced: stat('sourced'), ready: stat('ready'), stopped: stat('stopped') });
}
intake.close();
rmSync(work, { recursive: true, force: true });
console.log(`Dyno boot, builtin flavour, ${runs} runs each, median (min); node ${process.version}`);
console.log('| Case | profile script returns | agent ready (auth_token) | SIGTERM to all → all exited |');
console.log('| --- | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
if (values.json) writeFileSync(values.json, JSON.stringify({ runs, node: process.version, cases }, null, 1));

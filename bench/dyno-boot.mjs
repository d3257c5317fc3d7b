#!/usr/bin/env node
// Dyno boot and stop, builtin flavour: how long sourcing .profile.d/datadog.sh holds up the app's
// command, how long until the agent is ready (auth_token written), and how long a dyno-wide SIGTERM
// takes to end the supervisor and its agent.
//   node bench/dyno-boot.mjs [--runs N] [--json FILE]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { alive, compileBuiltinSlug, freePort, sleep, startSink } from './builtin-dyno.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, json: { type: 'string' } } });
const runs = Number(values.runs);
const { work, app } = compileBuiltinSlug('dd-boot-bench-');
const { server: intake, url: sinkUrl } = await startSink();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const conf = join(app, '.apt/etc/datadog-agent');
const pidFile = join(app, '.apt/opt/datadog-agent/run/agent-wrapper.pid');

async function once(apiKey) {
  rmSync(join(conf, 'auth_token'), { force: true });
  const env = {
    PATH: '/usr/bin:/bin', HOME: app, DYNO: 'web.1', HEROKU_APP_NAME: 'bench', DD_API_KEY: apiKey, DD_LOG_LEVEL: 'off',
    DD_CMD_PORT: String(await freePort()), DD_APM_RECEIVER_PORT: String(await freePort()), DD_DOGSTATSD_PORT: String(await freePort()),
    DD_DD_URL: sinkUrl, DD_APM_DD_URL: sinkUrl,
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

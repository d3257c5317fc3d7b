#!/usr/bin/env node
// Idle footprint of a builtin-flavour dyno: boots a slug compiled by the real bin/compile (as
// bench/dyno-boot.mjs does), waits idle, then reads /proc/<pid>/smaps_rollup of every process the
// buildpack runs (the supervisor and all its descendants) and prints RSS, PSS and anonymous memory
// per process and summed. RSS counts shared file pages (the node binary) once per process; PSS
// splits them among the processes sharing them, which is closer to what the dyno's cgroup charges.
//   node bench/footprint.mjs [--idle SECONDS]
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { idle: { type: 'string', default: '20' } } });
const idleMs = Number(values.idle) * 1000;
const work = mkdtempSync(join(tmpdir(), 'dd-footprint-bench-'));
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
const pidFile = join(app, '.apt/opt/datadog-agent/run/agent-wrapper.pid');
const intakeUrl = `http://127.0.0.1:${intake.address().port}`;
const env = {
  PATH: '/usr/bin:/bin', HOME: app, DYNO: 'web.1', HEROKU_APP_NAME: 'bench', DD_API_KEY: 'bench0123456789abcdef0123456789ab',
  DD_CMD_PORT: String(await freePort()), DD_APM_RECEIVER_PORT: String(await freePort()), DD_DOGSTATSD_PORT: String(await freePort()),
  DD_DD_URL: intakeUrl, DD_APM_DD_URL: intakeUrl,
};
spawnSync('bash', ['-c', 'source .profile.d/datadog.sh'], { cwd: app, env, stdio: 'ignore' });
const supervisor = Number(readFileSync(pidFile, 'utf8'));
await sleep(idleMs);

/** The supervisor and its descendants, parents first. */
function tree(pid) {
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone
  }
  return [pid, ...children.flatMap(tree)];
}

function rollup(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  // Paths from the slug root, a perl loader's one-liner as `…`.
  const full = argv.map((a) => (/\s/.test(a) ? '…' : a.replaceAll(`${app}/`, '').replace(/^\/\S*\/(?=[^/]+$)/, ''))).join(' ');
  const label = full.length > 90 ? `${full.slice(0, 89)}…` : full;
  return { pid, label, rss: kib('Rss'), pss: kib('Pss'), anon: kib('Anonymous') };
}

const processes = tree(supervisor);
const rows = processes.map(rollup);
// As Heroku does: SIGTERM to every process of the dyno.
for (const pid of processes) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone with its parent
  }
}
while (processes.some(alive)) await sleep(20);
intake.close();
rmSync(work, { recursive: true, force: true });

const mb = (kib) => (kib / 1024).toFixed(1);
const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
console.log(`Idle footprint of a builtin dyno after ${idleMs / 1000} s, MB (/proc/<pid>/smaps_rollup); node ${process.version}`);
console.log('| Process | RSS | PSS | Anonymous |');
console.log('| --- | ---: | ---: | ---: |');
for (const row of rows) console.log(`| \`${row.label}\` | ${mb(row.rss)} | ${mb(row.pss)} | ${mb(row.anon)} |`);
console.log(`| **all ${rows.length} processes** | **${mb(sum('rss'))}** | **${mb(sum('pss'))}** | **${mb(sum('anon'))}** |`);

#!/usr/bin/env node
// Footprint of a builtin-flavour dyno: boots a slug compiled by the real bin/compile (as
// bench/dyno-boot.mjs does) and reads /proc/<pid>/smaps_rollup of every process the buildpack runs
// (the supervisor and all its descendants): idle; at load (steady DogStatsD, 100k samples/s over
// 1000 contexts, and 200 traces/s); under hostile input (100k malformed datagrams, then 10 s of
// 100k histogram samples/s over 1000 contexts). Idle is a reading; the two others are the largest
// of readings taken every second (RSS also as the kernel's peak, VmHWM). RSS counts shared file
// pages (the node binary) once per process; PSS splits them, closer to what the cgroup charges.
//   node bench/footprint.mjs [--idle SECONDS] [--load SECONDS] [--quick] [--json FILE]
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from '@msgpack/msgpack';
import { alive, compileBuiltinSlug, freePort, sleep, startSink } from './builtin-dyno.mjs';

const { values } = parseArgs({ options: { idle: { type: 'string', default: '20' }, load: { type: 'string', default: '20' }, quick: { type: 'boolean', default: false }, json: { type: 'string' } } });
const idleMs = Number(values.quick ? 5 : values.idle) * 1000;
const loadMs = Number(values.quick ? 5 : values.load) * 1000;
const { work, app } = compileBuiltinSlug('dd-footprint-bench-');
const { server: intake, url: sinkUrl } = await startSink();
const pidFile = join(app, '.apt/opt/datadog-agent/run/agent-wrapper.pid');
const env = {
  PATH: '/usr/bin:/bin', HOME: app, DYNO: 'web.1', HEROKU_APP_NAME: 'bench', DD_API_KEY: 'bench0123456789abcdef0123456789ab',
  DD_CMD_PORT: String(await freePort()), DD_APM_RECEIVER_PORT: String(await freePort()), DD_DOGSTATSD_PORT: String(await freePort()),
  DD_DD_URL: sinkUrl, DD_APM_DD_URL: sinkUrl,
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


function peakRss(pid) {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** The largest reading of each process (and its VmHWM) while `during` runs, read every second. */
async function largest(during) {
  const best = new Map();
  const read = () => {
    for (const pid of tree(supervisor)) {
      try {
        const r = rollup(pid);
        const b = best.get(pid) ?? { ...r, rss: 0, pss: 0, anon: 0 };
        best.set(pid, { ...b, rss: Math.max(b.rss, r.rss, peakRss(pid)), pss: Math.max(b.pss, r.pss), anon: Math.max(b.anon, r.anon) });
      } catch {
        // gone meanwhile
      }
    }
  };
  const timer = setInterval(read, 1000);
  await during();
  read();
  clearInterval(timer);
  return [...best.values()];
}

const udp = createSocket('udp4');
const statsdPort = Number(env.DD_DOGSTATSD_PORT);
const send = (text) => new Promise((resolve) => udp.send(text, statsdPort, '127.0.0.1', () => resolve()));
/** `perSecond` datagrams of `make(i)` a second for `ms`, in 10 ms ticks. */
async function paced(ms, perSecond, make) {
  const endAt = Date.now() + ms;
  let i = 0;
  while (Date.now() < endAt) {
    const batch = [];
    for (let k = 0; k < perSecond / 100; k++) batch.push(send(make(i++)));
    await Promise.all(batch);
    await sleep(10);
  }
}
const kinds = ['c', 'g', 'ms', 'h', 'd'];
const packed = (i, samples, prefix) => Array.from({ length: samples }, (_, k) => `${prefix}.m${(i * samples + k) % 1000}:${(k % 97) + 1}|${kinds[k % kinds.length]}|#route:/r${k % 10}`).join('\n');
/** 200 traces/s of 3 spans, v0.4 msgpack to the trace receiver, 10 requests a second. */
async function traces(ms) {
  const endAt = Date.now() + ms;
  let id = 1;
  while (Date.now() < endAt) {
    const payload = Array.from({ length: 20 }, () => {
      const trace = id++;
      return [0, 1, 2].map((s) => ({ trace_id: trace, span_id: trace * 10 + s, parent_id: s === 0 ? 0 : trace * 10, service: 'bench', name: 'web.request', resource: 'GET /', start: Date.now() * 1e6, duration: 1e6, error: 0, meta: { 'http.url': '/x?y=1' }, metrics: { _sampling_priority_v1: 1 }, type: 'web' }));
    });
    const body = encode(payload, { useBigInt64: true });
    await new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port: Number(env.DD_APM_RECEIVER_PORT), path: '/v0.4/traces', method: 'PUT', headers: { 'Content-Type': 'application/msgpack', 'X-Datadog-Trace-Count': '20' } }, (res) => res.resume().on('end', resolve));
      req.on('error', resolve);
      req.end(Buffer.from(body));
    });
    await sleep(100);
  }
}
const hostile = (i) => {
  switch (i % 6) {
    case 0: return Buffer.from(Array.from({ length: 64 + (i % 512) }, (_, k) => (i * 31 + k * 7) % 256));
    case 1: return `bad.trunc:${i}|`;
    case 2: return `bad.tags:1|c|#${'t'.repeat(9000)}`;
    case 3: return `bad.nan:NaN|g|#i:${i}`;
    case 4: return `bad.rate:1|c|@abc`;
    default: return `_e{5,99}:title|short`;
  }
};

const idleRows = tree(supervisor).map(rollup);
const loadRows = await largest(() => Promise.all([paced(loadMs, 5000, (i) => packed(i, 20, 'load')), traces(loadMs)]));
const hostileRows = await largest(async () => {
  await paced(10_000, 10_000, hostile); // 100k hostile datagrams
  await paced(10_000, 2000, (i) => packed(i, 50, 'flood').replaceAll(/\|(c|g|ms|d)\|/g, '|h|')); // 100k histogram samples/s
});
udp.close();
const processes = tree(supervisor);
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
const scenarios = [
  ['idle', idleRows],
  ['at load (100k samples/s, 200 traces/s; largest reading)', loadRows],
  ['hostile input and histogram flood (largest reading)', hostileRows],
];
for (const [name, list] of scenarios) {
  const sum = (key) => list.reduce((total, row) => total + row[key], 0);
  console.log(`\nFootprint of a builtin dyno, ${name}, MB (/proc/<pid>/smaps_rollup); node ${process.version}`);
  console.log('| Process | RSS | PSS | Anonymous |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const row of list) console.log(`| \`${row.label}\` | ${mb(row.rss)} | ${mb(row.pss)} | ${mb(row.anon)} |`);
  console.log(`| **all ${list.length} processes** | **${mb(sum('rss'))}** | **${mb(sum('pss'))}** | **${mb(sum('anon'))}** |`);
}
if (values.json !== undefined) {
  const asMb = (kib) => Math.round((kib / 1024) * 10) / 10;
  writeFileSync(values.json, `${JSON.stringify({ scenarios: scenarios.map(([name, list]) => ({ name, processes: list.map((r) => ({ name: r.label, rss: asMb(r.rss), pss: asMb(r.pss), anon: asMb(r.anon) })) })) }, null, 1)}\n`);
}

#!/usr/bin/env node
// Soak: the built-in agent (lib/agent.js run, with its UDP relay) under steady DogStatsD traffic
// for N minutes, its RSS, PSS, anonymous memory and CPU sampled every few seconds. Two C senders
// (bench/c/udp-sender.c) run for the whole time: single-metric datagrams and ~1400-byte packed
// ones, over a fixed set of contexts; the agent forwards to a local sink answering 202.
//   node bench/soak.mjs [--minutes 10] [--interval 5] [--single-rate 20000] [--packed-rate 2000] [--contexts 2000] [--sender BINARY] [--json FILE]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildC } from './c/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    interval: { type: 'string', default: '5' },
    'single-rate': { type: 'string', default: '20000' },
    'packed-rate': { type: 'string', default: '2000' },
    contexts: { type: 'string', default: '2000' },
    sender: { type: 'string' },
    json: { type: 'string' },
  },
});
const seconds = Number(values.minutes) * 60;
const interval = Number(values.interval);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const work = mkdtempSync(join(tmpdir(), 'bench-soak-'));
const sender = values.sender ?? buildC('udp-sender', work);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function smaps(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
  return { rss: kb('Rss'), pss: kb('Pss'), anon: kb('Anonymous') };
}
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

let sinkPayloads = 0;
const sink = createHttpServer((req, res) => {
  req.resume();
  req.on('end', () => {
    sinkPayloads++;
    res.writeHead(202).end('{}');
  });
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const [port, cmdPort] = [await freePort(), await freePort()];
writeFileSync(join(work, 'datadog.yaml'), `dogstatsd_port: ${port}\ncmd_port: ${cmdPort}\n`);
const agent = spawn(process.execPath, [join(root, 'lib/agent.js'), 'run', '-c', join(work, 'datadog.yaml')], {
  env: { ...process.env, DD_API_KEY: 'bench0000000000000000000000000000', DD_DD_URL: `http://127.0.0.1:${sink.address().port}`, DD_APM_ENABLED: 'false', DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const status = () =>
  new Promise((resolve, reject) => {
    const token = readFileSync(join(work, 'auth_token'), 'utf8').trim();
    request({ host: '127.0.0.1', port: cmdPort, path: '/agent/status?format=json', headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
let dsd;
for (let i = 0; ; i++) {
  try {
    dsd = (await status()).components.dogstatsd;
    break;
  } catch (error) {
    if (i > 200) throw error;
    await sleep(50);
  }
}
const pids = [agent.pid, dsd.udpRelayPid].filter((pid) => pid !== undefined);
const senders = [
  spawn(sender, [String(port), values['single-rate'], String(seconds + interval), 'single', values.contexts], { stdio: ['ignore', 'pipe', 'inherit'] }),
  spawn(sender, [String(port), values['packed-rate'], String(seconds + interval), 'packed', values.contexts], { stdio: ['ignore', 'pipe', 'inherit'] }),
];
const samples = [];
const started = performance.now();
let lastCpu = pids.reduce((s, pid) => s + cpuSeconds(pid), 0);
let lastAt = started;
try {
  while (performance.now() - started < seconds * 1000) {
    await sleep(interval * 1000);
    const now = performance.now();
    const cpu = pids.reduce((s, pid) => s + cpuSeconds(pid), 0);
    const mem = pids.map(smaps).reduce((a, m) => ({ rss: a.rss + m.rss, pss: a.pss + m.pss, anon: a.anon + m.anon }), { rss: 0, pss: 0, anon: 0 });
    const sample = { t: (now - started) / 1000, cpuPct: (100 * (cpu - lastCpu)) / ((now - lastAt) / 1000), ...mem, metricSamples: (await status()).components.dogstatsd.metricSamples };
    samples.push(sample);
    lastCpu = cpu;
    lastAt = now;
    process.stderr.write(`soak ${sample.t.toFixed(0)} s: RSS ${sample.rss.toFixed(1)} MB, anon ${sample.anon.toFixed(1)} MB, CPU ${sample.cpuPct.toFixed(0)} %\n`);
  }
} finally {
  for (const s of senders) s.kill('SIGTERM');
  agent.kill('SIGTERM');
  await new Promise((resolve) => agent.on('exit', resolve));
  sink.close();
  rmSync(work, { recursive: true, force: true });
}
const mean = (k) => samples.reduce((s, x) => s + x[k], 0) / samples.length;
const last = samples[samples.length - 1];
const firstMinute = samples.filter((s) => s.t <= 60);
console.log(`Soak: ${values.minutes} min, ${values['single-rate']} single-metric + ${values['packed-rate']} packed datagrams/s over ${values.contexts} contexts; sampled every ${interval} s; node ${process.version}`);
console.log('| | RSS MB | PSS MB | Anonymous MB | CPU (% of a core) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| mean | ${mean('rss').toFixed(1)} | ${mean('pss').toFixed(1)} | ${mean('anon').toFixed(1)} | ${mean('cpuPct').toFixed(0)} |`);
console.log(`| max | ${Math.max(...samples.map((s) => s.rss)).toFixed(1)} | ${Math.max(...samples.map((s) => s.pss)).toFixed(1)} | ${Math.max(...samples.map((s) => s.anon)).toFixed(1)} | ${Math.max(...samples.map((s) => s.cpuPct)).toFixed(0)} |`);
console.log(`| last | ${last.rss.toFixed(1)} | ${last.pss.toFixed(1)} | ${last.anon.toFixed(1)} | ${last.cpuPct.toFixed(0)} |`);
if (values.json) writeFileSync(values.json, JSON.stringify({ node: process.version, minutes: Number(values.minutes), interval, singleRate: Number(values['single-rate']), packedRate: Number(values['packed-rate']), contexts: Number(values.contexts), sinkPayloads, firstMinuteMaxRss: Math.max(...firstMinute.map((s) => s.rss)), samples }, null, 1));

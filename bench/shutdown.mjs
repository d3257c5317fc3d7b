#!/usr/bin/env node
// SIGTERM to exit with many pending contexts: the built-in agent (`lib/agent.js run`) receives N
// gauges of distinct names over UDP (40 per datagram), then, before its first 10 s flush, gets
// SIGTERM; measured: time until the process has exited, its RSS just before, and how many
// contexts the local intake (lib/intake.js, decoding what it receives) got from that final flush.
//   node bench/shutdown.mjs [--contexts 1000,10000,100000,300000] [--json FILE]
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { contexts: { type: 'string', default: '1000,10000,100000,300000' }, json: { type: 'string' } } });
const counts = values.contexts.split(',').map(Number);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const work = mkdtempSync(join(tmpdir(), 'bench-shutdown-'));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function getJson(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error);
        }
      });
    })
      .on('error', reject)
      .end();
  });
}

function smaps(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
  return { rss: kb('Rss'), pss: kb('Pss'), anon: kb('Anonymous') };
}

async function waitFor(test, what, timeoutMs = 20_000) {
  const start = Date.now();
  for (;;) {
    try {
      const value = await test();
      if (value) return value;
    } catch {}
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const intakePort = await freePort();
const intake = spawn(process.execPath, [join(root, 'lib/intake.js'), '--port', String(intakePort), '--data', join(work, 'intake')], { stdio: ['ignore', 'ignore', 'inherit'] });
await waitFor(() => getJson(intakePort, '/api/query/summary'), 'the intake');
const intakeContexts = async () => (await getJson(intakePort, '/api/query/summary')).metrics.contexts;

const rows = [];
try {
  for (const [run, count] of counts.entries()) {
    const dir = mkdtempSync(join(work, 'agent-'));
    const [port, cmdPort] = [await freePort(), await freePort()];
    writeFileSync(join(dir, 'datadog.yaml'), `dogstatsd_port: ${port}\ncmd_port: ${cmdPort}\n`);
    const agent = spawn(process.execPath, [join(root, 'lib/agent.js'), 'run', '-c', join(dir, 'datadog.yaml')], {
      env: { ...process.env, DD_API_KEY: 'bench0000000000000000000000000000', DD_DD_URL: `http://127.0.0.1:${intakePort}`, DD_APM_ENABLED: 'false', DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'warn', DD_HOSTNAME: 'bench-shutdown' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => agent.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
    const token = await waitFor(() => readFileSync(join(dir, 'auth_token'), 'utf8').trim(), 'auth_token');
    const samples = async () => (await getJson(cmdPort, '/agent/status?format=json', { Authorization: `Bearer ${token}` })).components.dogstatsd.metricSamples;
    await waitFor(() => samples().then((n) => n >= 0), 'the agent status');
    const before = await intakeContexts();
    const started = performance.now();
    const socket = createSocket('udp4');
    for (let i = 0; i < count; i += 40) {
      const lines = Array.from({ length: Math.min(40, count - i) }, (_, j) => `bench.stop.r${run}.m${i + j}:1|g|#shard:${(i + j) % 7}`);
      await new Promise((resolve) => socket.send(lines.join('\n'), port, '127.0.0.1', resolve));
      if (i % 4000 === 0) await sleep(2);
    }
    socket.close();
    // Until the agent has counted every sample, or its count has stood still for 1 s.
    let received = -1;
    for (let still = 0; still < 20; ) {
      const n = await samples();
      if (n >= count) {
        received = n;
        break;
      }
      still = n === received ? still + 1 : 0;
      received = n;
      await sleep(50);
    }
    const sendMs = performance.now() - started;
    const mem = smaps(agent.pid);
    const t0 = performance.now();
    agent.kill('SIGTERM');
    let timer;
    const exit = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(() => resolve({ code: null, signal: 'timeout', at: performance.now() }), 60_000)))]);
    clearTimeout(timer);
    if (exit.signal === 'timeout') agent.kill('SIGKILL');
    await sleep(300);
    const delivered = (await intakeContexts()) - before;
    rows.push({ contexts: count, received, sendMs, exitMs: exit.at - t0, code: exit.code, signal: exit.signal, delivered, ...mem, beforeFirstFlush: sendMs < 10_000 });
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  intake.kill('SIGTERM');
  await sleep(200);
  rmSync(work, { recursive: true, force: true });
}

const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`Built-in agent, SIGTERM with pending contexts (sent within the first 10 s bucket); node ${process.version}`);
console.log('| Pending contexts | RSS before SIGTERM | Anonymous | SIGTERM → exited | Exit | Contexts at the intake after |');
console.log('| ---: | ---: | ---: | ---: | --- | ---: |');
for (const r of rows) console.log(`| ${f(r.contexts)} | ${f(r.rss, 1)} MB | ${f(r.anon, 1)} MB | ${f(r.exitMs)} ms | ${r.signal ?? `code ${r.code}`} | ${f(r.delivered)} |`);
if (values.json) writeFileSync(values.json, JSON.stringify({ node: process.version, rows }, null, 1));

#!/usr/bin/env node
// Built-in trace receiver under sustained load: traces of 10 spans in v0.4 msgpack payloads, at
// fixed rates then as fast as it goes. Runs the real bundle (`lib/agent.js run`) in its own
// process, forwarding to a local sink; measures the agent's CPU and RSS from /proc and the
// client-side request latency. No network.
//
//   node bench/apm.mjs [--seconds N] [--rates 200,1000,2000,5000] [--traces-per-payload 50] [--node-options '--max-semi-space-size=4'] [--json FILE]
// --json FILE writes the rows as JSON too (bench/run.mjs charts them).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '@msgpack/msgpack';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(flag('--seconds', '10'));
const rates = flag('--rates', '200,1000,2000,5000').split(',').map(Number);
const tracesPerPayload = Number(flag('--traces-per-payload', '50'));
const nodeOptions = flag('--node-options', '');
const jsonOut = flag('--json', undefined);
const SPANS_PER_TRACE = 10;
const TICKS_PER_SECOND = 50;
const CLK_TCK = 100;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One trace as dd-trace shapes it: a web request, middleware, a few queries and an HTTP call. */
function trace(traceId, now) {
  const spans = [];
  for (let i = 0; i < SPANS_PER_TRACE; i++) {
    const spanId = traceId * 16n + BigInt(i + 1);
    const kind = i === 0 ? 'web' : i % 3 === 1 ? 'sql' : 'http';
    spans.push({
      service: i === 0 ? 'shop' : kind === 'sql' ? 'shop-postgres' : 'shop',
      name: i === 0 ? 'web.request' : kind === 'sql' ? 'pg.query' : 'http.request',
      resource: kind === 'sql' ? `SELECT id, name, email FROM users WHERE id = ${Number(traceId % 1000n)} AND status = 'active'` : i === 0 ? 'GET /users/:id' : 'GET',
      trace_id: traceId,
      span_id: spanId,
      parent_id: i === 0 ? 0n : traceId * 16n + 1n,
      start: now + BigInt(i) * 100_000n,
      duration: BigInt(100_000 + i * 50_000),
      error: i === 0 && traceId % 50n === 0n ? 1 : 0,
      meta: {
        env: 'prod',
        version: '1.4.2',
        'runtime-id': 'a1b2c3d4-0000-4000-8000-000000000001',
        'span.kind': i === 0 ? 'server' : 'client',
        component: kind === 'sql' ? 'pg' : 'http',
        ...(kind === 'http' ? { 'http.url': `http://api.internal/users/${traceId}?token=abc`, 'http.method': 'GET', 'http.status_code': '200' } : {}),
        ...(kind === 'sql' ? { 'db.type': 'postgres', 'db.name': 'shop', 'out.host': 'db.internal' } : {}),
      },
      metrics: { ...(i === 0 ? { _sampling_priority_v1: 1, _dd_top_level: 1 } : {}), 'process_id': 4242 },
      type: kind,
    });
  }
  return spans;
}

function payloads(count) {
  const now = BigInt(Date.now()) * 1_000_000n;
  let id = 1_000_000n;
  return Array.from({ length: count }, () => encode(Array.from({ length: tracesPerPayload }, () => trace(id++, now)), { useBigInt64: true }));
}

function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuSeconds: cpuTicks / CLK_TCK, rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });
function post(port, body) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = request(
      { host: '127.0.0.1', port, path: '/v0.4/traces', method: 'POST', agent: keepAlive, headers: { 'Content-Type': 'application/msgpack', 'Datadog-Meta-Lang': 'nodejs', 'X-Datadog-Trace-Count': String(tracesPerPayload), 'Content-Length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ok: res.statusCode === 200, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    req.on('error', () => resolve({ ok: false, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end(body);
  });
}

/** Sends `tracesPerSecond` for `seconds` (open loop, paced per tick), or as fast as 8 clients go when rate is Infinity. */
async function load(port, bodies, tracesPerSecond, durationS) {
  const latencies = [];
  let sent = 0;
  let failed = 0;
  let next = 0;
  const end = Date.now() + durationS * 1000;
  const one = async () => {
    const r = await post(port, bodies[next++ % bodies.length]);
    latencies.push(r.ms);
    if (r.ok) sent++;
    else failed++;
  };
  if (tracesPerSecond === Infinity) {
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (Date.now() < end) await one();
    }));
  } else {
    const perTick = tracesPerSecond / tracesPerPayload / TICKS_PER_SECOND;
    const inFlight = new Set();
    let credit = 0;
    while (Date.now() < end) {
      credit += perTick;
      while (credit >= 1) {
        credit -= 1;
        const p = one().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 / TICKS_PER_SECOND));
    }
    await Promise.all(inFlight);
  }
  latencies.sort((a, b) => a - b);
  return { sent, failed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function main() {
  let sinkBytes = 0;
  let sinkPayloads = 0;
  const sink = createServer((req, res) => {
    req.on('data', (c) => (sinkBytes += c.length));
    req.on('end', () => {
      if (req.url.startsWith('/api/v0.2/traces')) sinkPayloads++;
      res.writeHead(202).end('{}');
    });
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'bench-apm-'));
  const [apmPort, statsdPort, cmdPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, 'datadog.yaml'), `hostname: bench-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\n`);
  const agent = spawn(process.execPath, [join(root, 'lib/agent.js'), 'run', '-c', join(dir, 'datadog.yaml')], {
    env: { PATH: process.env.PATH, DD_API_KEY: 'bench', DD_DD_URL: `http://127.0.0.1:${sink.address().port}`, DD_APM_DD_URL: `http://127.0.0.1:${sink.address().port}`, DD_APM_RECEIVER_PORT: String(apmPort), DD_LOG_LEVEL: 'warn', DD_DISABLE_HOST_METRICS: 'true', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}), ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_'))) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let i = 0; i < 200; i++) {
      const up = await post(apmPort, encode([])).then((r) => r.ok);
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const bodies = payloads(40);
    const idle = procStats(agent.pid);
    console.log(`node ${process.version}; ${SPANS_PER_TRACE} spans/trace, ${tracesPerPayload} traces/payload (${(bodies[0].length / 1024).toFixed(0)} KiB msgpack), ${seconds} s per step`);
    console.log(`idle agent RSS ${idle.rssMiB.toFixed(1)} MiB`);
    console.log('| Offered traces/s | Spans/s accepted | Request p50 | Request p99 | Agent CPU | Agent RSS (end) | Refused |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const rows = [];
    for (const rate of [...rates, Infinity]) {
      const before = procStats(agent.pid);
      const t0 = Date.now();
      const r = await load(apmPort, bodies, rate, seconds);
      const elapsed = (Date.now() - t0) / 1000;
      const after = procStats(agent.pid);
      const spansPerSecond = (r.sent * tracesPerPayload * SPANS_PER_TRACE) / elapsed;
      const cpu = ((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100;
      rows.push({ offered: rate === Infinity ? 'max' : rate, tracesPerSecond: (r.sent * tracesPerPayload) / elapsed, spansPerSecond, p50: r.p50, p99: r.p99, cpuPct: cpu, rssMiB: after.rssMiB, refused: r.failed });
      console.log(`| ${rate === Infinity ? 'max (8 clients)' : rate} | ${Math.round(spansPerSecond)} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${cpu.toFixed(0)} % | ${after.rssMiB.toFixed(1)} MiB | ${r.failed} |`);
    }
    const end = procStats(agent.pid);
    console.log(`peak agent RSS (VmHWM) ${end.hwmMiB.toFixed(1)} MiB; intake got ${sinkPayloads} trace payloads, ${(sinkBytes / 1048576).toFixed(1)} MiB gzipped`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ node: process.version, seconds, spansPerTrace: SPANS_PER_TRACE, tracesPerPayload, payloadKiB: bodies[0].length / 1024, nodeOptions, idleRssMiB: idle.rssMiB, peakRssMiB: end.hwmMiB, sinkPayloads, rows }, null, 1));
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.on('exit', resolve));
    sink.close();
    keepAlive.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

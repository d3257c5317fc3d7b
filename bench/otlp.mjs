#!/usr/bin/env node
// OTLP ingest of the built-in agent beside its Datadog-native peers, in one agent process and one
// run: spans over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC against the same spans as
// /v0.4 msgpack; OTLP metric points (delta sums, gauges, histograms) against DogStatsD samples.
// Each step sends as fast as 8 clients go (DogStatsD: a paced sender, UDP has no back-pressure),
// then the agent's CPU (with its UDP relay) and RSS come from /proc and what it took from its
// status. Bodies are built once, up front, with the OpenTelemetry SDK's own serializers.
//
//   node bench/otlp.mjs [--seconds N] [--json FILE]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { encode } from '@msgpack/msgpack';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { freePort, root, sleep, startSink } from './builtin-dyno.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(flag('--seconds', '10'));
const jsonOut = flag('--json', undefined);
const SPANS_PER_TRACE = 10;
const TRACES_PER_REQUEST = 50;
const SERIES_PER_REQUEST = 100;
const CLIENTS = 8;
const CLK_TCK = 100;
const resource = resourceFromAttributes({ 'service.name': 'shop', 'deployment.environment': 'prod', 'service.version': '1.4.2' });

/** `count` requests of 50 traces × 10 spans (a server span, queries and HTTP calls), as the SDK records them. */
async function otelSpans(count) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench');
  const requests = [];
  for (let r = 0; r < count; r++) {
    exporter.reset();
    for (let t = 0; t < TRACES_PER_REQUEST; t++) {
      const server = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/users/:id', 'http.response.status_code': 200 } });
      const parent = trace.setSpan(context.active(), server);
      for (let i = 1; i < SPANS_PER_TRACE; i++) {
        const attributes =
          i % 3 === 1
            ? { 'db.system': 'postgresql', 'db.query.text': `SELECT id, name, email FROM users WHERE id = ${t} AND status = 'active'`, 'server.address': 'db.internal' }
            : { 'http.request.method': 'GET', 'url.full': `http://api.internal/users/${t}?token=abc`, 'http.response.status_code': 200 };
        tracer.startSpan(i % 3 === 1 ? 'SELECT shop.users' : 'GET', { kind: SpanKind.CLIENT, attributes }, parent).end();
      }
      server.end();
    }
    requests.push(exporter.getFinishedSpans());
  }
  await provider.shutdown();
  return requests;
}

/** The same shape as /v0.4 msgpack, as dd-trace sends it (the native peer of the OTLP spans). */
function v04Payloads(count) {
  const now = BigInt(Date.now()) * 1_000_000n;
  let id = 1_000_000n;
  return Array.from({ length: count }, () =>
    encode(
      Array.from({ length: TRACES_PER_REQUEST }, () => {
        const traceId = id++;
        return Array.from({ length: SPANS_PER_TRACE }, (_, i) => ({
          service: 'shop',
          name: i === 0 ? 'web.request' : i % 3 === 1 ? 'pg.query' : 'http.request',
          resource: i === 0 ? 'GET /users/:id' : i % 3 === 1 ? `SELECT id, name, email FROM users WHERE id = ${Number(traceId % 1000n)} AND status = 'active'` : 'GET',
          trace_id: traceId,
          span_id: traceId * 16n + BigInt(i + 1),
          parent_id: i === 0 ? 0n : traceId * 16n + 1n,
          start: now + BigInt(i) * 100_000n,
          duration: BigInt(100_000 + i * 50_000),
          error: 0,
          meta: { env: 'prod', version: '1.4.2', 'span.kind': i === 0 ? 'server' : 'client', ...(i % 3 === 2 ? { 'http.url': `http://api.internal/users/${traceId}?token=abc`, 'http.method': 'GET', 'http.status_code': '200' } : {}) },
          metrics: i === 0 ? { _sampling_priority_v1: 1, _dd_top_level: 1 } : {},
          type: i === 0 ? 'web' : i % 3 === 1 ? 'sql' : 'http',
        }));
      }),
      { useBigInt64: true },
    ),
  );
}

/** One delta export of 100 series × (a counter, a gauge, a histogram): 300 points. */
async function otelMetricsBody() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('bench');
  const orders = meter.createCounter('bench.orders');
  const latency = meter.createHistogram('bench.latency', { unit: 'ms' });
  const queue = meter.createObservableGauge('bench.queue');
  queue.addCallback((result) => {
    for (let s = 0; s < SERIES_PER_REQUEST; s++) result.observe(s, { route: `r${s}` });
  });
  for (let s = 0; s < SERIES_PER_REQUEST; s++) {
    orders.add(s + 1, { route: `r${s}` });
    for (let v = 0; v < 5; v++) latency.record(s * 3 + v, { route: `r${s}` });
  }
  await provider.forceFlush();
  const body = ProtobufMetricsSerializer.serializeRequest(exporter.getMetrics()[0]);
  await provider.shutdown();
  return body;
}

function procStats(pids) {
  let cpuSeconds = 0;
  let rssMiB = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpuSeconds += (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    rssMiB += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  }
  return { cpuSeconds, rssMiB };
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: CLIENTS });
function httpPost(port, path, contentType, body, extraHeaders = {}) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: keepAlive, headers: { 'Content-Type': contentType, 'Content-Length': body.length, ...extraHeaders } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

function grpcPost(client, body) {
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b) => b, (b) => b, Buffer.from(body), (error) => resolve(!error));
  });
}

/** `send(i)` from 8 clients for `seconds`; the accepted requests and the agent's CPU share and RSS. */
async function closedLoop(pids, send) {
  const before = procStats(pids);
  const started = Date.now();
  const end = started + seconds * 1000;
  let next = 0;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < end) {
        if (await send(next++)) ok++;
        else failed++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const after = procStats(pids);
  return { ok, failed, elapsed, cpuPct: ((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100, rssMiB: after.rssMiB };
}

async function main() {
  const { server: sink, url: sinkUrl } = await startSink();
  const dir = mkdtempSync(join(tmpdir(), 'bench-otlp-'));
  const [apmPort, statsdPort, cmdPort, httpPort, grpcPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  writeFileSync(join(dir, 'datadog.yaml'), `hostname: bench-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\n`);
  const agent = spawn(process.execPath, [join(root, 'lib/agent.js'), 'run', '-c', join(dir, 'datadog.yaml')], {
    env: {
      PATH: process.env.PATH,
      DD_API_KEY: 'bench',
      DD_DD_URL: sinkUrl,
      DD_APM_DD_URL: sinkUrl,
      DD_APM_RECEIVER_PORT: String(apmPort),
      DD_LOG_LEVEL: 'warn',
      DD_DISABLE_HOST_METRICS: 'true',
      DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
      DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const grpcClient = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  try {
    let token;
    const status = async () => {
      token ??= readFileSync(join(dir, 'auth_token'), 'utf8').trim();
      return new Promise((resolve, reject) => {
        request({ host: '127.0.0.1', port: cmdPort, path: '/agent/status?format=json', headers: { Authorization: `Bearer ${token}` } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(JSON.parse(body).components));
        })
          .on('error', reject)
          .end();
      });
    };
    for (let i = 0; i < 200 && !(await httpPost(httpPort, '/v1/traces', 'application/json', Buffer.from('{}'))); i++) await sleep(50);
    const components = await status();
    const pids = [agent.pid, components.dogstatsd.udpRelayPid].filter((pid) => pid !== undefined);
    const idle = procStats(pids);

    const spanRequests = await otelSpans(10);
    const proto = spanRequests.map((spans) => ProtobufTraceSerializer.serializeRequest(spans));
    const json = spanRequests.map((spans) => JsonTraceSerializer.serializeRequest(spans));
    const msgpack = v04Payloads(10);
    const metricsBody = await otelMetricsBody();
    const spansPerRequest = TRACES_PER_REQUEST * SPANS_PER_TRACE;
    const pointsPerRequest = SERIES_PER_REQUEST * 3;
    const kib = (b) => b.length / 1024;
    console.log(`node ${process.version}; ${seconds} s per step, ${CLIENTS} clients; ${spansPerRequest} spans per request (protobuf ${kib(proto[0]).toFixed(0)} KiB, JSON ${kib(json[0]).toFixed(0)} KiB, msgpack ${kib(msgpack[0]).toFixed(0)} KiB); ${pointsPerRequest} points per OTLP metrics request (${kib(metricsBody).toFixed(0)} KiB)`);

    const rows = [];
    const row = (signal, path, perSecond, r, unit) => {
      const cpuPerMillion = r.cpuPct > 0 && perSecond > 0 ? (r.cpuPct / 100 / perSecond) * 1e6 : NaN;
      rows.push({ signal, path, perSecond, cpuPct: r.cpuPct, cpuSecondsPerMillion: cpuPerMillion, rssMiB: r.rssMiB, refused: r.failed });
      console.log(`| ${signal} | ${path} | ${Math.round(perSecond)} ${unit}/s | ${r.cpuPct.toFixed(0)} % | ${cpuPerMillion.toFixed(2)} CPU s per million | ${r.rssMiB.toFixed(1)} MiB | ${r.failed} refused |`);
    };
    const traceSteps = [
      ['/v0.4/traces msgpack (native)', (i) => httpPost(apmPort, '/v0.4/traces', 'application/msgpack', msgpack[i % msgpack.length], { 'Datadog-Meta-Lang': 'nodejs', 'X-Datadog-Trace-Count': String(TRACES_PER_REQUEST) })],
      ['OTLP/HTTP protobuf', (i) => httpPost(httpPort, '/v1/traces', 'application/x-protobuf', proto[i % proto.length])],
      ['OTLP/HTTP JSON', (i) => httpPost(httpPort, '/v1/traces', 'application/json', json[i % json.length])],
      ['OTLP/gRPC', (i) => grpcPost(grpcClient, proto[i % proto.length])],
    ];
    for (const [path, send] of traceSteps) {
      const r = await closedLoop(pids, send);
      row('traces', path, (r.ok * spansPerRequest) / r.elapsed, r, 'spans');
    }
    // OTLP points are not aggregated (each is sent at its own time, as the Agent does): past
    // DD_DOGSTATSD_CONTEXT_LIMITER_LIMIT points waiting for one flush, the aggregator drops and counts them.
    const capDrops = (c) => (c.aggregator.otlpSeriesDroppedByLimit ?? 0) + (c.aggregator.otlpSketchesDroppedByLimit ?? 0);
    const metricsBefore = await status();
    const m = await closedLoop(pids, () => httpPost(httpPort, '/v1/metrics', 'application/x-protobuf', metricsBody));
    const metricsAfter = await status();
    const otlpTaken = metricsAfter.otlp.metrics.dataPoints - metricsBefore.otlp.metrics.dataPoints;
    const droppedAtCap = capDrops(metricsAfter) - capDrops(metricsBefore);
    row('metrics', 'OTLP/HTTP protobuf', otlpTaken / m.elapsed, m, 'points');
    rows.at(-1).droppedAtFlushCap = droppedAtCap;
    console.log(`  of those, ${droppedAtCap} series points and sketches dropped at the aggregator's per-flush cap`);

    // DogStatsD: packed datagrams (~30 samples each) from the paced sender, at the rate the agent takes without loss on this kind of machine.
    const samplesBefore = (await status()).dogstatsd.metricSamples;
    const before = procStats(pids);
    const started = Date.now();
    const sender = spawn(process.execPath, [join(root, 'bench/dogstatsd-sender.mjs'), String(statsdPort), '20000', String(seconds), 'packed', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let sent = '';
    sender.stdout.on('data', (d) => (sent += d));
    await new Promise((resolve) => sender.on('exit', resolve));
    await sleep(500);
    const elapsed = (Date.now() - started) / 1000;
    const after = procStats(pids);
    const taken = (await status()).dogstatsd.metricSamples - samplesBefore;
    const offered = JSON.parse(sent).samples;
    row('metrics', 'DogStatsD UDP, packed (native)', taken / elapsed, { cpuPct: ((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100, rssMiB: after.rssMiB, failed: Math.max(0, offered - taken) }, 'samples');
    const end = procStats(pids);
    console.log(`idle RSS ${idle.rssMiB.toFixed(1)} MiB (agent + relay), at the end ${end.rssMiB.toFixed(1)} MiB`);
    if (jsonOut) {
      writeFileSync(jsonOut, JSON.stringify({ node: process.version, seconds, clients: CLIENTS, spansPerRequest, pointsPerRequest, sizesKiB: { protobuf: kib(proto[0]), json: kib(json[0]), msgpack: kib(msgpack[0]), metrics: kib(metricsBody) }, idleRssMiB: idle.rssMiB, endRssMiB: end.rssMiB, rows }, null, 1));
    }
  } finally {
    grpcClient.close();
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.on('exit', resolve));
    sink.close();
    keepAlive.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

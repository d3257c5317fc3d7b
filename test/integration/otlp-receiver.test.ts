// The OTLP receivers against the OpenTelemetry JS SDK's real exporters (OTLP/HTTP JSON and protobuf,
// OTLP/gRPC, gzip or not) on 127.0.0.1 ephemeral ports, then every error answer the spec asks for,
// from raw HTTP and gRPC requests; the receiver keeps serving through all of them.
import { gzipSync, deflateSync, deflateRawSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createOtlpReceiver, type ExportContext, type ExportResult, type OtlpReceiver, type OtlpReceiverOptions } from '../../src/agent/otlp/index.js';
import type { ExportMetricsServiceRequest, ExportTraceServiceRequest, KeyValue, NumberDataPoint } from '../../src/agent/otlp/model.js';

const METRICS_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
const TRACES_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

interface Recorded {
  metrics: { request: ExportMetricsServiceRequest; context: ExportContext }[];
  traces: { request: ExportTraceServiceRequest; context: ExportContext }[];
}

let receiver: OtlpReceiver;
let recorded: Recorded;
let logs: string[];
let answer: () => ExportResult | Promise<ExportResult>;

async function startReceiver(extra: Partial<OtlpReceiverOptions> = {}): Promise<OtlpReceiver> {
  const r = createOtlpReceiver({
    http: '127.0.0.1:0',
    grpc: '127.0.0.1:0',
    logger: createLogger('CORE', 'debug', (line) => logs.push(line)),
    metrics: (request, context) => {
      recorded.metrics.push({ request, context });
      return answer();
    },
    traces: (request, context) => {
      recorded.traces.push({ request, context });
      return answer();
    },
    ...extra,
  });
  await r.start();
  return r;
}

beforeEach(async () => {
  recorded = { metrics: [], traces: [] };
  logs = [];
  answer = () => ({ rejected: 0 });
  receiver = await startReceiver();
});

afterEach(async () => {
  await receiver.stop(Date.now() + 2000);
});

// ---- helpers ----

const stringAttr = (list: readonly KeyValue[], key: string): string | undefined => {
  const v = list.find((kv) => kv.key === key)?.value;
  return v?.kind === 'string' ? v.value : undefined;
};

async function sendMetrics(exporter: PushMetricExporter): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-app', 'host.name': 'web.1' }), readers: [reader] });
  const meter = provider.getMeter('app');
  meter.createCounter('checkout.orders').add(7, { plan: 'pro' });
  meter.createGauge('queue.size').record(42.5);
  meter.createHistogram('checkout.latency', { advice: { explicitBucketBoundaries: [10, 100] } }).record(55);
  await provider.forceFlush();
  await provider.shutdown();
}

function metricPoints(name: string): NumberDataPoint[] {
  const metrics = recorded.metrics.flatMap((m) => m.request.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)));
  const m = metrics.find((x) => x.name === name);
  if (!m || (m.data.type !== 'sum' && m.data.type !== 'gauge')) throw new Error(`no number metric ${name}`);
  return [...m.data.dataPoints];
}

function expectMetricsReceived(): void {
  // forceFlush exports once and shutdown once more (cumulative: the same values again).
  expect(recorded.metrics).toHaveLength(2);
  const rm = recorded.metrics[0]!.request.resourceMetrics[0]!;
  expect(stringAttr(rm.resource.attributes, 'service.name')).toBe('otel-app');
  const [orders] = metricPoints('checkout.orders');
  expect(orders).toMatchObject({ value: 7 });
  expect(stringAttr(orders!.attributes, 'plan')).toBe('pro');
  expect(metricPoints('queue.size')[0]).toMatchObject({ value: 42.5 });
  const latency = rm.scopeMetrics.flatMap((sm) => sm.metrics).find((m) => m.name === 'checkout.latency')!;
  expect(latency.data).toMatchObject({ type: 'histogram', dataPoints: [{ count: 1, sum: 55, bucketCounts: [0, 1, 0], explicitBounds: [10, 100] }] });
}

async function sendSpans(exporter: SpanExporter): Promise<{ traceId: string; spanId: string }> {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-app' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer('app').startSpan('GET /health', { kind: SpanKind.SERVER, attributes: { 'http.route': '/health' } });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'down' });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
}

function expectSpanReceived(ids: { traceId: string; spanId: string }): void {
  expect(recorded.traces).toHaveLength(1);
  const rs = recorded.traces[0]!.request.resourceSpans[0]!;
  expect(stringAttr(rs.resource.attributes, 'service.name')).toBe('otel-app');
  const span = rs.scopeSpans[0]!.spans[0]!;
  expect(Buffer.from(span.traceId).toString('hex')).toBe(ids.traceId);
  expect(Buffer.from(span.spanId).toString('hex')).toBe(ids.spanId);
  expect(span).toMatchObject({ name: 'GET /health', kind: 2, status: { code: 2, message: 'down' } });
  expect(stringAttr(span.attributes, 'http.route')).toBe('/health');
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request; `chunked` sends the body without a Content-Length. */
function post(path: string, body: Uint8Array | string, headers: Record<string, string>, method = 'POST', chunked = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const length = chunked ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = httpRequest({ host: '127.0.0.1', port: receiver.httpPort, path, method, headers: { ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function rpcStatus(reply: Reply): { code: number; message: string } {
  if (String(reply.headers['content-type']).startsWith('application/json')) return JSON.parse(reply.body.toString());
  const r = new BinaryReader(reply.body);
  const out = { code: 0, message: '' };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1) out.code = r.int32();
    else if (no === 2) out.message = r.string();
    else r.skip(wt);
  }
  return out;
}

/** A valid protobuf ExportMetricsServiceRequest with one gauge point. */
function gaugeRequest(name = 'raw.gauge', value = 3): Uint8Array {
  const w = new BinaryWriter().tag(1, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string(name);
  w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).fork().tag(4, WireType.Bit64).double(value).join().join();
  return w.join().join().join().finish();
}

const PROTO = { 'Content-Type': 'application/x-protobuf' };
const JSON_TYPE = { 'Content-Type': 'application/json' };

function grpcCall(path: string, body: Uint8Array, options: grpc.ChannelOptions = {}): Promise<{ error: grpc.ServiceError | null; response?: Buffer }> {
  const client = new grpc.Client(`127.0.0.1:${receiver.grpcPort}`, grpc.credentials.createInsecure(), options);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (error, response) => {
        client.close();
        resolve(error ? { error } : { error: null, response: response! });
      },
    );
  });
}

// ---- the SDK's exporters ----

describe('the OpenTelemetry SDK exporters', () => {
  it('OTLP/HTTP JSON metrics (exporter-metrics-otlp-http)', async () => {
    await sendMetrics(new JsonMetricExporter({ url: `http://127.0.0.1:${receiver.httpPort}/v1/metrics` }));
    expectMetricsReceived();
    expect(recorded.metrics[0]!.context).toMatchObject({ transport: 'http', encoding: 'json' });
    expect(recorded.metrics[0]!.context.headers['user-agent']).toMatch(/OTel-OTLP-Exporter-JavaScript/);
  });

  it('OTLP/HTTP protobuf metrics, gzip (exporter-metrics-otlp-proto)', async () => {
    await sendMetrics(new ProtoMetricExporter({ url: `http://127.0.0.1:${receiver.httpPort}/v1/metrics`, compression: CompressionAlgorithm.GZIP }));
    expectMetricsReceived();
    expect(recorded.metrics[0]!.context).toMatchObject({ transport: 'http', encoding: 'protobuf' });
    expect(recorded.metrics[0]!.context.headers['content-encoding']).toBe('gzip');
  });

  it('OTLP/gRPC metrics, gzip (exporter-metrics-otlp-grpc)', async () => {
    await sendMetrics(new GrpcMetricExporter({ url: `http://127.0.0.1:${receiver.grpcPort}`, compression: CompressionAlgorithm.GZIP }));
    expectMetricsReceived();
    expect(recorded.metrics[0]!.context).toMatchObject({ transport: 'grpc', encoding: 'protobuf' });
  });

  it('OTLP/HTTP JSON traces (exporter-trace-otlp-http), gzip', async () => {
    expectSpanReceived(await sendSpans(new JsonTraceExporter({ url: `http://127.0.0.1:${receiver.httpPort}/v1/traces`, compression: CompressionAlgorithm.GZIP })));
  });

  it('OTLP/HTTP protobuf traces (exporter-trace-otlp-proto)', async () => {
    expectSpanReceived(await sendSpans(new ProtoTraceExporter({ url: `http://127.0.0.1:${receiver.httpPort}/v1/traces` })));
  });

  it('OTLP/gRPC traces (exporter-trace-otlp-grpc)', async () => {
    expectSpanReceived(await sendSpans(new GrpcTraceExporter({ url: `http://127.0.0.1:${receiver.grpcPort}` })));
    const status = receiver.status() as { requests: { grpc: number }; traces: { payloads: number; spans: number } };
    expect(status.requests.grpc).toBe(1);
    expect(status.traces).toMatchObject({ payloads: 1, spans: 1 });
  });
});

// ---- partial success ----

describe('partial success', () => {
  it('answers rejected points and spans in the Export*ServiceResponse, protobuf, JSON and gRPC', async () => {
    answer = () => ({ rejected: 1, error: 'a point was NaN' });
    const proto = await post('/v1/metrics', gaugeRequest(), PROTO);
    expect(proto.status).toBe(200);
    expect(proto.headers['content-type']).toBe('application/x-protobuf');
    const decoded = ProtobufMetricsSerializer.deserializeResponse(proto.body);
    expect(Number(decoded.partialSuccess?.rejectedDataPoints)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toBe('a point was NaN');

    answer = async () => ({ rejected: 2 });
    const json = await post('/v1/traces', '{"resourceSpans":[]}', JSON_TYPE);
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body.toString())).toEqual({ partialSuccess: { rejectedSpans: '2' } });

    answer = () => ({ rejected: 4, error: 'no trace id' });
    const { error, response } = await grpcCall(TRACES_PATH, new Uint8Array(0));
    expect(error).toBeNull();
    const viaGrpc = ProtobufTraceSerializer.deserializeResponse(response!);
    expect(Number(viaGrpc.partialSuccess?.rejectedSpans)).toBe(4);

    answer = () => ({ rejected: 0 });
    const full = await post('/v1/metrics', gaugeRequest(), PROTO);
    expect(full.status).toBe(200);
    expect(full.body).toHaveLength(0);
    const status = receiver.status() as { metrics: Record<string, number>; traces: Record<string, number> };
    expect(status.metrics).toMatchObject({ payloads: 2, dataPoints: 2, rejectedDataPoints: 1, decodeErrors: 0 });
    expect(status.traces).toMatchObject({ payloads: 2, rejectedSpans: 6 });
  });
});

// ---- errors over HTTP ----

describe('OTLP/HTTP errors', () => {
  it('415 for a content type OTLP does not have, 404 for unknown paths, 405 for other methods', async () => {
    const unsupported = await post('/v1/metrics', 'a,b', { 'Content-Type': 'text/csv' });
    expect(unsupported.status).toBe(415);
    expect(unsupported.body.toString()).toMatch(/application\/json, application\/x-protobuf/);

    const missing = await post('/v1/logs', gaugeRequest(), PROTO);
    expect(missing.status).toBe(404);
    expect(rpcStatus(missing).message).toMatch(/\/v1\/logs not found/);
    expect((await post('/', '', {})).status).toBe(404);

    const get = await post('/v1/traces', '', JSON_TYPE, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(rpcStatus(get).message).toMatch(/GET method not allowed/);
    expect((await post('/v1/metrics', '', {}, 'PUT')).status).toBe(405);
    expect(recorded.metrics).toHaveLength(0);
  });

  it('400 with a google.rpc.Status in the request encoding for malformed bodies', async () => {
    const proto = await post('/v1/metrics', new Uint8Array([0x0a, 0x05, 0x01]), PROTO);
    expect(proto.status).toBe(400);
    expect(proto.headers['content-type']).toBe('application/x-protobuf');
    expect(rpcStatus(proto)).toMatchObject({ code: 3, message: expect.stringMatching(/ExportMetricsServiceRequest|runs past/) });

    const json = await post('/v1/traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}', JSON_TYPE);
    expect(json.status).toBe(400);
    expect(json.headers['content-type']).toBe('application/json');
    expect(rpcStatus(json)).toEqual({ code: 3, message: 'Span.traceId: expected a hex string' });

    const notJson = await post('/v1/traces', '{', { 'Content-Type': 'application/json; charset=utf-8' });
    expect(notJson.status).toBe(400);
    expect(rpcStatus(notJson).message).toMatch(/not valid JSON/);

    const badGzip = await post('/v1/metrics', Buffer.from('not gzip at all'), { ...PROTO, 'Content-Encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect(rpcStatus(badGzip).message).toMatch(/gunzip/);

    expect((await post('/v1/metrics', gaugeRequest(), { ...PROTO, 'Content-Encoding': 'br' })).status).toBe(415);

    const status = receiver.status() as { metrics: Record<string, number>; traces: Record<string, number>; refused: Record<string, number> };
    expect(status.metrics.decodeErrors).toBe(1);
    expect(status.traces.decodeErrors).toBe(2);
    expect(status.refused).toMatchObject({ bad_compression: 1, unsupported_encoding: 1 });
    expect(logs.some((l) => /WARN \| OTLP receiver: cannot decode a traces request/.test(l))).toBe(true);
  });

  it('reads gzip, zlib deflate and raw deflate bodies', async () => {
    const body = gaugeRequest('compressed', 9);
    for (const [coding, bytes] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['deflate', deflateRawSync(body)],
      ['identity', body],
    ] as const) {
      const reply = await post('/v1/metrics', bytes, { ...PROTO, 'Content-Encoding': coding });
      expect(reply.status, coding).toBe(200);
    }
    expect(recorded.metrics).toHaveLength(4);
    for (const m of recorded.metrics) expect(m.request.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]).toMatchObject({ name: 'compressed', data: { dataPoints: [{ value: 9 }] } });
    const gzipJson = await post('/v1/traces', gzipSync('{"resourceSpans":[]}'), { ...JSON_TYPE, 'Content-Encoding': 'gzip' });
    expect(gzipJson.status).toBe(200);
  });

  it('413 over the body limit, before and after decompression', async () => {
    await receiver.stop(Date.now() + 1000);
    receiver = await startReceiver({ maxRequestBodyBytes: 64 * 1024 });
    const big = Buffer.alloc(100 * 1024, 1);
    const declared = await post('/v1/metrics', big, PROTO);
    expect(declared.status).toBe(413);
    expect(rpcStatus(declared).message).toMatch(/over 65536 bytes/);

    // 10 MiB of zeros in a ~10 KiB gzip body: refused when inflating passes the limit.
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const inflated = await post('/v1/metrics', bomb, { ...PROTO, 'Content-Encoding': 'gzip' });
    expect(inflated.status).toBe(413);

    expect(recorded.metrics).toHaveLength(0);
    expect((receiver.status() as { refused: Record<string, number>; bufferedBytes: number }).refused.too_large).toBe(2);
    expect((await post('/v1/metrics', gaugeRequest(), PROTO)).status).toBe(200);
    expect((receiver.status() as { bufferedBytes: number }).bufferedBytes).toBe(0);
  });

  it('500 with an INTERNAL status when the translator throws, and keeps serving', async () => {
    answer = () => {
      throw new Error('translator bug');
    };
    const reply = await post('/v1/metrics', gaugeRequest(), PROTO);
    expect(reply.status).toBe(500);
    expect(rpcStatus(reply)).toMatchObject({ code: 13, message: expect.stringMatching(/translator bug/) });
    const viaGrpc = await grpcCall(METRICS_PATH, gaugeRequest());
    expect(viaGrpc.error?.code).toBe(grpc.status.INTERNAL);
    answer = () => ({ rejected: 0 });
    expect((await post('/v1/metrics', gaugeRequest(), PROTO)).status).toBe(200);
    expect((receiver.status() as { metrics: Record<string, number> }).metrics.failures).toBe(2);
  });
});

// ---- errors over gRPC ----

describe('OTLP/gRPC errors', () => {
  it('INVALID_ARGUMENT for a malformed message, UNIMPLEMENTED for other methods; gzip messages accepted', async () => {
    const bad = await grpcCall(METRICS_PATH, new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.error?.details).toMatch(/runs past|not valid protobuf/);

    const unknown = await grpcCall('/opentelemetry.proto.collector.logs.v1.LogsService/Export', new Uint8Array(0));
    expect(unknown.error?.code).toBe(grpc.status.UNIMPLEMENTED);

    const gzip = await grpcCall(METRICS_PATH, gaugeRequest('via.grpc.gzip', 5), { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip });
    expect(gzip.error).toBeNull();
    expect(recorded.metrics.at(-1)!.request.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.name).toBe('via.grpc.gzip');
    expect((receiver.status() as { metrics: Record<string, number> }).metrics.decodeErrors).toBe(1);
  });

  it('RESOURCE_EXHAUSTED over max_recv_msg_size_mib', async () => {
    await receiver.stop(Date.now() + 1000);
    receiver = await startReceiver({ maxRecvMsgSizeMiB: 1 });
    const big = await grpcCall(METRICS_PATH, Buffer.alloc(2 * 1024 * 1024, 0));
    expect(big.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((await grpcCall(METRICS_PATH, gaugeRequest())).error).toBeNull();
  });
});

// ---- overload and endpoints ----

describe('overload, ports and stop', () => {
  it('429 with Retry-After (HTTP) and UNAVAILABLE (gRPC) past the requests in flight', async () => {
    await receiver.stop(Date.now() + 1000);
    receiver = await startReceiver({ maxConcurrentRequests: 1 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    answer = async () => {
      entered();
      await held;
      return { rejected: 0 };
    };
    const first = post('/v1/metrics', gaugeRequest(), PROTO);
    await inHandler;
    const refused = await post('/v1/traces', '{}', JSON_TYPE);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(rpcStatus(refused).code).toBe(8);
    const refusedGrpc = await grpcCall(TRACES_PATH, new Uint8Array(0));
    expect(refusedGrpc.error?.code).toBe(grpc.status.UNAVAILABLE);
    release();
    expect((await first).status).toBe(200);
    answer = () => ({ rejected: 0 });
    expect((await post('/v1/traces', '{}', JSON_TYPE)).status).toBe(200);
    expect((receiver.status() as { refused: Record<string, number> }).refused.overloaded).toBe(2);
  });

  it('429 when the bytes held across requests would pass maxBufferedBytes, even without a Content-Length', async () => {
    await receiver.stop(Date.now() + 1000);
    receiver = await startReceiver({ maxRequestBodyBytes: 900 * 1024, maxRecvMsgSizeMiB: 1, maxBufferedBytes: 0 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    answer = async () => {
      entered();
      await held;
      return { rejected: 0 };
    };
    // An unknown top-level field pads the request: 600 KiB held by the first, 600 more asked by the second.
    const padded = Buffer.concat([gaugeRequest(), new BinaryWriter().tag(15, WireType.LengthDelimited).bytes(Buffer.alloc(600 * 1024)).finish()]);
    const first = post('/v1/metrics', padded, PROTO);
    await inHandler;
    const second = await post('/v1/metrics', padded, PROTO, 'POST', true);
    expect(second.status).toBe(429);
    release();
    expect((await first).status).toBe(200);
    expect((receiver.status() as { bufferedBytes: number; peakBufferedBytes: number }).bufferedBytes).toBe(0);
    expect((receiver.status() as { peakBufferedBytes: number }).peakBufferedBytes).toBeGreaterThanOrEqual(600 * 1024);
    answer = () => ({ rejected: 0 });
    expect((await post('/v1/metrics', padded, PROTO, 'POST', true)).status).toBe(200);
  });

  it('a port already taken disables that receiver and says so, without failing start', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const second = createOtlpReceiver({
        http: `127.0.0.1:${taken}`,
        grpc: `127.0.0.1:${receiver.grpcPort}`,
        logger: createLogger('CORE', 'info', (line) => logs.push(line)),
        metrics: () => ({ rejected: 0 }),
        traces: () => ({ rejected: 0 }),
      });
      await second.start();
      const status = second.status() as { receivers: Record<string, { state: string; error?: string }> };
      expect(status.receivers.http).toMatchObject({ state: 'error', error: expect.stringMatching(/EADDRINUSE/) });
      expect(status.receivers.grpc).toMatchObject({ state: 'error', error: expect.stringMatching(/cannot listen/) });
      expect(logs.some((l) => /ERROR \| OTLP\/HTTP receiver disabled: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/.test(l))).toBe(true);
      await second.stop(Date.now() + 1000);
      // The first receiver is untouched.
      expect((await post('/v1/metrics', gaugeRequest(), PROTO)).status).toBe(200);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('reports a malformed endpoint in status; off when no endpoint is set', async () => {
    const bad = createOtlpReceiver({ http: 'http://localhost:4318', logger: createLogger('CORE', 'info', (l) => logs.push(l)), metrics: () => ({ rejected: 0 }), traces: () => ({ rejected: 0 }) });
    await bad.start();
    expect((bad.status() as { receivers: { http: { state: string; error: string } } }).receivers.http).toMatchObject({ state: 'error', error: expect.stringMatching(/not host:port/) });
    const off = createOtlpReceiver({ logger: createLogger('CORE', 'info', () => {}), metrics: () => ({ rejected: 0 }), traces: () => ({ rejected: 0 }) });
    await off.start();
    expect(off.status()).toEqual({ enabled: false });
    await off.stop(Date.now());
  });

  it('status names both receivers; stop closes both ports', async () => {
    const status = receiver.status() as { receivers: Record<string, { state: string; address: string }> };
    expect(status.receivers.http).toEqual({ state: 'listening', endpoint: '127.0.0.1:0', address: `127.0.0.1:${receiver.httpPort}` });
    expect(status.receivers.grpc).toEqual({ state: 'listening', endpoint: '127.0.0.1:0', address: `127.0.0.1:${receiver.grpcPort}` });
    const httpPort = receiver.httpPort;
    await receiver.stop(Date.now() + 2000);
    expect((receiver.status() as { receivers: Record<string, { state: string }> }).receivers.http!.state).toBe('stopped');
    await expect(
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: httpPort, path: '/v1/metrics', method: 'POST' }, resolve);
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

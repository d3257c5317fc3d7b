'use strict';
// A web app instrumented with the OpenTelemetry JS SDK only, no Datadog library: metrics and
// traces go over OTLP/HTTP (protobuf) to the agent of its dyno, which listens once
// DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT is set (localhost:4318, the SDK's default).
const http = require('node:http');
const { context, trace, SpanKind, SpanStatusCode } = require('@opentelemetry/api');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');

// The agent's OTLP/HTTP port, unless OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT
// is set: then no URL is given and the SDK reads them, as in every SDK.
const port = (process.env.DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT || 'localhost:4318').split(':').pop();
const urlFor = (signal) => (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`] ? undefined : `http://localhost:${port}/v1/${signal}`);

// Delta temporality, as Datadog recommends (a cumulative histogram's first point is only the base
// of the next delta); `heroku config:set OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=…` wins.
process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE ||= 'delta';

// The SDK's own attributes (telemetry.sdk.language: the trace's language at Datadog), then ours.
const resource = defaultResource().merge(resourceFromAttributes({
  'service.name': 'demo-otel',
  ...((process.env.DD_VERSION || process.env.HEROKU_RELEASE_VERSION) && { 'service.version': process.env.DD_VERSION || process.env.HEROKU_RELEASE_VERSION }),
  ...(process.env.DD_ENV && { 'deployment.environment': process.env.DD_ENV }),
}));
const meterProvider = new MeterProvider({
  resource,
  readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: urlFor('metrics') }), exportIntervalMillis: 5000 })],
});
const tracerProvider = new BasicTracerProvider({
  resource,
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: urlFor('traces') }), { scheduledDelayMillis: 1000 })],
});
const meter = meterProvider.getMeter('demo-otel');
const tracer = tracerProvider.getTracer('demo-otel');

const requests = meter.createCounter('demo.otel.requests', { description: 'HTTP requests served' });
const latency = meter.createHistogram('demo.otel.latency', { unit: 'ms', description: 'time to answer a request' });
const inflight = meter.createUpDownCounter('demo.otel.inflight', { description: 'requests being served' });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pretend work in a child span of `parent` (one per request). */
async function work(parent, name, ms) {
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL }, trace.setSpan(context.active(), parent));
  await sleep(ms);
  span.end();
}

const routes = {
  '/': async (span) => {
    await work(span, 'demo.query', 2 + Math.random() * 6);
    return { status: 200, body: { hello: 'world' } };
  },
  '/slow': async (span) => {
    await work(span, 'demo.query', 25 + Math.random() * 50);
    return { status: 200, body: { orders: [] } };
  },
  '/error': async (span) => {
    await work(span, 'demo.query', 3);
    span.recordException(new Error('cart total out of range'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'cart total out of range' });
    return { status: 500, body: { error: 'cart total out of range' } };
  },
};

const server = http.createServer(async (req, res) => {
  const started = performance.now();
  const route = req.url.split('?')[0];
  const handler = routes[route];
  const span = tracer.startSpan(`${req.method} ${handler ? route : ''}`.trim(), {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': req.method, 'url.path': route, ...(handler && { 'http.route': route }) },
  });
  inflight.add(1);
  const { status, body } = handler ? await handler(span) : { status: 404, body: { error: 'not found' } };
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
  inflight.add(-1);
  span.setAttribute('http.response.status_code', status);
  span.end();
  const attributes = { route, status: String(status) };
  requests.add(1, attributes);
  latency.record(performance.now() - started, attributes);
});

server.listen(Number(process.env.PORT) || 5000, () => console.log(`demo-otel listening on ${process.env.PORT || 5000}, OTLP to ${urlFor('metrics') ?? 'OTEL_EXPORTER_OTLP_ENDPOINT'}`));

// Heroku sends SIGTERM on restart: stop taking requests, export what the SDK holds, then exit.
process.on('SIGTERM', async () => {
  server.close();
  const providers = [meterProvider, tracerProvider];
  await Promise.allSettled(providers.map((p) => p.forceFlush()));
  await Promise.allSettled(providers.map((p) => p.shutdown()));
  process.exit(0);
});

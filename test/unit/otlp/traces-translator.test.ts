// The translator around the span mapping: one consumer call per ResourceSpans, chunks by trace id,
// the tracer identity from the resource, bad spans counted and skipped, and hostile input never throwing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TracesConsumer } from '../../../src/agent/otlp/consumer.js';
import type { AnyValue, ExportTraceServiceRequest, KeyValue, OtlpSpan } from '../../../src/agent/otlp/model.js';
import { TracesTranslator } from '../../../src/agent/otlp/traces/index.js';
import { attrs, otlpSpan, RecordingConsumer, request, scope, SPAN_ID, TRACE_ID } from './traces-fixtures.js';

function traceId(high: number, low: number): Uint8Array {
  const id = new Uint8Array(16);
  id[7] = high;
  id[15] = low;
  return id;
}

function spanId(n: number): Uint8Array {
  const id = new Uint8Array(8);
  id[7] = n;
  return id;
}

describe('consumer calls', () => {
  it('one call per ResourceSpans, spans grouped by trace id into chunks', () => {
    const consumer = new RecordingConsumer();
    const req: ExportTraceServiceRequest = {
      resourceSpans: [
        {
          resource: { attributes: attrs({ 'service.name': 'a' }) },
          scopeSpans: [
            { scope: scope('s1'), spans: [otlpSpan({ traceId: traceId(0, 1), spanId: spanId(1) }), otlpSpan({ traceId: traceId(0, 2), spanId: spanId(2) })] },
            { scope: scope('s2'), spans: [otlpSpan({ traceId: traceId(0, 1), spanId: spanId(3), parentSpanId: spanId(1) })] },
          ],
        },
        { resource: { attributes: attrs({ 'service.name': 'b' }) }, scopeSpans: [{ scope: scope(), spans: [otlpSpan({ traceId: traceId(0, 1), spanId: spanId(4) })] }] },
      ],
    };
    const result = new TracesTranslator().translate(req, consumer);
    expect(result).toEqual({ acceptedSpans: 4, rejectedSpans: 0 });
    expect(consumer.calls).toHaveLength(2);
    const first = consumer.calls[0]!.traces;
    expect(first.map((t) => t.map((s) => s.spanId))).toEqual([[1n, 3n], [2n]]);
    expect(first[0]!.map((s) => s.meta['otel.library.name'])).toEqual(['s1', 's2']);
    expect(consumer.calls[1]!.traces[0]![0]!.service).toBe('b');
  });

  it('the tracer identity comes from the resource', () => {
    const consumer = new RecordingConsumer();
    const resource = { 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': '2.12.0', 'container.id': 'ABC123', '_dd.stats_computed': 'true' };
    new TracesTranslator().translate(request(resource, [otlpSpan()]), consumer);
    expect(consumer.calls[0]!.tracer).toEqual({
      language: 'nodejs',
      languageVersion: '',
      tracerVersion: 'otlp-2.12.0',
      containerId: 'abc123',
      clientComputedStats: true,
      clientComputedTopLevel: false,
    });
  });

  it('without SDK attributes: empty language, otlp- version, stats from the header only', () => {
    const consumer = new RecordingConsumer();
    const translator = new TracesTranslator({ computeTopLevelBySpanKind: true });
    translator.translate(request({ 'k8s.pod.uid': 'pod-1' }, [otlpSpan()]), consumer);
    translator.translate(request({}, [otlpSpan()]), consumer, { clientComputedStats: true });
    expect(consumer.calls[0]!.tracer).toMatchObject({ language: '', tracerVersion: 'otlp-', containerId: 'pod-1', clientComputedStats: false, clientComputedTopLevel: true });
    expect(consumer.calls[1]!.tracer.clientComputedStats).toBe(true);
  });

  it('a ResourceSpans with no good span makes no call', () => {
    const consumer = new RecordingConsumer();
    new TracesTranslator().translate(request({}, []), consumer);
    new TracesTranslator().translate(request({}, [otlpSpan({ traceId: new Uint8Array(16) })]), consumer);
    expect(consumer.calls).toHaveLength(0);
  });
});

describe('bad spans', () => {
  it('are counted by reason and skipped; the rest go through', () => {
    const consumer = new RecordingConsumer();
    const translator = new TracesTranslator();
    const spans: OtlpSpan[] = [
      otlpSpan({ traceId: new Uint8Array(16) }),
      otlpSpan({ traceId: Uint8Array.from([1, 2, 3]) }),
      otlpSpan({ spanId: new Uint8Array(8) }),
      otlpSpan({ spanId: new Uint8Array(0) }),
      otlpSpan({ parentSpanId: Uint8Array.from([1, 2]) }),
      otlpSpan({ name: 'good' }),
    ];
    const result = translator.translate(request({}, spans), consumer);
    expect(result).toEqual({ acceptedSpans: 1, rejectedSpans: 5 });
    expect(consumer.spans.map((s) => s.resource)).toEqual(['good']);
    expect(translator.counters.snapshot()).toEqual({
      requests: 1,
      resourceSpans: 1,
      spansReceived: 6,
      spansAccepted: 1,
      spansDropped: { trace_id_zero: 1, invalid_trace_id: 1, span_id_zero: 1, invalid_span_id: 1, invalid_parent_span_id: 1 },
      traces: 1,
      payloads: 1,
    });
  });

  it('a consumer that throws costs that resource only, counted', () => {
    let calls = 0;
    const flaky: TracesConsumer = {
      consumeTraces() {
        calls++;
        if (calls === 1) throw new Error('pipeline broke');
      },
    };
    const translator = new TracesTranslator();
    const req: ExportTraceServiceRequest = { resourceSpans: [...request({}, [otlpSpan()]).resourceSpans, ...request({}, [otlpSpan(), otlpSpan({ spanId: spanId(9) })]).resourceSpans] };
    expect(translator.translate(req, flaky)).toEqual({ acceptedSpans: 2, rejectedSpans: 1 });
    expect(translator.counters.spansDropped.consumer_error).toBe(1);
    expect(calls).toBe(2);
  });

  it('many spans in one request are all taken (no recursion, no per-span quadratic work)', () => {
    const consumer = new RecordingConsumer();
    const spans = Array.from({ length: 20_000 }, (_, i) => {
      const id = new Uint8Array(8);
      new DataView(id.buffer).setUint32(4, i + 1);
      return otlpSpan({ spanId: id, traceId: i % 2 === 0 ? TRACE_ID : traceId(0, 7) });
    });
    const result = new TracesTranslator().translate(request({ 'service.name': 'bulk' }, spans), consumer);
    expect(result.acceptedSpans).toBe(20_000);
    expect(consumer.calls[0]!.traces.map((t) => t.length)).toEqual([10_000, 10_000]);
  });
});

const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ value: AnyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string().map((value) => ({ kind: 'string' as const, value })),
    fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((value) => ({ kind: 'int' as const, value })),
    fc.double().map((value) => ({ kind: 'double' as const, value })),
    fc.uint8Array({ maxLength: 8 }).map((value) => ({ kind: 'bytes' as const, value })),
    fc.constant({ kind: 'empty' as const }),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ kind: 'array' as const, values })),
    fc.array(fc.record({ key: fc.string(), value: tie('value') }), { maxLength: 3 }).map((values) => ({ kind: 'kvlist' as const, values })),
  ),
})).value;

const KEYS = ['service.name', 'http.method', 'http.request.method', 'http.route', 'http.status_code', 'http.response.status_code', 'db.system', 'db.statement', 'rpc.system', 'rpc.method', 'messaging.system', 'messaging.operation', 'sampling.priority', 'operation.name', 'resource.name', 'span.type', 'datadog.error', 'datadog.service', 'datadog.http_status_code', 'analytics.event', '_dd.measured', 'deployment.environment', 'exception.message'];
const keyValues: fc.Arbitrary<KeyValue[]> = fc.array(fc.record({ key: fc.oneof(fc.constantFrom(...KEYS), fc.string()), value: anyValue }), { maxLength: 6 });
const bytes = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ maxLength: 20 }));
const hostileSpan: fc.Arbitrary<OtlpSpan> = fc.record({
  traceId: fc.oneof(bytes, fc.constant(TRACE_ID)),
  spanId: fc.oneof(bytes, fc.constant(SPAN_ID)),
  traceState: fc.string(),
  parentSpanId: bytes,
  flags: fc.integer(),
  name: fc.string(),
  kind: fc.integer({ min: -2, max: 9 }),
  startTimeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  endTimeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  attributes: keyValues,
  droppedAttributesCount: fc.nat(),
  events: fc.array(fc.record({ timeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), name: fc.oneof(fc.constant('exception'), fc.string()), attributes: keyValues, droppedAttributesCount: fc.nat() }), { maxLength: 3 }),
  droppedEventsCount: fc.nat(),
  links: fc.array(fc.record({ traceId: bytes, spanId: bytes, traceState: fc.string(), attributes: keyValues, droppedAttributesCount: fc.nat(), flags: fc.nat() }), { maxLength: 2 }),
  droppedLinksCount: fc.nat(),
  status: fc.record({ message: fc.string(), code: fc.integer({ min: -1, max: 4 }) }),
});

describe('hostile requests', () => {
  it('never throw, and every span is either handed on or counted as dropped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ resource: fc.record({ attributes: keyValues }), scopeSpans: fc.array(fc.record({ scope: fc.record({ name: fc.string(), version: fc.string(), attributes: keyValues }), spans: fc.array(hostileSpan, { maxLength: 5 }) }), { maxLength: 2 }) }), { maxLength: 3 }),
        fc.record({ computeTopLevelBySpanKind: fc.boolean(), operationAndResourceNameV1: fc.boolean(), samplingPercentage: fc.double({ min: -10, max: 200, noNaN: true }) }),
        (resourceSpans, options) => {
          const consumer = new RecordingConsumer();
          const translator = new TracesTranslator(options);
          const result = translator.translate({ resourceSpans }, consumer);
          const total = resourceSpans.reduce((n, r) => n + r.scopeSpans.reduce((m, s) => m + s.spans.length, 0), 0);
          expect(result.acceptedSpans + result.rejectedSpans).toBe(total);
          expect(consumer.spans).toHaveLength(result.acceptedSpans);
          // Only bad ids may refuse a span: the mapping itself must cope with any value.
          expect(translator.counters.spansDropped.malformed).toBeUndefined();
          for (const span of consumer.spans) {
            expect(span.traceId).not.toBe(0n);
            expect(span.spanId).not.toBe(0n);
            expect(span.duration).toBeGreaterThanOrEqual(0);
            if (span.meta.events !== undefined) JSON.parse(span.meta.events);
            if (span.meta['_dd.span_links'] !== undefined) JSON.parse(span.meta['_dd.span_links']);
          }
        },
      ),
      { numRuns: 300, seed: 4318 },
    );
  });
});

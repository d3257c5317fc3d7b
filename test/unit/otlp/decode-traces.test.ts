// ExportTraceServiceRequest decoding: spans from a real BasicTracerProvider serialized by the SDK's own
// OTLP serializers (protobuf and JSON), JSON as other senders write it, malformed bodies.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeTracesJson, decodeTracesProto, decodeTracesRequest } from '../../../src/agent/otlp/decode/index.js';
import type { AnyValue, ExportTraceServiceRequest, KeyValue, OtlpSpan } from '../../../src/agent/otlp/model.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const attr = (list: readonly KeyValue[], key: string): AnyValue | undefined => list.find((kv) => kv.key === key)?.value;

async function knownSpans(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment.name': 'staging' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('shop-tracer', '0.9.0');
  const linked = tracer.startSpan('background');
  linked.end();
  const root = tracer.startSpan('GET /cart', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 500, 'retry.ratio': 0.5, cached: false, tags: ['x', 'y'] },
    links: [{ context: linked.spanContext(), attributes: { 'link.reason': 'follows' } }],
  });
  const child = tracer.startSpan('SELECT cart', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, trace.setSpan(context.active(), root));
  child.addEvent('rows fetched', { rows: 3 });
  child.end();
  root.recordException(new Error('boom'));
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'cart failed' });
  root.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return [...spans];
}

const allSpans = (request: ExportTraceServiceRequest): OtlpSpan[] => request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));

function expectKnownSpans(request: ExportTraceServiceRequest, sdkSpans: ReadableSpan[]): void {
  expect(request.resourceSpans).toHaveLength(1);
  const rs = request.resourceSpans[0]!;
  expect(attr(rs.resource.attributes, 'service.name')).toEqual({ kind: 'string', value: 'checkout' });
  expect(rs.scopeSpans[0]!.scope).toMatchObject({ name: 'shop-tracer', version: '0.9.0' });
  const spans = allSpans(request);
  expect(spans).toHaveLength(3);
  const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
  const sdk = Object.fromEntries(sdkSpans.map((s) => [s.name, s]));

  const root = byName['GET /cart']!;
  expect(hex(root.traceId)).toBe(sdk['GET /cart']!.spanContext().traceId);
  expect(hex(root.spanId)).toBe(sdk['GET /cart']!.spanContext().spanId);
  expect(root.traceId).toHaveLength(16);
  expect(root.spanId).toHaveLength(8);
  expect(root.parentSpanId).toHaveLength(0);
  expect(root.kind).toBe(2);
  expect(root.status).toEqual({ code: 2, message: 'cart failed' });
  expect(attr(root.attributes, 'http.response.status_code')).toEqual({ kind: 'int', value: 500n });
  expect(attr(root.attributes, 'retry.ratio')).toEqual({ kind: 'double', value: 0.5 });
  expect(attr(root.attributes, 'cached')).toEqual({ kind: 'bool', value: false });
  expect(attr(root.attributes, 'tags')).toEqual({ kind: 'array', values: [{ kind: 'string', value: 'x' }, { kind: 'string', value: 'y' }] });
  expect(root.endTimeUnixNano).toBeGreaterThanOrEqual(root.startTimeUnixNano);
  expect(root.startTimeUnixNano).toBeGreaterThan(1_600_000_000_000_000_000n);
  expect(root.events).toHaveLength(1);
  expect(root.events[0]!.name).toBe('exception');
  expect(attr(root.events[0]!.attributes, 'exception.message')).toEqual({ kind: 'string', value: 'boom' });
  expect(root.links).toHaveLength(1);
  expect(hex(root.links[0]!.spanId)).toBe(sdk['background']!.spanContext().spanId);
  expect(hex(root.links[0]!.traceId)).toBe(sdk['background']!.spanContext().traceId);
  expect(attr(root.links[0]!.attributes, 'link.reason')).toEqual({ kind: 'string', value: 'follows' });

  const child = byName['SELECT cart']!;
  expect(child.kind).toBe(3);
  expect(hex(child.parentSpanId)).toBe(hex(root.spanId));
  expect(hex(child.traceId)).toBe(hex(root.traceId));
  expect(child.status).toEqual({ code: 0, message: '' });
  expect(child.events[0]).toMatchObject({ name: 'rows fetched', attributes: [{ key: 'rows', value: { kind: 'int', value: 3n } }] });
  expect(child.events[0]!.timeUnixNano).toBeGreaterThanOrEqual(child.startTimeUnixNano);
  // The SDK sets the sampled flag and, since OTLP 1.1, "has is_remote" (0x100) on every span.
  expect(child.flags & 0xff).toBe(1);
}

describe('ExportTraceServiceRequest from the OpenTelemetry JS SDK', () => {
  it('decodes the SDK protobuf serializer output', async () => {
    const spans = await knownSpans();
    expectKnownSpans(decodeTracesProto(ProtobufTraceSerializer.serializeRequest(spans)!), spans);
  });

  it('decodes the SDK JSON serializer output (hex ids) identically', async () => {
    const spans = await knownSpans();
    const fromJson = decodeTracesJson(JsonTraceSerializer.serializeRequest(spans)!);
    expectKnownSpans(fromJson, spans);
    expect(fromJson).toEqual(decodeTracesProto(ProtobufTraceSerializer.serializeRequest(spans)!));
    expect(decodeTracesRequest(JsonTraceSerializer.serializeRequest(spans)!, 'json')).toEqual(fromJson);
  });
});

describe('OTLP/JSON traces as other senders write them', () => {
  it('accepts upper-case hex ids, proto field names, enum names and numeric times', () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'go-api' } }] },
          scope_spans: [
            {
              spans: [
                {
                  trace_id: '5B8EFFF798038103D269B633813FC60C',
                  span_id: 'EEE19B7EC3C1B174',
                  parent_span_id: '',
                  name: 'op',
                  kind: 'SPAN_KIND_CONSUMER',
                  start_time_unix_nano: 1544712660000000000,
                  end_time_unix_nano: '1544712661000000000',
                  dropped_attributes_count: 2,
                  status: { code: 'STATUS_CODE_OK' },
                  flags: 257,
                },
              ],
            },
          ],
        },
      ],
    });
    const [span] = allSpans(decodeTracesJson(Buffer.from(body)));
    expect(hex(span!.traceId)).toBe('5b8efff798038103d269b633813fc60c');
    expect(hex(span!.spanId)).toBe('eee19b7ec3c1b174');
    expect(span).toMatchObject({ name: 'op', kind: 5, startTimeUnixNano: 1544712660000000000n, endTimeUnixNano: 1544712661000000000n, droppedAttributesCount: 2, flags: 257 });
    expect(span!.status).toEqual({ code: 1, message: '' });
  });

  it('refuses ids that are not hex and values of the wrong JSON type', () => {
    const span = (fields: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [fields] }] }] }));
    expect(() => decodeTracesJson(span({ traceId: 'W4787/eYA4ED0mm2M4E/xg==' }))).toThrow(/Span.traceId: expected a hex string/);
    expect(() => decodeTracesJson(span({ spanId: 'abc' }))).toThrow(DecodeError);
    expect(() => decodeTracesJson(span({ startTimeUnixNano: 1.5 }))).toThrow(/64-bit integer/);
    expect(() => decodeTracesJson(span({ kind: 'SERVER' }))).toThrow(/Span.kind/);
    expect(() => decodeTracesJson(span({ events: {} }))).toThrow(/Span.events: expected an array/);
    expect(() => decodeTracesJson(span({ attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }))).toThrow(DecodeError);
  });
});

describe('malformed trace bodies', () => {
  it('refuses every truncation of a real SDK body', async () => {
    const body = ProtobufTraceSerializer.serializeRequest(await knownSpans())!;
    let refused = 0;
    for (let cut = 1; cut < body.length; cut++) {
      try {
        decodeTracesProto(body.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        refused++;
      }
    }
    // One resource_spans field holds everything, so no cut ends on a field boundary.
    expect(refused).toBe(body.length - 1);
  });
});

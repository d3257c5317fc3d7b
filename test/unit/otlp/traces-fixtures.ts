// Builders of decoded OTLP trace requests and a recording TracesConsumer, for the traces translator tests.
import type { TracerIdentity } from '../../../src/agent/apm/process-traces.js';
import type { Span } from '../../../src/agent/apm/span.js';
import type { TracesConsumer } from '../../../src/agent/otlp/consumer.js';
import type { AnyValue, ExportTraceServiceRequest, InstrumentationScope, KeyValue, OtlpSpan } from '../../../src/agent/otlp/model.js';
import { TracesTranslator, type TracesTranslatorOptions } from '../../../src/agent/otlp/traces/index.js';

export type AttributeInput = string | boolean | bigint | number | AnyValue;

/** bigint → int, number → double, string → string, boolean → bool; AnyValue as is. */
export function value(v: AttributeInput): AnyValue {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'bigint') return { kind: 'int', value: v };
  if (typeof v === 'number') return { kind: 'double', value: v };
  return v;
}

export function attrs(record: Record<string, AttributeInput> = {}): KeyValue[] {
  return Object.entries(record).map(([key, v]) => ({ key, value: value(v) }));
}

export const TRACE_ID = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
export const SPAN_ID = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const START = 1_700_000_000_000_000_000n;

export interface SpanInput extends Partial<Omit<OtlpSpan, 'attributes'>> {
  readonly attributes?: Record<string, AttributeInput>;
}

export function otlpSpan(input: SpanInput = {}): OtlpSpan {
  const { attributes, ...rest } = input;
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceState: '',
    parentSpanId: new Uint8Array(0),
    flags: 1,
    name: 'span_name',
    kind: 1,
    startTimeUnixNano: START,
    endTimeUnixNano: START + 1_500_000n,
    attributes: attrs(attributes),
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    ...rest,
  };
}

export function scope(name = '', version = '', attributes: Record<string, AttributeInput> = {}): InstrumentationScope {
  return { name, version, attributes: attrs(attributes) };
}

export function request(resource: Record<string, AttributeInput>, spans: OtlpSpan[], spanScope = scope()): ExportTraceServiceRequest {
  return { resourceSpans: [{ resource: { attributes: attrs(resource) }, scopeSpans: [{ scope: spanScope, spans }] }] };
}

/** A real consumer that keeps every call it gets. */
export class RecordingConsumer implements TracesConsumer {
  readonly calls: { traces: Span[][]; tracer: TracerIdentity }[] = [];

  consumeTraces(traces: Span[][], tracer: TracerIdentity): void {
    this.calls.push({ traces, tracer });
  }

  get spans(): Span[] {
    return this.calls.flatMap((c) => c.traces.flat());
  }
}

/** The one Datadog span an OTLP span becomes. */
export function mapOne(span: SpanInput, resource: Record<string, AttributeInput> = {}, options: TracesTranslatorOptions = {}, spanScope = scope()): Span {
  const consumer = new RecordingConsumer();
  new TracesTranslator(options).translate(request(resource, [otlpSpan(span)], spanScope), consumer);
  const spans = consumer.spans;
  if (spans.length !== 1) throw new Error(`expected one span, got ${spans.length}`);
  return spans[0]!;
}

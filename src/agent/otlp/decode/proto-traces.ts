// opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest from the wire.
import type { ExportTraceServiceRequest, KeyValue, OtlpSpan, ResourceSpans, ScopeSpans, SpanEvent, SpanLink, SpanStatus } from '../model.js';
import type { DecodeLimits } from './limits.js';
import { attributesOrNone, EMPTY_RESOURCE, EMPTY_SCOPE, pushAttribute, readResource, readScope } from './proto-common.js';
import { bytesCopy, checkEnd, decodeProto, EMPTY_BYTES, expectWire, skipField, subEnd, WireType, type ProtoInput } from './proto-input.js';

export const UNSET_STATUS: SpanStatus = Object.freeze({ message: '', code: 0 });
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);

export function decodeTracesProto(body: Uint8Array, limits?: DecodeLimits): ExportTraceServiceRequest {
  return decodeProto(body, 'ExportTraceServiceRequest', limits, (input) => {
    const { r } = input;
    const resourceSpans: ResourceSpans[] = [];
    while (r.pos < r.len) {
      const [field, wt] = r.tag();
      if (field === 1) {
        expectWire(wt, WireType.LengthDelimited, 'ExportTraceServiceRequest.resource_spans');
        resourceSpans.push(readResourceSpans(input, subEnd(r, r.len)));
      } else skipField(r, wt, field);
    }
    checkEnd(r, r.len);
    return { resourceSpans };
  });
}

function readResourceSpans(input: ProtoInput, end: number): ResourceSpans {
  const { r } = input;
  let resource = EMPTY_RESOURCE;
  const scopeSpans: ScopeSpans[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) {
      expectWire(wt, WireType.LengthDelimited, 'ResourceSpans.resource');
      resource = readResource(input, subEnd(r, end));
    } else if (field === 2) {
      expectWire(wt, WireType.LengthDelimited, 'ResourceSpans.scope_spans');
      scopeSpans.push(readScopeSpans(input, subEnd(r, end)));
    } else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { resource, scopeSpans };
}

function readScopeSpans(input: ProtoInput, end: number): ScopeSpans {
  const { r } = input;
  let scope = EMPTY_SCOPE;
  const spans: OtlpSpan[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) {
      expectWire(wt, WireType.LengthDelimited, 'ScopeSpans.scope');
      scope = readScope(input, subEnd(r, end));
    } else if (field === 2) {
      expectWire(wt, WireType.LengthDelimited, 'ScopeSpans.spans');
      spans.push(readSpan(input, subEnd(r, end)));
    } else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { scope, spans };
}

function readSpan(input: ProtoInput, end: number): OtlpSpan {
  const { r } = input;
  input.budget.take();
  let traceId = EMPTY_BYTES;
  let spanId = EMPTY_BYTES;
  let traceState = '';
  let parentSpanId = EMPTY_BYTES;
  let flags = 0;
  let name = '';
  let kind = 0;
  let startTimeUnixNano = 0n;
  let endTimeUnixNano = 0n;
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  const events: SpanEvent[] = [];
  let droppedEventsCount = 0;
  const links: SpanLink[] = [];
  let droppedLinksCount = 0;
  let status = UNSET_STATUS;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    switch (field) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'Span.trace_id');
        traceId = bytesCopy(r);
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'Span.span_id');
        spanId = bytesCopy(r);
        break;
      case 3:
        expectWire(wt, WireType.LengthDelimited, 'Span.trace_state');
        traceState = r.string();
        break;
      case 4:
        expectWire(wt, WireType.LengthDelimited, 'Span.parent_span_id');
        parentSpanId = bytesCopy(r);
        break;
      case 16:
        expectWire(wt, WireType.Bit32, 'Span.flags');
        flags = r.fixed32();
        break;
      case 5:
        expectWire(wt, WireType.LengthDelimited, 'Span.name');
        name = r.string();
        break;
      case 6:
        expectWire(wt, WireType.Varint, 'Span.kind');
        kind = r.int32();
        break;
      case 7:
        expectWire(wt, WireType.Bit64, 'Span.start_time_unix_nano');
        startTimeUnixNano = BigInt(r.fixed64());
        break;
      case 8:
        expectWire(wt, WireType.Bit64, 'Span.end_time_unix_nano');
        endTimeUnixNano = BigInt(r.fixed64());
        break;
      case 9:
        pushAttribute(input, wt, end, attributes, 'Span.attributes');
        break;
      case 10:
        expectWire(wt, WireType.Varint, 'Span.dropped_attributes_count');
        droppedAttributesCount = r.uint32();
        break;
      case 11:
        expectWire(wt, WireType.LengthDelimited, 'Span.events');
        events.push(readEvent(input, subEnd(r, end)));
        break;
      case 12:
        expectWire(wt, WireType.Varint, 'Span.dropped_events_count');
        droppedEventsCount = r.uint32();
        break;
      case 13:
        expectWire(wt, WireType.LengthDelimited, 'Span.links');
        links.push(readLink(input, subEnd(r, end)));
        break;
      case 14:
        expectWire(wt, WireType.Varint, 'Span.dropped_links_count');
        droppedLinksCount = r.uint32();
        break;
      case 15:
        expectWire(wt, WireType.LengthDelimited, 'Span.status');
        status = readStatus(input, subEnd(r, end));
        break;
      default:
        skipField(r, wt, field);
    }
  }
  checkEnd(r, end);
  return {
    traceId,
    spanId,
    traceState,
    parentSpanId,
    flags,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes: attributesOrNone(attributes),
    droppedAttributesCount,
    events: events.length === 0 ? NO_EVENTS : events,
    droppedEventsCount,
    links: links.length === 0 ? NO_LINKS : links,
    droppedLinksCount,
    status,
  };
}

function readEvent(input: ProtoInput, end: number): SpanEvent {
  const { r } = input;
  input.budget.take();
  let timeUnixNano = 0n;
  let name = '';
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    switch (field) {
      case 1:
        expectWire(wt, WireType.Bit64, 'Span.Event.time_unix_nano');
        timeUnixNano = BigInt(r.fixed64());
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'Span.Event.name');
        name = r.string();
        break;
      case 3:
        pushAttribute(input, wt, end, attributes, 'Span.Event.attributes');
        break;
      case 4:
        expectWire(wt, WireType.Varint, 'Span.Event.dropped_attributes_count');
        droppedAttributesCount = r.uint32();
        break;
      default:
        skipField(r, wt, field);
    }
  }
  checkEnd(r, end);
  return { timeUnixNano, name, attributes: attributesOrNone(attributes), droppedAttributesCount };
}

function readLink(input: ProtoInput, end: number): SpanLink {
  const { r } = input;
  input.budget.take();
  let traceId = EMPTY_BYTES;
  let spanId = EMPTY_BYTES;
  let traceState = '';
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  let flags = 0;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    switch (field) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'Span.Link.trace_id');
        traceId = bytesCopy(r);
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'Span.Link.span_id');
        spanId = bytesCopy(r);
        break;
      case 3:
        expectWire(wt, WireType.LengthDelimited, 'Span.Link.trace_state');
        traceState = r.string();
        break;
      case 4:
        pushAttribute(input, wt, end, attributes, 'Span.Link.attributes');
        break;
      case 5:
        expectWire(wt, WireType.Varint, 'Span.Link.dropped_attributes_count');
        droppedAttributesCount = r.uint32();
        break;
      case 6:
        expectWire(wt, WireType.Bit32, 'Span.Link.flags');
        flags = r.fixed32();
        break;
      default:
        skipField(r, wt, field);
    }
  }
  checkEnd(r, end);
  return { traceId, spanId, traceState, attributes: attributesOrNone(attributes), droppedAttributesCount, flags };
}

function readStatus(input: ProtoInput, end: number): SpanStatus {
  const { r } = input;
  let message = '';
  let code = 0;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 2) {
      expectWire(wt, WireType.LengthDelimited, 'Status.message');
      message = r.string();
    } else if (field === 3) {
      expectWire(wt, WireType.Varint, 'Status.code');
      code = r.int32();
    } else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return message === '' && code === 0 ? UNSET_STATUS : { message, code };
}

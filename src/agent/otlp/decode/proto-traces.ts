// opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest from the wire.
import type { ExportTraceServiceRequest, KeyValue, OtlpSpan, ResourceSpans, ScopeSpans, SpanEvent, SpanLink, SpanStatus } from '../model.js';
import type { DecodeLimits } from './limits.js';
import { attributesOrNone, EMPTY_RESOURCE, EMPTY_SCOPE, pushAttribute, readResource, readScope } from './proto-common.js';
import {
  bytes,
  checkEnd,
  decodeProto,
  EMPTY_BYTES,
  fixed32,
  fixed64,
  int32,
  skipField,
  string,
  sub,
  uint32,
  type ProtoInput,
} from './proto-input.js';

export const UNSET_STATUS: SpanStatus = Object.freeze({ message: '', code: 0 });
const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);

export function decodeTracesProto(body: Uint8Array, limits?: DecodeLimits): ExportTraceServiceRequest {
  return decodeProto(body, 'ExportTraceServiceRequest', limits, (input) => {
    const { r } = input;
    const resourceSpans: ResourceSpans[] = [];
    while (r.pos < r.len) {
      const [field, wt] = r.tag();
      if (field === 1) resourceSpans.push(readResourceSpans(input, sub(r, wt, r.len, 'ExportTraceServiceRequest.resource_spans')));
      else skipField(r, wt, field);
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
    if (field === 1) resource = readResource(input, sub(r, wt, end, 'ResourceSpans.resource'));
    else if (field === 2) scopeSpans.push(readScopeSpans(input, sub(r, wt, end, 'ResourceSpans.scope_spans')));
    else skipField(r, wt, field);
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
    if (field === 1) scope = readScope(input, sub(r, wt, end, 'ScopeSpans.scope'));
    else if (field === 2) spans.push(readSpan(input, sub(r, wt, end, 'ScopeSpans.spans')));
    else skipField(r, wt, field);
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
    if (field === 1) traceId = bytes(r, wt, 'Span.trace_id');
    else if (field === 2) spanId = bytes(r, wt, 'Span.span_id');
    else if (field === 3) traceState = string(r, wt, 'Span.trace_state');
    else if (field === 4) parentSpanId = bytes(r, wt, 'Span.parent_span_id');
    else if (field === 16) flags = fixed32(r, wt, 'Span.flags');
    else if (field === 5) name = string(r, wt, 'Span.name');
    else if (field === 6) kind = int32(r, wt, 'Span.kind');
    else if (field === 7) startTimeUnixNano = fixed64(r, wt, 'Span.start_time_unix_nano');
    else if (field === 8) endTimeUnixNano = fixed64(r, wt, 'Span.end_time_unix_nano');
    else if (field === 9) pushAttribute(input, wt, end, attributes, 'Span.attributes');
    else if (field === 10) droppedAttributesCount = uint32(r, wt, 'Span.dropped_attributes_count');
    else if (field === 11) events.push(readEvent(input, sub(r, wt, end, 'Span.events')));
    else if (field === 12) droppedEventsCount = uint32(r, wt, 'Span.dropped_events_count');
    else if (field === 13) links.push(readLink(input, sub(r, wt, end, 'Span.links')));
    else if (field === 14) droppedLinksCount = uint32(r, wt, 'Span.dropped_links_count');
    else if (field === 15) status = readStatus(input, sub(r, wt, end, 'Span.status'));
    else skipField(r, wt, field);
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
    if (field === 1) timeUnixNano = fixed64(r, wt, 'Span.Event.time_unix_nano');
    else if (field === 2) name = string(r, wt, 'Span.Event.name');
    else if (field === 3) pushAttribute(input, wt, end, attributes, 'Span.Event.attributes');
    else if (field === 4) droppedAttributesCount = uint32(r, wt, 'Span.Event.dropped_attributes_count');
    else skipField(r, wt, field);
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
    if (field === 1) traceId = bytes(r, wt, 'Span.Link.trace_id');
    else if (field === 2) spanId = bytes(r, wt, 'Span.Link.span_id');
    else if (field === 3) traceState = string(r, wt, 'Span.Link.trace_state');
    else if (field === 4) pushAttribute(input, wt, end, attributes, 'Span.Link.attributes');
    else if (field === 5) droppedAttributesCount = uint32(r, wt, 'Span.Link.dropped_attributes_count');
    else if (field === 6) flags = fixed32(r, wt, 'Span.Link.flags');
    else skipField(r, wt, field);
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
    if (field === 2) message = string(r, wt, 'Status.message');
    else if (field === 3) code = int32(r, wt, 'Status.code');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return message === '' && code === 0 ? UNSET_STATUS : { message, code };
}

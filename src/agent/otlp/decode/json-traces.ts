// ExportTraceServiceRequest from OTLP/JSON; trace and span ids are hex strings.
import type { ExportTraceServiceRequest, OtlpSpan, SpanEvent, SpanLink, SpanStatus } from '../model.js';
import { attributes, resource, scope } from './json-common.js';
import { array, decodeJson, field, hexBytes, int32, int64, object, string, type JsonInput } from './json-input.js';
import type { DecodeLimits } from './limits.js';
import { UNSET_STATUS } from './proto-traces.js';

const KIND_NAMES = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

export function decodeTracesJson(body: Uint8Array, limits?: DecodeLimits): ExportTraceServiceRequest {
  return decodeJson(body, 'ExportTraceServiceRequest', limits, (input, root) => ({
    resourceSpans: array(field(root, 'resourceSpans', 'resource_spans'), 'resourceSpans').map((rsValue) => {
      const rs = object(rsValue, 'ResourceSpans') ?? {};
      return {
        resource: resource(input, rs.resource),
        scopeSpans: array(field(rs, 'scopeSpans', 'scope_spans'), 'ResourceSpans.scopeSpans').map((ssValue) => {
          const ss = object(ssValue, 'ScopeSpans') ?? {};
          return { scope: scope(input, ss.scope), spans: array(ss.spans, 'ScopeSpans.spans').map((s) => span(input, s)) };
        }),
      };
    }),
  }));
}

function span(input: JsonInput, v: unknown): OtlpSpan {
  input.budget.take();
  const o = object(v, 'Span') ?? {};
  return {
    traceId: hexBytes(field(o, 'traceId', 'trace_id'), 'Span.traceId'),
    spanId: hexBytes(field(o, 'spanId', 'span_id'), 'Span.spanId'),
    traceState: string(field(o, 'traceState', 'trace_state'), 'Span.traceState'),
    parentSpanId: hexBytes(field(o, 'parentSpanId', 'parent_span_id'), 'Span.parentSpanId'),
    flags: int32(o.flags, 'Span.flags'),
    name: string(o.name, 'Span.name'),
    kind: int32(o.kind, 'Span.kind', KIND_NAMES),
    startTimeUnixNano: int64(field(o, 'startTimeUnixNano', 'start_time_unix_nano'), 'Span.startTimeUnixNano'),
    endTimeUnixNano: int64(field(o, 'endTimeUnixNano', 'end_time_unix_nano'), 'Span.endTimeUnixNano'),
    attributes: attributes(input, o.attributes, 'Span.attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'Span.droppedAttributesCount'),
    events: array(o.events, 'Span.events').map((e) => event(input, e)),
    droppedEventsCount: int32(field(o, 'droppedEventsCount', 'dropped_events_count'), 'Span.droppedEventsCount'),
    links: array(o.links, 'Span.links').map((l) => link(input, l)),
    droppedLinksCount: int32(field(o, 'droppedLinksCount', 'dropped_links_count'), 'Span.droppedLinksCount'),
    status: status(o.status),
  };
}

function event(input: JsonInput, v: unknown): SpanEvent {
  input.budget.take();
  const o = object(v, 'Span.Event') ?? {};
  return {
    timeUnixNano: int64(field(o, 'timeUnixNano', 'time_unix_nano'), 'Span.Event.timeUnixNano'),
    name: string(o.name, 'Span.Event.name'),
    attributes: attributes(input, o.attributes, 'Span.Event.attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'Span.Event.droppedAttributesCount'),
  };
}

function link(input: JsonInput, v: unknown): SpanLink {
  input.budget.take();
  const o = object(v, 'Span.Link') ?? {};
  return {
    traceId: hexBytes(field(o, 'traceId', 'trace_id'), 'Span.Link.traceId'),
    spanId: hexBytes(field(o, 'spanId', 'span_id'), 'Span.Link.spanId'),
    traceState: string(field(o, 'traceState', 'trace_state'), 'Span.Link.traceState'),
    attributes: attributes(input, o.attributes, 'Span.Link.attributes'),
    droppedAttributesCount: int32(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), 'Span.Link.droppedAttributesCount'),
    flags: int32(o.flags, 'Span.Link.flags'),
  };
}

function status(v: unknown): SpanStatus {
  const o = object(v, 'Span.status');
  if (o === undefined) return UNSET_STATUS;
  const message = string(o.message, 'Status.message');
  const code = int32(o.code, 'Status.code', STATUS_NAMES);
  return message === '' && code === 0 ? UNSET_STATUS : { message, code };
}

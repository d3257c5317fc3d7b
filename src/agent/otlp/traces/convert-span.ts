// One OTLP span → one Datadog span, as the trace-agent's default path does (transform.OtelSpanToDDSpan):
// fields from `datadog.*` keys or the naming rules, then span attributes, then resource, then scope.
import { MEASURED_KEY, TOP_LEVEL_KEY, type Span } from '../../apm/span.js';
import { SPAN_KIND_CLIENT, SPAN_KIND_CONSUMER, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER, STATUS_CODE_ERROR, type AnyValue, type InstrumentationScope, type OtlpSpan, type SpanEvent, type SpanStatus } from '../model.js';
import { asInt, asString } from '../any-value.js';
import { AttributeMap, either } from './attribute-map.js';
import { datadogKeyFor, DD_KEYS, DD_KEYS_TO_META, spanKindName, statusCodeString } from './conventions.js';
import { hexId, marshalEvents, marshalLinks } from './span-json.js';
import { httpStatusCodeOf, operationNameV1, operationNameV2, resourceNameV1, resourceNameV2, serviceOf, spanTypeOf, type NamingInput } from './span-names.js';

export interface SpanMappingOptions {
  /** apm_config.features `enable_otlp_compute_top_level_by_span_kind`. */
  readonly computeTopLevelBySpanKind: boolean;
  /** The v1 operation/resource names (feature `disable_operation_and_resource_name_logic_v2`, or either option below). */
  readonly operationAndResourceNameV1: boolean;
  /** otlp_config.traces.span_name_as_resource_name. */
  readonly spanNameAsResourceName: boolean;
  /** otlp_config.traces.span_name_remappings. */
  readonly spanNameRemappings: Readonly<Record<string, string>>;
}

/** Event-extraction rate set by `analytics.event` (`sampler.KeySamplingRateEventExtraction`). */
const EVENT_EXTRACTION_KEY = '_dd1.sr.eausr';
const SAMPLING_PRIORITY_KEY = '_sampling_priority_v1';

/** Big-endian uint64 of 8 bytes (the last 8 of a 16-byte trace id); 0 for any other length. */
export function uint64Of(bytes: Uint8Array, offset = 0): bigint {
  if (bytes.length < offset + 8) return 0n;
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 8).readBigUInt64BE(0);
}

/** Go's strconv.ParseBool. */
function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function setMetaIfUnset(span: Span, key: string, value: string): void {
  const mapped = datadogKeyFor(key);
  if (mapped === '' || span.meta[mapped]) return;
  if (mapped === 'analytics.event') {
    const on = parseGoBool(value);
    if (on !== undefined && span.metrics[EVENT_EXTRACTION_KEY] === undefined) span.metrics[EVENT_EXTRACTION_KEY] = on ? 1 : 0;
    return;
  }
  span.meta[mapped] = value;
}

function setMetricIfUnset(span: Span, key: string, value: number): void {
  const mapped = datadogKeyFor(key);
  if (mapped === '' || mapped in span.metrics) return;
  const target = mapped === 'sampling.priority' ? SAMPLING_PRIORITY_KEY : mapped;
  if (!(target in span.metrics)) span.metrics[target] = value;
}

function copyAttribute(span: Span, key: string, value: AnyValue): void {
  if (value.kind === 'double') setMetricIfUnset(span, key, value.value);
  else if (value.kind === 'int') setMetricIfUnset(span, key, Number(BigInt.asIntN(64, value.value)));
  else setMetaIfUnset(span, key, asString(value));
}

/** `transform.Status2Error`: 1 on an ERROR status, with error.msg/type/stack from the exception event or the status. */
function statusToError(status: SpanStatus, events: readonly SpanEvent[], meta: Record<string, string>): number {
  if (status.code !== STATUS_CODE_ERROR) return 0;
  for (const event of events) {
    if (event.name.toLowerCase() !== 'exception') continue;
    const attributes = new AttributeMap(event.attributes);
    const message = attributes.get('exception.message');
    if (message !== undefined) meta['error.msg'] = asString(message);
    const type = attributes.get('exception.type');
    if (type !== undefined) meta['error.type'] = asString(type);
    const stack = attributes.get('exception.stacktrace');
    if (stack !== undefined) meta['error.stack'] = asString(stack);
  }
  if (!('error.msg' in meta)) {
    if (status.message !== '') meta['error.msg'] = status.message;
    else {
      const code = meta['http.response.status_code'] || meta['http.status_code'];
      if (code) meta['error.msg'] = meta['http.status_text'] !== undefined ? `${code} ${meta['http.status_text']}` : code;
    }
  }
  return 1;
}

export function convertSpan(otel: OtlpSpan, resource: AttributeMap, scope: InstrumentationScope, options: SpanMappingOptions): Span {
  const attributes = new AttributeMap(otel.attributes);
  const naming: NamingInput = { span: attributes, resource, kind: otel.kind, name: otel.name };
  const kind = otel.kind;
  const start = BigInt.asIntN(64, otel.startTimeUnixNano);
  const end = BigInt.asIntN(64, otel.endTimeUnixNano);
  const span: Span = {
    service: either(attributes, resource, true, DD_KEYS.service),
    name: either(attributes, resource, true, DD_KEYS.operationName),
    resource: either(attributes, resource, true, DD_KEYS.resourceName),
    type: either(attributes, resource, true, DD_KEYS.spanType),
    traceId: uint64Of(otel.traceId, 8),
    spanId: uint64Of(otel.spanId),
    parentId: uint64Of(otel.parentSpanId),
    start,
    duration: end > start ? Number(end - start) : 0,
    error: 0,
    meta: {},
    metrics: {},
  };
  const ddError = attributes.get(DD_KEYS.error);
  if (ddError !== undefined) span.error = Number(BigInt.asIntN(32, asInt(ddError)));
  else if (otel.status.code === STATUS_CODE_ERROR) span.error = 1;
  const ddKind = either(attributes, resource, true, DD_KEYS.spanKind);
  if (ddKind) span.meta['span.kind'] = ddKind;

  span.service ||= serviceOf(naming);
  if (options.operationAndResourceNameV1) {
    span.name ||= operationNameV1(naming, scope.name, options.spanNameAsResourceName, options.spanNameRemappings);
    span.resource ||= resourceNameV1(naming);
  } else {
    span.name ||= operationNameV2(naming);
    span.resource ||= resourceNameV2(naming);
  }
  span.type ||= spanTypeOf(naming);
  span.meta['span.kind'] ??= spanKindName(kind);

  const statusCode = httpStatusCodeOf(naming);
  if (statusCode !== 0) span.metrics['http.status_code'] = statusCode;
  if (options.computeTopLevelBySpanKind && (span.parentId === 0n || kind === SPAN_KIND_SERVER || kind === SPAN_KIND_CONSUMER)) {
    span.metrics[TOP_LEVEL_KEY] = 1;
  }
  if (either(attributes, resource, false, MEASURED_KEY) === '1') span.metrics[MEASURED_KEY] = 1;
  else if (options.computeTopLevelBySpanKind && (kind === SPAN_KIND_CLIENT || kind === SPAN_KIND_PRODUCER)) span.metrics[MEASURED_KEY] = 1;

  for (const [ddKey, metaKey] of DD_KEYS_TO_META) {
    for (const map of [attributes, resource]) {
      const value = map.first(false, ddKey);
      if (value) span.meta[metaKey] = value;
    }
  }
  for (const [key, value] of attributes.entries()) copyAttribute(span, key, value);

  span.meta['otel.trace_id'] = hexId(otel.traceId, 16);
  if (!('version' in span.meta)) {
    const version = either(attributes, resource, true, DD_KEYS.version) || either(attributes, resource, true, 'service.version');
    if (version) span.meta.version = version;
  }
  if (otel.events.length > 0) span.meta.events = marshalEvents(otel.events);
  if (otel.events.some((e) => e.name === 'exception')) span.meta['_dd.span_events.has_exception'] = 'true';
  if (otel.links.length > 0) span.meta['_dd.span_links'] = marshalLinks(otel.links);
  if (otel.traceState !== '') span.meta['w3c.tracestate'] = otel.traceState;
  if (scope.name !== '') span.meta['otel.library.name'] = scope.name;
  if (scope.version !== '') span.meta['otel.library.version'] = scope.version;
  span.meta['otel.status_code'] = statusCodeString(otel.status.code);
  if (otel.status.message !== '') span.meta['otel.status_description'] = otel.status.message;

  if (!('error.msg' in span.meta) || !('error.type' in span.meta) || !('error.stack' in span.meta)) {
    span.error = statusToError(otel.status, otel.events, span.meta);
  }
  if (!('env' in span.meta)) {
    const env = either(attributes, resource, true, DD_KEYS.env) || either(attributes, resource, true, 'deployment.environment.name', 'deployment.environment');
    if (env) span.meta.env = env;
  }
  // Resource attributes all land in meta as strings, under span attributes of the same key.
  for (const [key, value] of resource.entries()) setMetaIfUnset(span, key, asString(value));
  for (const kv of scope.attributes) span.meta[kv.key] = asString(kv.value);
  if (!('db.name' in span.meta)) {
    const namespace = either(resource, attributes, false, 'db.namespace');
    if (namespace) span.meta['db.name'] = namespace;
  }
  return span;
}

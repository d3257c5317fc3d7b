// Bodies of /v0.3/traces, /v0.4/traces (msgpack or JSON) and /v0.5/traces (string table) to spans.
import { Decoder } from '@msgpack/msgpack';
import { DecodeError } from './decode-error.js';
import type { Span } from './span.js';
import { toBytesMap, toInt64, toNumber, toNumberMap, toStringMap, toText, toUint64 } from './span-fields.js';
import { decodeKey } from './utf8.js';

// Raw strings and our own key decoder so invalid UTF-8 becomes U+FFFD as in the trace-agent, in
// values and map keys alike; bigints so 64-bit ids stay exact.
const msgpack = new Decoder({
  useBigInt64: true,
  rawStrings: true,
  keyDecoder: { canBeCached: () => true, decode: (bytes, offset, length) => decodeKey(bytes, offset, offset + length) },
});

function decodeMsgpack(body: Uint8Array): unknown {
  try {
    return msgpack.decode(body);
  } catch (error) {
    throw new DecodeError(`not msgpack: ${(error as Error).message}`);
  }
}

const BIG_INTEGER_FIELDS = /"(trace_id|span_id|parent_id|start|duration)"(\s*):(\s*)(-?\d{16,})/g;

function decodeJson(body: Uint8Array): unknown {
  // Quote the 64-bit fields first: JSON.parse would round them to the nearest double.
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8').replace(BIG_INTEGER_FIELDS, '"$1"$2:$3"$4"');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`not JSON: ${(error as Error).message}`);
  }
}

function spanFromMap(value: unknown, at: string): Span {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new DecodeError(`${at}: a span must be a map`);
  }
  const s = value as Record<string, unknown>;
  const span: Span = {
    service: toText(s.service, 'service'),
    name: toText(s.name, 'name'),
    resource: toText(s.resource, 'resource'),
    traceId: toUint64(s.trace_id, 'trace_id'),
    spanId: toUint64(s.span_id, 'span_id'),
    parentId: toUint64(s.parent_id, 'parent_id'),
    start: toInt64(s.start, 'start'),
    duration: toNumber(s.duration, 'duration'),
    error: toNumber(s.error, 'error') | 0,
    meta: toStringMap(s.meta, 'meta'),
    metrics: toNumberMap(s.metrics, 'metrics'),
    type: toText(s.type, 'type'),
  };
  const metaStruct = toBytesMap(s.meta_struct);
  if (metaStruct) span.metaStruct = metaStruct;
  return span;
}

function tracesOf(root: unknown, read: (span: unknown, at: string) => Span): Span[][] {
  if (!Array.isArray(root)) throw new DecodeError('payload must be an array of traces');
  const traces: Span[][] = [];
  for (let t = 0; t < root.length; t++) {
    const trace = root[t];
    if (!Array.isArray(trace)) throw new DecodeError(`trace ${t} must be an array of spans`);
    if (trace.length === 0) continue;
    const spans: Span[] = new Array(trace.length);
    for (let i = 0; i < trace.length; i++) spans[i] = read(trace[i], `trace ${t} span ${i}`);
    traces.push(spans);
  }
  return traces;
}

/** v0.3 and v0.4: an array of traces, each an array of span maps. */
export function decodeV04(body: Uint8Array, contentType: string | undefined): Span[][] {
  const json = contentType !== undefined && contentType.toLowerCase().includes('json');
  return tracesOf(json ? decodeJson(body) : decodeMsgpack(body), spanFromMap);
}

/** v0.5: `[strings, traces]`, each span a 12-element array whose strings are indexes into `strings`. */
export function decodeV05(body: Uint8Array): Span[][] {
  const root = decodeMsgpack(body);
  if (!Array.isArray(root) || root.length !== 2 || !Array.isArray(root[0])) {
    throw new DecodeError('v0.5 payload must be [strings, traces]');
  }
  const table = (root[0] as unknown[]).map((s, i) => toText(s, `string ${i}`));
  const lookup = (index: unknown, field: string): string => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= table.length) {
      throw new DecodeError(`${field}: string index ${String(index)} is outside the table of ${table.length}`);
    }
    return table[index]!;
  };
  const mapOf = <V>(value: unknown, field: string, readValue: (v: unknown) => V | undefined): Record<string, V> => {
    const out: Record<string, V> = {};
    if (value === undefined || value === null) return out;
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) throw new DecodeError(`${field}: expected a map`);
    for (const key in value as Record<string, unknown>) {
      const v = readValue((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[lookup(Number(key), field)] = v;
    }
    return out;
  };
  return tracesOf(root[1], (value, at) => {
    if (!Array.isArray(value) || value.length !== 12) throw new DecodeError(`${at}: a v0.5 span is an array of 12`);
    return {
      service: lookup(value[0], 'service'),
      name: lookup(value[1], 'name'),
      resource: lookup(value[2], 'resource'),
      traceId: toUint64(value[3], 'trace_id'),
      spanId: toUint64(value[4], 'span_id'),
      parentId: toUint64(value[5], 'parent_id'),
      start: toInt64(value[6], 'start'),
      duration: toNumber(value[7], 'duration'),
      error: toNumber(value[8], 'error') | 0,
      meta: mapOf(value[9], 'meta', (v) => lookup(v, 'meta value')),
      metrics: mapOf(value[10], 'metrics', (v) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined)),
      type: lookup(value[11], 'type'),
    };
  });
}

// AnyValue rendered as pdata renders it, for both OTLP translators: `AsString` for tags and meta,
// `AsRaw` marshalled as Go's encoding/json for event attributes — as in the Datadog Agent.
import type { AnyValue } from './model.js';

/** Go's json string escaping: JSON.stringify plus the HTML-safe escapes (<, >, &, U+2028, U+2029). */
export function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `json.Marshal(v.AsRaw())`, or undefined where Go's marshal fails (NaN, ±Inf). */
export function rawJson(value: AnyValue, depth = 0): string | undefined {
  // Nesting is bounded by the decoder; this stops a hand-built cycle-free monster from blowing the stack.
  if (depth > 64) return undefined;
  switch (value.kind) {
    case 'string':
      return goJsonString(value.value);
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'int':
      return BigInt.asIntN(64, value.value).toString();
    case 'double':
      return Number.isFinite(value.value) ? JSON.stringify(value.value) : undefined;
    case 'bytes':
      return goJsonString(Buffer.from(value.value).toString('base64'));
    case 'array': {
      const parts: string[] = [];
      for (const item of value.values) {
        const part = rawJson(item, depth + 1);
        if (part === undefined) return undefined;
        parts.push(part);
      }
      return `[${parts.join(',')}]`;
    }
    case 'kvlist': {
      // A Go map: the last duplicate wins and keys come out sorted.
      const entries = new Map<string, AnyValue>();
      for (const kv of value.values) entries.set(kv.key, kv.value);
      const parts: string[] = [];
      for (const key of [...entries.keys()].sort(byUtf8)) {
        const part = rawJson(entries.get(key)!, depth + 1);
        if (part === undefined) return undefined;
        parts.push(`${goJsonString(key)}:${part}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'empty':
      return 'null';
  }
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64) for the values JSON cannot hold. */
function goSpecialFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** pcommon `Value.AsString`. */
export function asString(value: AnyValue): string {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'int':
      return BigInt.asIntN(64, value.value).toString();
    case 'double':
      // ES6 number-to-string is what pdata imitates for finite doubles.
      return Number.isFinite(value.value) ? String(value.value) : `json: unsupported value: ${goSpecialFloat(value.value)}`;
    case 'bytes':
      return Buffer.from(value.value).toString('base64');
    case 'array':
    case 'kvlist':
      return rawJson(value) ?? '';
    case 'empty':
      return '';
  }
}

/** pcommon `Value.Int()`: the int64 of an int value, 0 for every other kind. */
export function asInt(value: AnyValue): bigint {
  return value.kind === 'int' ? BigInt.asIntN(64, value.value) : 0n;
}

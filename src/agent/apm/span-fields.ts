// Lenient field readers shared by the v0.3/v0.4/v0.5 decoders: nil is the zero value, as in the trace-agent.
import { DecodeError } from './decode-error.js';
import { decodeUtf8 } from './utf8.js';

export function toText(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return decodeUtf8(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new DecodeError(`${field}: expected a string`);
}

function toBigInt(value: unknown, field: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DecodeError(`${field}: not a finite number`);
    return BigInt(Math.trunc(value));
  }
  // JSON payloads: big integers arrive quoted (see decode-json.ts) so they stay exact.
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return BigInt(value);
  throw new DecodeError(`${field}: expected an integer`);
}

export function toUint64(value: unknown, field: string): bigint {
  return BigInt.asUintN(64, toBigInt(value, field));
}

export function toInt64(value: unknown, field: string): bigint {
  return BigInt.asIntN(64, toBigInt(value, field));
}

export function toNumber(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  throw new DecodeError(`${field}: expected a number`);
}

export function toStringMap(value: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) throw new DecodeError(`${field}: expected a map`);
  for (const key in value as Record<string, unknown>) out[key] = toText((value as Record<string, unknown>)[key], field);
  return out;
}

export function toNumberMap(value: unknown, field: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) throw new DecodeError(`${field}: expected a map`);
  for (const key in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[key];
    // The trace-agent refuses the payload on a non-numeric metric; a single bad tag is not worth that here.
    if (typeof v === 'number' && !Number.isNaN(v)) out[key] = v;
    else if (typeof v === 'bigint') out[key] = Number(v);
  }
  return out;
}

export function toBytesMap(value: unknown): Record<string, Uint8Array> | undefined {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, Uint8Array> = {};
  let any = false;
  for (const key in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[key];
    if (v instanceof Uint8Array) {
      out[key] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

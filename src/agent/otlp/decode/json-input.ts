// OTLP/JSON value readers: the proto3 JSON mapping with OTLP's deviations (hex trace/span ids, integer
// enums), lowerCamelCase keys with the proto names accepted too, 64-bit integers as strings or numbers.
import { DecodeError } from './decode-error.js';
import { DEFAULT_DECODE_LIMITS, ElementBudget, type DecodeLimits } from './limits.js';
import { EMPTY_BYTES } from './proto-input.js';

export type JsonObject = Record<string, unknown>;

export interface JsonInput {
  readonly budget: ElementBudget;
  readonly maxDepth: number;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: false });

/** Parses `body` as JSON and runs `decode` over the top-level object. */
export function decodeJson<T>(body: Uint8Array, what: string, limits: DecodeLimits | undefined, decode: (input: JsonInput, root: JsonObject) => T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch (error) {
    throw new DecodeError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  const root = object(parsed, what);
  const effective = limits ?? DEFAULT_DECODE_LIMITS;
  return decode({ budget: new ElementBudget(effective), maxDepth: effective.maxAnyValueDepth }, root ?? {});
}

/** A field by its JSON name, or by its proto name as receivers also accept. */
export function field(o: JsonObject, camel: string, snake?: string): unknown {
  const v = o[camel];
  return v === undefined && snake !== undefined ? o[snake] : v;
}

export function object(v: unknown, what: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new DecodeError(`${what}: expected an object`);
  return v as JsonObject;
}

export function array(v: unknown, what: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError(`${what}: expected an array`);
  return v;
}

export function string(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new DecodeError(`${what}: expected a string`);
  return v;
}

export function bool(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new DecodeError(`${what}: expected true or false`);
  return v;
}

const INTEGER = /^-?\d+$/;

/** int32/uint32/enum fields: a JSON integer, or its decimal string; enum names when `names` knows them. */
export function int32(v: unknown, what: string, names?: Readonly<Record<string, number>>): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    if (INTEGER.test(v)) return Number(v);
    const named = names?.[v];
    if (named !== undefined) return named;
  }
  throw new DecodeError(`${what}: expected an integer`);
}

/** 64-bit integer fields: decimal strings or JSON numbers. */
export function int64(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && INTEGER.test(v) && v.length <= 21) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new DecodeError(`${what}: expected a 64-bit integer`);
}

/** Counts (fixed64/uint64) as numbers, exact up to 2^53. */
export function count(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return Number(int64(v, what));
}

/** double fields: a JSON number, or "NaN", "Infinity", "-Infinity", or a numeric string. */
export function double(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isNaN(n)) return n;
  }
  throw new DecodeError(`${what}: expected a number`);
}

export function optionalDouble(v: unknown, what: string): number | undefined {
  return v === undefined || v === null ? undefined : double(v, what);
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** traceId / spanId: hex, as OTLP/JSON writes them (not base64). */
export function hexBytes(v: unknown, what: string): Uint8Array {
  const s = string(v, what);
  if (s === '') return EMPTY_BYTES;
  if (!HEX.test(s)) throw new DecodeError(`${what}: expected a hex string`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** Other bytes fields: base64, standard or URL-safe, padded or not. */
export function base64Bytes(v: unknown, what: string): Uint8Array {
  const s = string(v, what);
  if (s === '') return EMPTY_BYTES;
  if (!BASE64.test(s)) throw new DecodeError(`${what}: expected base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

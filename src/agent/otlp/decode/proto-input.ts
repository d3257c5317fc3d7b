// The protobuf wire reading shared by the OTLP message decoders: bounded sub-messages, typed fields
// read with their wire type checked, packed/unpacked repeated scalars, and every reader failure
// turned into a DecodeError.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { DecodeError } from './decode-error.js';
import { DEFAULT_DECODE_LIMITS, ElementBudget, type DecodeLimits } from './limits.js';

/** One body being decoded: the reader over it and the budget of objects it may still produce. */
export interface ProtoInput {
  readonly r: BinaryReader;
  readonly budget: ElementBudget;
  readonly maxDepth: number;
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export { WireType };

/** Runs `decode` over `body`, reporting any malformation (truncation, bad varint, overrun) as a DecodeError. */
export function decodeProto<T>(body: Uint8Array, what: string, limits: DecodeLimits | undefined, decode: (input: ProtoInput) => T): T {
  // A plain Uint8Array view: sub-arrays of a Buffer would share (and pin) Node's buffer pool.
  const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const effective = limits ?? DEFAULT_DECODE_LIMITS;
  const input: ProtoInput = { r: new BinaryReader(bytes), budget: new ElementBudget(effective), maxDepth: effective.maxAnyValueDepth };
  try {
    return decode(input);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    throw new DecodeError(`${what} is not valid protobuf: ${(error as Error).message}`);
  }
}

/** Reads a length prefix and returns where that sub-message ends, within `end` of its parent. */
function subEnd(r: BinaryReader, end: number): number {
  const length = r.uint32();
  const subEnd = r.pos + length;
  if (subEnd > end) throw new DecodeError('a length-delimited field runs past the end of its message');
  return subEnd;
}

/** After a message's fields: the last field must end exactly at the message's end. */
export function checkEnd(r: BinaryReader, end: number): void {
  if (r.pos !== end) throw new DecodeError('a field runs past the end of its message');
}

function expectWire(actual: WireType, expected: WireType, field: string): void {
  if (actual !== expected) throw new DecodeError(`${field} has wire type ${actual}, expected ${expected}`);
}

// One field of a known type: checks the wire type against the schema, then reads the value.

/** A length-delimited sub-message's field: returns where the sub-message ends, within `end`. */
export function sub(r: BinaryReader, wt: WireType, end: number, field: string): number {
  expectWire(wt, WireType.LengthDelimited, field);
  return subEnd(r, end);
}

export function string(r: BinaryReader, wt: WireType, field: string): string {
  expectWire(wt, WireType.LengthDelimited, field);
  return r.string();
}

export function bytes(r: BinaryReader, wt: WireType, field: string): Uint8Array {
  expectWire(wt, WireType.LengthDelimited, field);
  return bytesCopy(r);
}

export function bool(r: BinaryReader, wt: WireType, field: string): boolean {
  expectWire(wt, WireType.Varint, field);
  return r.bool();
}

export function int32(r: BinaryReader, wt: WireType, field: string): number {
  expectWire(wt, WireType.Varint, field);
  return r.int32();
}

export function uint32(r: BinaryReader, wt: WireType, field: string): number {
  expectWire(wt, WireType.Varint, field);
  return r.uint32();
}

export function sint32(r: BinaryReader, wt: WireType, field: string): number {
  expectWire(wt, WireType.Varint, field);
  return r.sint32();
}

export function int64(r: BinaryReader, wt: WireType, field: string): bigint {
  expectWire(wt, WireType.Varint, field);
  return BigInt(r.int64());
}

export function fixed32(r: BinaryReader, wt: WireType, field: string): number {
  expectWire(wt, WireType.Bit32, field);
  return r.fixed32();
}

export function fixed64(r: BinaryReader, wt: WireType, field: string): bigint {
  expectWire(wt, WireType.Bit64, field);
  return BigInt(r.fixed64());
}

export function sfixed64(r: BinaryReader, wt: WireType, field: string): bigint {
  expectWire(wt, WireType.Bit64, field);
  return BigInt(r.sfixed64());
}

export function double(r: BinaryReader, wt: WireType, field: string): number {
  expectWire(wt, WireType.Bit64, field);
  return r.double();
}

/** Skips a field this decoder does not read (unknown, reserved, or not in the model). */
export function skipField(r: BinaryReader, wireType: WireType, field: number): void {
  if (wireType === WireType.EndGroup) throw new DecodeError(`unexpected end-group tag for field ${field}`);
  r.skip(wireType, field, 16);
}

/** `bytes`, copied so the decoded model does not pin the request body. */
function bytesCopy(r: BinaryReader): Uint8Array {
  const view = r.bytes();
  return view.length === 0 ? EMPTY_BYTES : view.slice();
}

/** Appends a repeated fixed64 field's values, packed or not, as numbers. */
export function readFixed64s(r: BinaryReader, wireType: WireType, end: number, out: number[], field: string): void {
  if (wireType === WireType.Bit64) {
    out.push(Number(r.fixed64()));
    return;
  }
  const stop = sub(r, wireType, end, field);
  if ((stop - r.pos) % 8 !== 0) throw new DecodeError(`${field} packed length is not a multiple of 8`);
  while (r.pos < stop) out.push(Number(r.fixed64()));
}

/** Appends a repeated double field's values, packed or not. */
export function readDoubles(r: BinaryReader, wireType: WireType, end: number, out: number[], field: string): void {
  if (wireType === WireType.Bit64) {
    out.push(r.double());
    return;
  }
  const stop = sub(r, wireType, end, field);
  if ((stop - r.pos) % 8 !== 0) throw new DecodeError(`${field} packed length is not a multiple of 8`);
  while (r.pos < stop) out.push(r.double());
}

/** Appends a repeated uint64 (varint) field's values, packed or not, as numbers. */
export function readUint64s(r: BinaryReader, wireType: WireType, end: number, out: number[], field: string): void {
  if (wireType === WireType.Varint) {
    out.push(Number(r.uint64()));
    return;
  }
  const stop = sub(r, wireType, end, field);
  while (r.pos < stop) out.push(Number(r.uint64()));
  checkEnd(r, stop);
}

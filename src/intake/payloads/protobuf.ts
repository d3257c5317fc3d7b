// Field-by-field protobuf reading with the wire types checked, so a wrong body is a PayloadError.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { PayloadError } from './payload-error.js';

export { BinaryReader, WireType };

/** Calls `visit` for every field of the message in `bytes`; `visit` returns false to skip the field. */
export function readFields(bytes: Uint8Array, what: string, visit: (field: number, wireType: WireType, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  try {
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (!visit(field, wireType, reader)) reader.skip(wireType, field);
    }
  } catch (error) {
    if (error instanceof PayloadError) throw error;
    throw new PayloadError(`${what}: malformed protobuf (${(error as Error).message})`);
  }
}

/** Refuses a field whose wire type is not the one its declaration implies. */
export function expectWire(actual: WireType, expected: WireType, what: string): void {
  if (actual !== expected) throw new PayloadError(`${what}: wire type ${actual}, expected ${expected}`);
}

/** Reads a repeated scalar field, packed (length-delimited) or not. */
export function readRepeated(reader: BinaryReader, wireType: WireType, scalarWire: WireType, readOne: () => number, into: number[]): void {
  if (wireType !== WireType.LengthDelimited) {
    expectWire(wireType, scalarWire, 'repeated field');
    into.push(readOne());
    return;
  }
  const end = reader.uint32() + reader.pos;
  if (end > reader.len) throw new PayloadError('packed field runs past the end of its message');
  while (reader.pos < end) into.push(readOne());
}

/** Reads one `map<string, V>` entry (key = 1, value = 2) into `into`. */
export function readMapEntry<V>(bytes: Uint8Array, what: string, readValue: (reader: BinaryReader, wireType: WireType) => V, fallback: V, into: Record<string, V>): void {
  let key = '';
  let value = fallback;
  readFields(bytes, what, (field, wireType, reader) => {
    if (field === 1) key = readString(reader, wireType, `${what} key`);
    else if (field === 2) value = readValue(reader, wireType);
    else return false;
    return true;
  });
  into[key] = value;
}

/** A string field, its wire type checked. */
export function readString(reader: BinaryReader, wireType: WireType, what: string): string {
  expectWire(wireType, WireType.LengthDelimited, what);
  return reader.string();
}

export function int64String(value: bigint | string): string {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** An int64 as a JS number; exact below 2^53, which covers counts and timestamps in seconds. */
export function int64Number(value: bigint | string): number {
  return Number(value);
}

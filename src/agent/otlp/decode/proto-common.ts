// opentelemetry.proto.common.v1 and resource.v1 from the wire: AnyValue, KeyValue, InstrumentationScope, Resource.
import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../model.js';
import { DecodeError } from './decode-error.js';
import { bytesCopy, checkEnd, expectWire, skipField, subEnd, WireType, type ProtoInput } from './proto-input.js';

export const NO_ATTRIBUTES: readonly KeyValue[] = Object.freeze([]);
export const EMPTY_VALUE: AnyValue = Object.freeze({ kind: 'empty' });
export const EMPTY_RESOURCE: Resource = Object.freeze({ attributes: NO_ATTRIBUTES });
export const EMPTY_SCOPE: InstrumentationScope = Object.freeze({ name: '', version: '', attributes: NO_ATTRIBUTES });

/** AnyValue ending at `end`; `depth` counts the arrays/kvlists around it. */
export function readAnyValue(input: ProtoInput, end: number, depth: number): AnyValue {
  const { r } = input;
  if (depth > input.maxDepth) throw new DecodeError(`AnyValue nested deeper than ${input.maxDepth} levels`);
  input.budget.take();
  let value: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    switch (field) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'AnyValue.string_value');
        value = { kind: 'string', value: r.string() };
        break;
      case 2:
        expectWire(wt, WireType.Varint, 'AnyValue.bool_value');
        value = { kind: 'bool', value: r.bool() };
        break;
      case 3:
        expectWire(wt, WireType.Varint, 'AnyValue.int_value');
        value = { kind: 'int', value: BigInt(r.int64()) };
        break;
      case 4:
        expectWire(wt, WireType.Bit64, 'AnyValue.double_value');
        value = { kind: 'double', value: r.double() };
        break;
      case 5: {
        expectWire(wt, WireType.LengthDelimited, 'AnyValue.array_value');
        value = { kind: 'array', values: readArrayValue(input, subEnd(r, end), depth + 1) };
        break;
      }
      case 6: {
        expectWire(wt, WireType.LengthDelimited, 'AnyValue.kvlist_value');
        value = { kind: 'kvlist', values: readKeyValueList(input, subEnd(r, end), depth + 1) };
        break;
      }
      case 7:
        expectWire(wt, WireType.LengthDelimited, 'AnyValue.bytes_value');
        value = { kind: 'bytes', value: bytesCopy(r) };
        break;
      default:
        // string_value_strindex (8) indexes a profiles dictionary, which metrics and traces do not have.
        skipField(r, wt, field);
    }
  }
  checkEnd(r, end);
  return value;
}

function readArrayValue(input: ProtoInput, end: number, depth: number): AnyValue[] {
  const { r } = input;
  const values: AnyValue[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) {
      expectWire(wt, WireType.LengthDelimited, 'ArrayValue.values');
      values.push(readAnyValue(input, subEnd(r, end), depth));
    } else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return values;
}

function readKeyValueList(input: ProtoInput, end: number, depth: number): KeyValue[] {
  const { r } = input;
  const values: KeyValue[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) {
      expectWire(wt, WireType.LengthDelimited, 'KeyValueList.values');
      values.push(readKeyValue(input, subEnd(r, end), depth));
    } else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return values;
}

export function readKeyValue(input: ProtoInput, end: number, depth: number): KeyValue {
  const { r } = input;
  input.budget.take();
  let key = '';
  let value: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) {
      expectWire(wt, WireType.LengthDelimited, 'KeyValue.key');
      key = r.string();
    } else if (field === 2) {
      expectWire(wt, WireType.LengthDelimited, 'KeyValue.value');
      value = readAnyValue(input, subEnd(r, end), depth);
    } else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { key, value };
}

/** Appends one element of a `repeated KeyValue attributes` field. */
export function pushAttribute(input: ProtoInput, wt: WireType, end: number, out: KeyValue[], field: string): void {
  expectWire(wt, WireType.LengthDelimited, field);
  out.push(readKeyValue(input, subEnd(input.r, end), 0));
}

export function readResource(input: ProtoInput, end: number): Resource {
  const { r } = input;
  const attributes: KeyValue[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) pushAttribute(input, wt, end, attributes, 'Resource.attributes');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return attributes.length === 0 ? EMPTY_RESOURCE : { attributes };
}

export function readScope(input: ProtoInput, end: number): InstrumentationScope {
  const { r } = input;
  let name = '';
  let version = '';
  const attributes: KeyValue[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    switch (field) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'InstrumentationScope.name');
        name = r.string();
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'InstrumentationScope.version');
        version = r.string();
        break;
      case 3:
        pushAttribute(input, wt, end, attributes, 'InstrumentationScope.attributes');
        break;
      default:
        skipField(r, wt, field);
    }
  }
  checkEnd(r, end);
  return { name, version, attributes: attributes.length === 0 ? NO_ATTRIBUTES : attributes };
}

/** An attribute list as the model keeps it: the shared empty list when there are none. */
export function attributesOrNone(attributes: KeyValue[]): readonly KeyValue[] {
  return attributes.length === 0 ? NO_ATTRIBUTES : attributes;
}

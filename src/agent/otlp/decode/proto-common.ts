// opentelemetry.proto.common.v1 and resource.v1 from the wire: AnyValue, KeyValue, InstrumentationScope, Resource.
import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../model.js';
import { DecodeError } from './decode-error.js';
import { bool, bytes, checkEnd, double, int64, skipField, string, sub, type ProtoInput, type WireType } from './proto-input.js';

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
    if (field === 1) value = { kind: 'string', value: string(r, wt, 'AnyValue.string_value') };
    else if (field === 2) value = { kind: 'bool', value: bool(r, wt, 'AnyValue.bool_value') };
    else if (field === 3) value = { kind: 'int', value: int64(r, wt, 'AnyValue.int_value') };
    else if (field === 4) value = { kind: 'double', value: double(r, wt, 'AnyValue.double_value') };
    else if (field === 5) value = { kind: 'array', values: readArrayValue(input, sub(r, wt, end, 'AnyValue.array_value'), depth + 1) };
    else if (field === 6) value = { kind: 'kvlist', values: readKeyValueList(input, sub(r, wt, end, 'AnyValue.kvlist_value'), depth + 1) };
    else if (field === 7) value = { kind: 'bytes', value: bytes(r, wt, 'AnyValue.bytes_value') };
    // string_value_strindex (8) indexes a profiles dictionary, which metrics and traces do not have.
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return value;
}

function readArrayValue(input: ProtoInput, end: number, depth: number): AnyValue[] {
  const { r } = input;
  const values: AnyValue[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) values.push(readAnyValue(input, sub(r, wt, end, 'ArrayValue.values'), depth));
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return values;
}

function readKeyValueList(input: ProtoInput, end: number, depth: number): KeyValue[] {
  const { r } = input;
  const values: KeyValue[] = [];
  while (r.pos < end) {
    const [field, wt] = r.tag();
    if (field === 1) values.push(readKeyValue(input, sub(r, wt, end, 'KeyValueList.values'), depth));
    else skipField(r, wt, field);
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
    if (field === 1) key = string(r, wt, 'KeyValue.key');
    else if (field === 2) value = readAnyValue(input, sub(r, wt, end, 'KeyValue.value'), depth);
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { key, value };
}

/** Appends one element of a `repeated KeyValue attributes` field. */
export function pushAttribute(input: ProtoInput, wt: WireType, end: number, out: KeyValue[], field: string): void {
  out.push(readKeyValue(input, sub(input.r, wt, end, field), 0));
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
    if (field === 1) name = string(r, wt, 'InstrumentationScope.name');
    else if (field === 2) version = string(r, wt, 'InstrumentationScope.version');
    else if (field === 3) pushAttribute(input, wt, end, attributes, 'InstrumentationScope.attributes');
    else skipField(r, wt, field);
  }
  checkEnd(r, end);
  return { name, version, attributes: attributesOrNone(attributes) };
}

/** An attribute list as the model keeps it: the shared empty list when there are none. */
export function attributesOrNone(attributes: KeyValue[]): readonly KeyValue[] {
  return attributes.length === 0 ? NO_ATTRIBUTES : attributes;
}

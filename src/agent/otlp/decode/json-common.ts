// opentelemetry.proto.common.v1 and resource.v1 from OTLP/JSON: AnyValue, KeyValue, InstrumentationScope, Resource.
import type { AnyValue, InstrumentationScope, KeyValue, Resource } from '../model.js';
import { DecodeError } from './decode-error.js';
import { array, base64Bytes, bool, double, field, int64, object, string, type JsonInput, type JsonObject } from './json-input.js';
import { EMPTY_RESOURCE, EMPTY_SCOPE, EMPTY_VALUE, NO_ATTRIBUTES } from './proto-common.js';

export function anyValue(input: JsonInput, v: unknown, depth: number): AnyValue {
  if (depth > input.maxDepth) throw new DecodeError(`AnyValue nested deeper than ${input.maxDepth} levels`);
  input.budget.take();
  const o = object(v, 'AnyValue');
  if (o === undefined) return EMPTY_VALUE;
  let x: unknown;
  if ((x = field(o, 'stringValue', 'string_value')) !== undefined && x !== null) return { kind: 'string', value: string(x, 'AnyValue.stringValue') };
  if ((x = field(o, 'boolValue', 'bool_value')) !== undefined && x !== null) return { kind: 'bool', value: bool(x, 'AnyValue.boolValue') };
  if ((x = field(o, 'intValue', 'int_value')) !== undefined && x !== null) return { kind: 'int', value: int64(x, 'AnyValue.intValue') };
  if ((x = field(o, 'doubleValue', 'double_value')) !== undefined && x !== null) return { kind: 'double', value: double(x, 'AnyValue.doubleValue') };
  if ((x = field(o, 'arrayValue', 'array_value')) !== undefined && x !== null) {
    const values = array(object(x, 'AnyValue.arrayValue')?.values, 'ArrayValue.values').map((item) => anyValue(input, item, depth + 1));
    return { kind: 'array', values };
  }
  if ((x = field(o, 'kvlistValue', 'kvlist_value')) !== undefined && x !== null) {
    const values = array(object(x, 'AnyValue.kvlistValue')?.values, 'KeyValueList.values').map((item) => keyValue(input, item, depth + 1));
    return { kind: 'kvlist', values };
  }
  if ((x = field(o, 'bytesValue', 'bytes_value')) !== undefined && x !== null) return { kind: 'bytes', value: base64Bytes(x, 'AnyValue.bytesValue') };
  return EMPTY_VALUE;
}

function keyValue(input: JsonInput, v: unknown, depth: number): KeyValue {
  input.budget.take();
  const o = object(v, 'KeyValue') ?? {};
  return { key: string(o.key, 'KeyValue.key'), value: anyValue(input, o.value, depth) };
}

export function attributes(input: JsonInput, v: unknown, what: string): readonly KeyValue[] {
  const items = array(v, what);
  if (items.length === 0) return NO_ATTRIBUTES;
  return items.map((item) => keyValue(input, item, 0));
}

export function resource(input: JsonInput, v: unknown): Resource {
  const o = object(v, 'Resource');
  if (o === undefined) return EMPTY_RESOURCE;
  const list = attributes(input, o.attributes, 'Resource.attributes');
  return list.length === 0 ? EMPTY_RESOURCE : { attributes: list };
}

export function scope(input: JsonInput, v: unknown): InstrumentationScope {
  const o: JsonObject | undefined = object(v, 'InstrumentationScope');
  if (o === undefined) return EMPTY_SCOPE;
  return {
    name: string(o.name, 'InstrumentationScope.name'),
    version: string(o.version, 'InstrumentationScope.version'),
    attributes: attributes(input, o.attributes, 'InstrumentationScope.attributes'),
  };
}

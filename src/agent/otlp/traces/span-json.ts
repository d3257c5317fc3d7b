// Span events and links serialised into meta (`events`, `_dd.span_links`) in the agent's JSON shapes.
import type { SpanEvent, SpanLink } from '../model.js';
import { asString, goJsonString, rawJson } from '../any-value.js';
import { AttributeMap } from './attribute-map.js';

export function hexId(bytes: Uint8Array, length: number): string {
  // pdata holds fixed-size ids; anything else reads as the empty (all-zero) id.
  if (bytes.length !== length) return '0'.repeat(length * 2);
  return Buffer.from(bytes).toString('hex');
}

/** `transform.MarshalEvents`: time_unix_nano, name, attributes (JSON values), dropped_attributes_count. */
export function marshalEvents(events: readonly SpanEvent[]): string {
  const out: string[] = [];
  for (const event of events) {
    const parts: string[] = [];
    if (event.timeUnixNano !== 0n) parts.push(`"time_unix_nano":${BigInt.asUintN(64, event.timeUnixNano)}`);
    if (event.name !== '') parts.push(`"name":${goJsonString(event.name)}`);
    const attributes = new AttributeMap(event.attributes);
    const fields: string[] = [];
    for (const [key, value] of attributes.entries()) fields.push(`${goJsonString(key)}:${rawJson(value) ?? '"redacted"'}`);
    if (fields.length > 0) parts.push(`"attributes":{${fields.join(',')}}`);
    if (event.droppedAttributesCount !== 0) parts.push(`"dropped_attributes_count":${event.droppedAttributesCount >>> 0}`);
    out.push(`{${parts.join(',')}}`);
  }
  return `[${out.join(',')}]`;
}

/** `transform.MarshalLinks`: trace_id (32 hex), span_id (16 hex), tracestate, attributes (strings), dropped_attributes_count. */
export function marshalLinks(links: readonly SpanLink[]): string {
  const out: string[] = [];
  for (const link of links) {
    let json = `{"trace_id":"${hexId(link.traceId, 16)}","span_id":"${hexId(link.spanId, 8)}"`;
    if (link.traceState !== '') json += `,"tracestate":${goJsonString(link.traceState)}`;
    const attributes = new AttributeMap(link.attributes);
    const fields: string[] = [];
    for (const [key, value] of attributes.entries()) fields.push(`${goJsonString(key)}:${goJsonString(asString(value))}`);
    if (fields.length > 0) json += `,"attributes":{${fields.join(',')}}`;
    if (link.droppedAttributesCount > 0) json += `,"dropped_attributes_count":${link.droppedAttributesCount >>> 0}`;
    out.push(`${json}}`);
  }
  return `[${out.join(',')}]`;
}

// Payload bodies in the intake's formats, split so each stays under the size limits.
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { AgentEvent, CheckRun, Serie, SketchSerie } from '../aggregator/payloads.js';
import { ENDPOINTS, PAYLOAD_LIMITS } from './endpoints.js';
import type { Payload } from './transport.js';

const gzip = promisify(gzipCallback);

export interface SplitLimits {
  readonly maxRawBytes: number;
  readonly maxCompressedBytes: number;
}

/**
 * Groups encoded items into bodies under maxRawBytes, gzips each, and halves any group whose
 * compressed body is still too big. A single item over the limits is dropped and counted.
 */
async function packed(
  items: Buffer[],
  wrap: (parts: Buffer[]) => Buffer,
  limits: SplitLimits,
  onTooBig: () => void,
): Promise<Buffer[]> {
  const groups: Buffer[][] = [];
  let group: Buffer[] = [];
  let size = 0;
  for (const item of items) {
    if (item.length > limits.maxRawBytes) {
      onTooBig();
      continue;
    }
    if (size + item.length + 64 > limits.maxRawBytes && group.length > 0) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(item);
    size += item.length + 1;
  }
  if (group.length > 0) groups.push(group);
  const bodies: Buffer[] = [];
  while (groups.length > 0) {
    const parts = groups.shift()!;
    const body = await gzip(wrap(parts));
    if (body.length <= limits.maxCompressedBytes) bodies.push(body);
    else if (parts.length === 1) onTooBig();
    else groups.unshift(parts.slice(0, parts.length >> 1), parts.slice(parts.length >> 1));
  }
  return bodies;
}

const jsonArray = (prefix: string, suffix: string) => (parts: Buffer[]): Buffer =>
  Buffer.concat([Buffer.from(prefix), ...parts.flatMap((p, i) => (i === 0 ? [p] : [COMMA, p])), Buffer.from(suffix)]);
const COMMA = Buffer.from(',');

export async function seriesPayloads(series: readonly Serie[], limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}): Promise<Payload[]> {
  const items = series.map((s) => Buffer.from(JSON.stringify(s)));
  const bodies = await packed(items, jsonArray('{"series":[', ']}'), limits, onTooBig);
  return bodies.map((body) => ({ path: ENDPOINTS.series, body, contentType: 'application/json', contentEncoding: 'gzip', kind: 'series' }));
}

export async function checkRunPayloads(checks: readonly CheckRun[], limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}): Promise<Payload[]> {
  const items = checks.map((c) => Buffer.from(JSON.stringify(c)));
  const bodies = await packed(items, jsonArray('[', ']'), limits, onTooBig);
  return bodies.map((body) => ({ path: ENDPOINTS.checkRuns, body, contentType: 'application/json', contentEncoding: 'gzip', kind: 'service_checks' }));
}

export async function eventPayloads(events: readonly AgentEvent[], hostname: string, limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}): Promise<Payload[]> {
  // The intake groups events by source type; one payload per source keeps that simple.
  const bySource = new Map<string, Buffer[]>();
  for (const event of events) {
    const source = event.source_type_name ?? 'api';
    const list = bySource.get(source) ?? [];
    list.push(Buffer.from(JSON.stringify(event)));
    bySource.set(source, list);
  }
  const payloads: Payload[] = [];
  for (const [source, items] of bySource) {
    const prefix = `{"apiKey":"","internalHostname":${JSON.stringify(hostname)},"events":{${JSON.stringify(source)}:[`;
    const bodies = await packed(items, jsonArray(prefix, ']}}'), limits, onTooBig);
    for (const body of bodies) payloads.push({ path: ENDPOINTS.events, body, contentType: 'application/json', contentEncoding: 'gzip', kind: 'events' });
  }
  return payloads;
}

/** One agent-payload `Sketch` message (field numbers of SketchPayload.Sketch / Dogsketch). */
export function encodeSketch(sketch: SketchSerie): Buffer {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).string(sketch.metric);
  w.tag(2, WireType.LengthDelimited).string(sketch.host);
  for (const tag of sketch.tags) w.tag(4, WireType.LengthDelimited).string(tag);
  for (const p of sketch.points) {
    w.tag(7, WireType.LengthDelimited).fork();
    w.tag(1, WireType.Varint).int64(p.ts);
    w.tag(2, WireType.Varint).int64(p.cnt);
    w.tag(3, WireType.Bit64).double(p.min);
    w.tag(4, WireType.Bit64).double(p.max);
    w.tag(5, WireType.Bit64).double(p.avg);
    w.tag(6, WireType.Bit64).double(p.sum);
    w.tag(7, WireType.LengthDelimited).fork();
    for (const k of p.k) w.sint32(k);
    w.join();
    w.tag(8, WireType.LengthDelimited).fork();
    for (const n of p.n) w.uint32(n);
    w.join();
    w.join();
  }
  return Buffer.from(w.finish());
}

/** Wraps an encoded Sketch as SketchPayload field 1 (repeated sketches). */
function sketchEntry(encoded: Buffer): Buffer {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).bytes(encoded);
  return Buffer.from(w.finish());
}

export async function sketchPayloads(sketches: readonly SketchSerie[], limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}): Promise<Payload[]> {
  const items = sketches.map((s) => sketchEntry(encodeSketch(s)));
  const bodies = await packed(items, (parts) => Buffer.concat(parts), limits, onTooBig);
  return bodies.map((body) => ({ path: ENDPOINTS.sketches, body, contentType: 'application/x-protobuf', contentEncoding: 'gzip', kind: 'sketches' }));
}

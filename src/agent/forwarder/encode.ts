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

/** Receives each payload as soon as it is compressed (the flusher hands it to the transport). */
export type PayloadHandler = (payload: Payload) => void;

/**
 * Groups encoded items into bodies under maxRawBytes, gzips each, and halves any group whose
 * compressed body is still too big. A single item over the limits is dropped and counted.
 * Items are encoded as they are grouped and each body goes to `emit` once compressed, so a
 * flush holds one group of raw items at a time, not the whole flush encoded.
 */
async function packed(
  items: Iterable<Buffer>,
  wrap: (parts: Buffer[]) => Buffer,
  limits: SplitLimits,
  onTooBig: () => void,
  emit: (body: Buffer) => void,
): Promise<void> {
  const compress = async (first: Buffer[]): Promise<void> => {
    const groups = [first];
    while (groups.length > 0) {
      const parts = groups.shift()!;
      const body = await gzip(wrap(parts));
      if (body.length <= limits.maxCompressedBytes) emit(body);
      else if (parts.length === 1) onTooBig();
      else groups.unshift(parts.slice(0, parts.length >> 1), parts.slice(parts.length >> 1));
    }
  };
  let group: Buffer[] = [];
  let size = 0;
  for (const item of items) {
    if (item.length > limits.maxRawBytes) {
      onTooBig();
      continue;
    }
    if (size + item.length + 64 > limits.maxRawBytes && group.length > 0) {
      await compress(group);
      group = [];
      size = 0;
    }
    group.push(item);
    size += item.length + 1;
  }
  if (group.length > 0) await compress(group);
}

/** Payloads to `onPayload` when given (then none are returned), else all returned. */
function collector(onPayload: PayloadHandler | undefined): { push: PayloadHandler; payloads: Payload[] } {
  const payloads: Payload[] = [];
  return { push: onPayload ?? ((payload) => payloads.push(payload)), payloads };
}

function* encoded<T>(items: readonly T[], encode: (item: T) => Buffer): Generator<Buffer> {
  for (const item of items) yield encode(item);
}

const jsonItem = (item: unknown): Buffer => Buffer.from(JSON.stringify(item));

const jsonArray = (prefix: string, suffix: string) => (parts: Buffer[]): Buffer =>
  Buffer.concat([Buffer.from(prefix), ...parts.flatMap((p, i) => (i === 0 ? [p] : [COMMA, p])), Buffer.from(suffix)]);
const COMMA = Buffer.from(',');

export async function seriesPayloads(series: readonly Serie[], limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}, onPayload?: PayloadHandler): Promise<Payload[]> {
  const out = collector(onPayload);
  await packed(encoded(series, jsonItem), jsonArray('{"series":[', ']}'), limits, onTooBig, (body) =>
    out.push({ path: ENDPOINTS.series, body, contentType: 'application/json', contentEncoding: 'gzip', kind: 'series' }),
  );
  return out.payloads;
}

export async function checkRunPayloads(checks: readonly CheckRun[], limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}, onPayload?: PayloadHandler): Promise<Payload[]> {
  const out = collector(onPayload);
  await packed(encoded(checks, jsonItem), jsonArray('[', ']'), limits, onTooBig, (body) =>
    out.push({ path: ENDPOINTS.checkRuns, body, contentType: 'application/json', contentEncoding: 'gzip', kind: 'service_checks' }),
  );
  return out.payloads;
}

export async function eventPayloads(events: readonly AgentEvent[], hostname: string, limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}, onPayload?: PayloadHandler): Promise<Payload[]> {
  // The intake groups events by source type; one payload per source keeps that simple.
  const bySource = new Map<string, AgentEvent[]>();
  for (const event of events) {
    const source = event.source_type_name ?? 'api';
    const list = bySource.get(source) ?? [];
    list.push(event);
    bySource.set(source, list);
  }
  const out = collector(onPayload);
  for (const [source, items] of bySource) {
    const prefix = `{"apiKey":"","internalHostname":${JSON.stringify(hostname)},"events":{${JSON.stringify(source)}:[`;
    await packed(encoded(items, jsonItem), jsonArray(prefix, ']}}'), limits, onTooBig, (body) =>
      out.push({ path: ENDPOINTS.events, body, contentType: 'application/json', contentEncoding: 'gzip', kind: 'events' }),
    );
  }
  return out.payloads;
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

export async function sketchPayloads(sketches: readonly SketchSerie[], limits: SplitLimits = PAYLOAD_LIMITS, onTooBig = () => {}, onPayload?: PayloadHandler): Promise<Payload[]> {
  const out = collector(onPayload);
  await packed(encoded(sketches, (s) => sketchEntry(encodeSketch(s))), (parts) => Buffer.concat(parts), limits, onTooBig, (body) =>
    out.push({ path: ENDPOINTS.sketches, body, contentType: 'application/x-protobuf', contentEncoding: 'gzip', kind: 'sketches' }),
  );
  return out.payloads;
}

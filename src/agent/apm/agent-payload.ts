// AgentPayload protobuf (DataDog/agent-payload, pkg/proto/datadog/trace) written field by field.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { Span, TraceChunk, TracerPayload } from './span.js';

export interface AgentPayloadHeader {
  hostName: string;
  env: string;
  tags: Record<string, string>;
  agentVersion: string;
  targetTps: number;
  errorTps: number;
}

function text(w: BinaryWriter, field: number, value: string): void {
  if (value !== '') w.tag(field, WireType.LengthDelimited).string(value);
}

function stringMap(w: BinaryWriter, field: number, map: Record<string, string>): void {
  for (const key in map) {
    w.tag(field, WireType.LengthDelimited).fork();
    text(w, 1, key);
    text(w, 2, map[key]!);
    w.join();
  }
}

function writeSpan(w: BinaryWriter, span: Span): void {
  text(w, 1, span.service);
  text(w, 2, span.name);
  text(w, 3, span.resource);
  if (span.traceId !== 0n) w.tag(4, WireType.Varint).uint64(span.traceId);
  if (span.spanId !== 0n) w.tag(5, WireType.Varint).uint64(span.spanId);
  if (span.parentId !== 0n) w.tag(6, WireType.Varint).uint64(span.parentId);
  if (span.start !== 0n) w.tag(7, WireType.Varint).int64(span.start);
  if (span.duration !== 0) w.tag(8, WireType.Varint).int64(span.duration);
  if (span.error !== 0) w.tag(9, WireType.Varint).int32(span.error);
  stringMap(w, 10, span.meta);
  for (const key in span.metrics) {
    w.tag(11, WireType.LengthDelimited).fork();
    text(w, 1, key);
    w.tag(2, WireType.Bit64).double(span.metrics[key]!);
    w.join();
  }
  text(w, 12, span.type);
  if (span.metaStruct) {
    for (const key in span.metaStruct) {
      w.tag(13, WireType.LengthDelimited).fork();
      text(w, 1, key);
      w.tag(2, WireType.LengthDelimited).bytes(span.metaStruct[key]!);
      w.join();
    }
  }
}

function writeChunk(w: BinaryWriter, chunk: TraceChunk): void {
  if (chunk.priority !== 0) w.tag(1, WireType.Varint).int32(chunk.priority);
  text(w, 2, chunk.origin);
  for (const span of chunk.spans) {
    w.tag(3, WireType.LengthDelimited).fork();
    writeSpan(w, span);
    w.join();
  }
  if (chunk.droppedTrace) w.tag(5, WireType.Varint).bool(true);
}

function writeTracerPayload(w: BinaryWriter, tp: TracerPayload): void {
  text(w, 1, tp.containerId);
  text(w, 2, tp.languageName);
  text(w, 3, tp.languageVersion);
  text(w, 4, tp.tracerVersion);
  text(w, 5, tp.runtimeId);
  for (const chunk of tp.chunks) {
    w.tag(6, WireType.LengthDelimited).fork();
    writeChunk(w, chunk);
    w.join();
  }
  text(w, 8, tp.env);
  text(w, 10, tp.appVersion);
}

// Reused writers: their buffers grow once to the largest payload instead of at every request.
const scratch = new BinaryWriter();

/** One TracerPayload on its own (a copy the caller may keep). */
export function encodeTracerPayload(tp: TracerPayload): Uint8Array {
  writeTracerPayload(scratch, tp);
  return scratch.finish();
}

/**
 * An AgentPayload built as traces arrive: each TracerPayload is encoded straight into one
 * growing buffer, so buffered traces cost their encoded bytes and no live objects.
 */
export class AgentPayloadBuilder {
  private writer = new BinaryWriter();
  private size = 0;
  private count = 0;

  /** Encoded bytes so far. */
  get bytes(): number {
    return this.size;
  }

  get tracerPayloads(): number {
    return this.count;
  }

  add(tp: TracerPayload): void {
    const encoded = encodeTracerPayload(tp);
    this.writer.tag(5, WireType.LengthDelimited).bytes(encoded);
    this.size += encoded.length + 5;
    this.count++;
  }

  /** The whole AgentPayload; the builder starts over empty. Field order does not matter in protobuf. */
  finish(header: AgentPayloadHeader): Uint8Array {
    const w = this.writer;
    text(w, 1, header.hostName);
    text(w, 2, header.env);
    stringMap(w, 6, header.tags);
    text(w, 7, header.agentVersion);
    if (header.targetTps !== 0) w.tag(8, WireType.Bit64).double(header.targetTps);
    if (header.errorTps !== 0) w.tag(9, WireType.Bit64).double(header.errorTps);
    const bytes = w.finish();
    // A buffer grown by one burst is not kept for ever: past 8 MiB, start from a fresh writer.
    if (bytes.length > 8 * 1024 * 1024) this.writer = new BinaryWriter();
    this.size = 0;
    this.count = 0;
    return bytes;
  }
}

/** The AgentPayload of `tracerPayloads` in one go. */
export function encodeAgentPayload(header: AgentPayloadHeader, tracerPayloads: TracerPayload[]): Uint8Array {
  const builder = new AgentPayloadBuilder();
  for (const tp of tracerPayloads) builder.add(tp);
  return builder.finish(header);
}

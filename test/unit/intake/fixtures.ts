// Hand-written encoders of the agent payloads, field by field from the agent-payload protos.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { encode } from '@msgpack/msgpack';
import type { Span } from '../../../src/agent/apm/span.js';

const LEN = WireType.LengthDelimited;

export interface V2Series {
  metric: string;
  type: number;
  host?: string;
  tags: string[];
  points: { timestamp: number; value: number }[];
  unit?: string;
  interval?: number;
}

export function metricPayload(series: V2Series[]): Uint8Array {
  const w = new BinaryWriter();
  for (const s of series) {
    w.tag(1, LEN).fork();
    if (s.host !== undefined) w.tag(1, LEN).fork().tag(1, LEN).string('host').tag(2, LEN).string(s.host).join();
    w.tag(2, LEN).string(s.metric);
    for (const tag of s.tags) w.tag(3, LEN).string(tag);
    for (const p of s.points) w.tag(4, LEN).fork().tag(1, WireType.Bit64).double(p.value).tag(2, WireType.Varint).int64(p.timestamp).join();
    w.tag(5, WireType.Varint).int32(s.type);
    if (s.unit) w.tag(6, LEN).string(s.unit);
    if (s.interval) w.tag(8, WireType.Varint).int64(s.interval);
    w.join();
  }
  return w.finish();
}

export interface Dogsketch {
  ts: number;
  cnt: number;
  min: number;
  max: number;
  avg: number;
  sum: number;
  k: number[];
  n: number[];
}

export function sketchPayload(sketches: { metric: string; host: string; tags: string[]; dogsketches: Dogsketch[] }[], packed = true): Uint8Array {
  const w = new BinaryWriter();
  for (const s of sketches) {
    w.tag(1, LEN).fork();
    w.tag(1, LEN).string(s.metric).tag(2, LEN).string(s.host);
    for (const tag of s.tags) w.tag(4, LEN).string(tag);
    for (const d of s.dogsketches) {
      w.tag(7, LEN).fork();
      w.tag(1, WireType.Varint).int64(d.ts).tag(2, WireType.Varint).int64(d.cnt);
      w.tag(3, WireType.Bit64).double(d.min).tag(4, WireType.Bit64).double(d.max);
      w.tag(5, WireType.Bit64).double(d.avg).tag(6, WireType.Bit64).double(d.sum);
      if (packed) {
        w.tag(7, LEN).fork();
        for (const k of d.k) w.sint32(k);
        w.join().tag(8, LEN).fork();
        for (const n of d.n) w.uint32(n);
        w.join();
      } else {
        for (const k of d.k) w.tag(7, WireType.Varint).sint32(k);
        for (const n of d.n) w.tag(8, WireType.Varint).uint32(n);
      }
      w.join();
    }
    w.join();
  }
  // CommonMetadata (field 2), which the intake skips.
  w.tag(2, LEN).fork().tag(1, LEN).string('7.0.0').join();
  return w.finish();
}

export function agentPayload(p: { hostName: string; env: string; tracerPayloads: { language: string; tracerVersion: string; env?: string; chunks: { priority: number; origin: string; spans: Span[] }[] }[] }): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, LEN).string(p.hostName).tag(2, LEN).string(p.env);
  for (const tp of p.tracerPayloads) {
    w.tag(5, LEN).fork();
    w.tag(2, LEN).string(tp.language).tag(4, LEN).string(tp.tracerVersion);
    for (const chunk of tp.chunks) {
      w.tag(6, LEN).fork().tag(1, WireType.Varint).int32(chunk.priority).tag(2, LEN).string(chunk.origin);
      for (const s of chunk.spans) {
        w.tag(3, LEN).fork();
        w.tag(1, LEN).string(s.service).tag(2, LEN).string(s.name).tag(3, LEN).string(s.resource);
        w.tag(4, WireType.Varint).uint64(s.traceId).tag(5, WireType.Varint).uint64(s.spanId).tag(6, WireType.Varint).uint64(s.parentId);
        w.tag(7, WireType.Varint).int64(s.start).tag(8, WireType.Varint).int64(s.duration).tag(9, WireType.Varint).int32(s.error);
        for (const [k, v] of Object.entries(s.meta)) w.tag(10, LEN).fork().tag(1, LEN).string(k).tag(2, LEN).string(v).join();
        for (const [k, v] of Object.entries(s.metrics)) w.tag(11, LEN).fork().tag(1, LEN).string(k).tag(2, WireType.Bit64).double(v).join();
        w.tag(12, LEN).string(s.type);
        w.join();
      }
      w.join();
    }
    if (tp.env) w.tag(8, LEN).string(tp.env);
    w.join();
  }
  w.tag(7, LEN).string('7.81.2').tag(8, WireType.Bit64).double(10);
  return w.finish();
}

export function statsPayload(): Uint8Array {
  return encode({
    AgentHostname: 'myapp.web.1',
    AgentEnv: 'staging',
    Stats: [
      {
        Hostname: '',
        Env: 'prod',
        Version: '1.2.3',
        Lang: 'nodejs',
        Stats: [
          {
            Start: 1_700_000_000_000_000_000,
            Duration: 10_000_000_000,
            Stats: [
              { Service: 'web', Name: 'web.request', Resource: 'GET /', HTTPStatusCode: 200, Type: 'web', Hits: 12, Errors: 1, Duration: 36_000_000, TopLevelHits: 12, OkSummary: new Uint8Array([1, 2]), ErrorSummary: new Uint8Array() },
            ],
          },
        ],
      },
    ],
    AgentVersion: '7.81.2',
    ClientComputed: false,
  });
}

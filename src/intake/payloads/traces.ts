// `/api/v0.2/traces`: agent-payload AgentPayload (protobuf), flattened to one record per span.
import type { SpanRecord } from '../records.js';
import { PayloadError } from './payload-error.js';
import { expectWire, int64Number, int64String, readFields, readMapEntry, readString, WireType } from './protobuf.js';

type Context = Pick<SpanRecord, 'env' | 'host' | 'language' | 'tracerVersion' | 'priority' | 'origin'>;
type Span = Omit<SpanRecord, keyof Context>;

export function decodeAgentPayload(body: Uint8Array): SpanRecord[] {
  let hostName = '';
  let env = '';
  const tracerPayloads: Uint8Array[] = [];
  readFields(body, 'AgentPayload', (field, wireType, reader) => {
    if (field === 1) hostName = readString(reader, wireType, 'AgentPayload.hostName');
    else if (field === 2) env = readString(reader, wireType, 'AgentPayload.env');
    else if (field === 5) {
      expectWire(wireType, WireType.LengthDelimited, 'AgentPayload.tracerPayloads');
      tracerPayloads.push(reader.bytes());
    } else return false; // tags, agentVersion, targetTPS, errorTPS
    return true;
  });
  return tracerPayloads.flatMap((bytes, i) => decodeTracerPayload(bytes, `tracerPayloads[${i}]`, hostName, env));
}

function decodeTracerPayload(bytes: Uint8Array, path: string, agentHost: string, agentEnv: string): SpanRecord[] {
  let language = '';
  let tracerVersion = '';
  let env = '';
  let hostname = '';
  const chunks: Uint8Array[] = [];
  readFields(bytes, path, (field, wireType, reader) => {
    switch (field) {
      case 2:
        language = readString(reader, wireType, `${path}.languageName`);
        return true;
      case 4:
        tracerVersion = readString(reader, wireType, `${path}.tracerVersion`);
        return true;
      case 6:
        expectWire(wireType, WireType.LengthDelimited, `${path}.chunks`);
        chunks.push(reader.bytes());
        return true;
      case 8:
        env = readString(reader, wireType, `${path}.env`);
        return true;
      case 9:
        hostname = readString(reader, wireType, `${path}.hostname`);
        return true;
      default:
        return false;
    }
  });
  const context = { env: env || agentEnv, host: hostname || agentHost, language, tracerVersion };
  return chunks.flatMap((chunk, i) => decodeChunk(chunk, `${path}.chunks[${i}]`, context));
}

function decodeChunk(bytes: Uint8Array, path: string, context: Omit<Context, 'priority' | 'origin'>): SpanRecord[] {
  let priority = 0;
  let origin = '';
  const spans: Span[] = [];
  readFields(bytes, path, (field, wireType, reader) => {
    if (field === 1) {
      expectWire(wireType, WireType.Varint, `${path}.priority`);
      priority = reader.int32();
    } else if (field === 2) origin = readString(reader, wireType, `${path}.origin`);
    else if (field === 3) {
      expectWire(wireType, WireType.LengthDelimited, `${path}.spans`);
      spans.push(decodeSpan(reader.bytes(), `${path}.spans[${spans.length}]`));
    } else return false; // tags, droppedTrace
    return true;
  });
  return spans.map((span) => ({ ...span, ...context, priority, origin }));
}

function decodeSpan(bytes: Uint8Array, path: string): Span {
  const span = {
    service: '',
    name: '',
    resource: '',
    traceId: '0',
    spanId: '0',
    parentId: '0',
    start: '0',
    duration: 0,
    error: 0,
    meta: {} as Record<string, string>,
    metrics: {} as Record<string, number>,
    type: '',
  };
  readFields(bytes, path, (field, wireType, reader) => {
    switch (field) {
      case 1:
        span.service = readString(reader, wireType, `${path}.service`);
        return true;
      case 2:
        span.name = readString(reader, wireType, `${path}.name`);
        return true;
      case 3:
        span.resource = readString(reader, wireType, `${path}.resource`);
        return true;
      case 4:
      case 5:
      case 6: {
        const name = (['traceId', 'spanId', 'parentId'] as const)[field - 4]!;
        expectWire(wireType, WireType.Varint, `${path}.${name}`);
        span[name] = int64String(reader.uint64());
        return true;
      }
      case 7:
        expectWire(wireType, WireType.Varint, `${path}.start`);
        span.start = int64String(reader.int64());
        return true;
      case 8:
        expectWire(wireType, WireType.Varint, `${path}.duration`);
        span.duration = int64Number(reader.int64());
        return true;
      case 9:
        expectWire(wireType, WireType.Varint, `${path}.error`);
        span.error = reader.int32();
        return true;
      case 10:
        expectWire(wireType, WireType.LengthDelimited, `${path}.meta`);
        readMapEntry(reader.bytes(), `${path}.meta`, (r, w) => readString(r, w, `${path}.meta value`), '', span.meta);
        return true;
      case 11:
        expectWire(wireType, WireType.LengthDelimited, `${path}.metrics`);
        readMapEntry(
          reader.bytes(),
          `${path}.metrics`,
          (r, w) => {
            expectWire(w, WireType.Bit64, `${path}.metrics value`);
            return r.double();
          },
          0,
          span.metrics,
        );
        return true;
      case 12:
        span.type = readString(reader, wireType, `${path}.type`);
        return true;
      default:
        return false; // meta_struct, span links, span events
    }
  });
  if (span.spanId === '0') throw new PayloadError(`${path}.spanID is missing`);
  return span;
}

// `/api/beta/sketches`: agent-payload SketchPayload (protobuf), one record per dogsketch.
import type { SketchRecord } from '../records.js';
import { PayloadError } from './payload-error.js';
import { expectWire, int64Number, readFields, readRepeated, readString, WireType } from './protobuf.js';

export function decodeSketches(body: Uint8Array): SketchRecord[] {
  const records: SketchRecord[] = [];
  let index = 0;
  readFields(body, 'SketchPayload', (field, wireType, reader) => {
    if (field !== 1) return false; // 2 = CommonMetadata, nothing to keep
    expectWire(wireType, WireType.LengthDelimited, 'SketchPayload.sketches');
    records.push(...decodeSketch(reader.bytes(), `sketches[${index++}]`));
    return true;
  });
  return records;
}

function decodeSketch(bytes: Uint8Array, path: string): SketchRecord[] {
  let metric = '';
  let host = '';
  const tags: string[] = [];
  const dogsketches: Omit<SketchRecord, 'metric' | 'host' | 'tags'>[] = [];
  readFields(bytes, path, (field, wireType, reader) => {
    switch (field) {
      case 1:
        metric = readString(reader, wireType, `${path}.metric`);
        return true;
      case 2:
        host = readString(reader, wireType, `${path}.host`);
        return true;
      case 4:
        tags.push(readString(reader, wireType, `${path}.tags`));
        return true;
      case 7:
        expectWire(wireType, WireType.LengthDelimited, `${path}.dogsketches`);
        dogsketches.push(decodeDogsketch(reader.bytes(), `${path}.dogsketches[${dogsketches.length}]`));
        return true;
      default:
        return false; // 3 = legacy distributions, 8 = metadata
    }
  });
  if (metric === '') throw new PayloadError(`${path}.metric is empty`);
  return dogsketches.map((d) => ({ metric, host, tags, ...d }));
}

function decodeDogsketch(bytes: Uint8Array, path: string): Omit<SketchRecord, 'metric' | 'host' | 'tags'> {
  const d = { ts: 0, cnt: 0, min: 0, max: 0, avg: 0, sum: 0, k: [] as number[], n: [] as number[] };
  readFields(bytes, path, (field, wireType, reader) => {
    switch (field) {
      case 1:
      case 2:
        expectWire(wireType, WireType.Varint, `${path}.${field === 1 ? 'ts' : 'cnt'}`);
        d[field === 1 ? 'ts' : 'cnt'] = int64Number(reader.int64());
        return true;
      case 3:
      case 4:
      case 5:
      case 6: {
        const name = (['min', 'max', 'avg', 'sum'] as const)[field - 3]!;
        expectWire(wireType, WireType.Bit64, `${path}.${name}`);
        d[name] = reader.double();
        return true;
      }
      case 7:
        readRepeated(reader, wireType, WireType.Varint, () => reader.sint32(), d.k);
        return true;
      case 8:
        readRepeated(reader, wireType, WireType.Varint, () => reader.uint32(), d.n);
        return true;
      default:
        return false;
    }
  });
  if (d.k.length !== d.n.length) throw new PayloadError(`${path}: ${d.k.length} keys but ${d.n.length} counts`);
  return d;
}

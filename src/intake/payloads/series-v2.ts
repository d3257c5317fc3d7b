// `/api/v2/series`: agent-payload MetricPayload, as protobuf or its JSON form.
import type { MetricType, SeriesRecord } from '../records.js';
import { array, number, object, optionalNumber, optionalString, parseJson, string, stringList } from './json-fields.js';
import { PayloadError } from './payload-error.js';
import { expectWire, int64Number, readFields, readString, WireType } from './protobuf.js';

/** MetricPayload.MetricType: UNSPECIFIED 0, COUNT 1, RATE 2, GAUGE 3. */
const TYPES: readonly MetricType[] = ['unspecified', 'count', 'rate', 'gauge'];

function metricType(value: number, path: string): MetricType {
  const type = TYPES[value];
  if (type === undefined) throw new PayloadError(`${path} must be 0-3, not ${value}`);
  return type;
}

/** The host is the `host` resource of the series. */
function hostOf(resources: { type: string; name: string }[]): string {
  return resources.find((r) => r.type === 'host')?.name ?? '';
}

export function decodeSeriesV2(body: Uint8Array, contentType: string): SeriesRecord[] {
  return contentType.includes('json') || body[0] === 0x7b ? decodeJson(body) : decodeProtobuf(body);
}

function decodeJson(body: Uint8Array): SeriesRecord[] {
  const payload = object(parseJson(body), 'payload');
  return array(payload.series, 'series').map((item, i) => {
    const path = `series[${i}]`;
    const s = object(item, path);
    const resources = (s.resources === undefined || s.resources === null ? [] : array(s.resources, `${path}.resources`)).map((r, j) => {
      const resource = object(r, `${path}.resources[${j}]`);
      return { type: optionalString(resource.type, `${path}.resources[${j}].type`), name: optionalString(resource.name, `${path}.resources[${j}].name`) };
    });
    const metric = string(s.metric, `${path}.metric`);
    if (metric === '') throw new PayloadError(`${path}.metric is empty`);
    const points = array(s.points, `${path}.points`).map((p, j): [number, number] => {
      const point = object(p, `${path}.points[${j}]`);
      return [number(point.timestamp, `${path}.points[${j}].timestamp`), optionalNumber(point.value, `${path}.points[${j}].value`)];
    });
    const unit = optionalString(s.unit, `${path}.unit`);
    const sourceTypeName = optionalString(s.source_type_name, `${path}.source_type_name`);
    return {
      metric,
      type: metricType(optionalNumber(s.type, `${path}.type`), `${path}.type`),
      host: hostOf(resources),
      tags: stringList(s.tags, `${path}.tags`),
      interval: optionalNumber(s.interval, `${path}.interval`),
      points,
      ...(unit ? { unit } : {}),
      ...(sourceTypeName ? { sourceTypeName } : {}),
    };
  });
}

function decodeProtobuf(body: Uint8Array): SeriesRecord[] {
  const series: SeriesRecord[] = [];
  readFields(body, 'MetricPayload', (field, wireType, reader) => {
    if (field !== 1) return false;
    expectWire(wireType, WireType.LengthDelimited, 'MetricPayload.series');
    series.push(decodeMetricSeries(reader.bytes(), `series[${series.length}]`));
    return true;
  });
  return series;
}

function decodeMetricSeries(bytes: Uint8Array, path: string): SeriesRecord {
  const resources: { type: string; name: string }[] = [];
  const tags: string[] = [];
  const points: [number, number][] = [];
  let metric = '';
  let type = 0;
  let unit = '';
  let sourceTypeName = '';
  let interval = 0;
  readFields(bytes, path, (field, wireType, reader) => {
    switch (field) {
      case 1: {
        expectWire(wireType, WireType.LengthDelimited, `${path}.resources`);
        const resource = { type: '', name: '' };
        readFields(reader.bytes(), `${path}.resources`, (f, w, r) => {
          if (f !== 1 && f !== 2) return false;
          resource[f === 1 ? 'type' : 'name'] = readString(r, w, `${path}.resources`);
          return true;
        });
        resources.push(resource);
        return true;
      }
      case 2:
        metric = readString(reader, wireType, `${path}.metric`);
        return true;
      case 3:
        tags.push(readString(reader, wireType, `${path}.tags`));
        return true;
      case 4: {
        expectWire(wireType, WireType.LengthDelimited, `${path}.points`);
        let value = 0;
        let timestamp = 0;
        readFields(reader.bytes(), `${path}.points`, (f, w, r) => {
          if (f === 1) {
            expectWire(w, WireType.Bit64, `${path}.points.value`);
            value = r.double();
          } else if (f === 2) {
            expectWire(w, WireType.Varint, `${path}.points.timestamp`);
            timestamp = int64Number(r.int64());
          } else return false;
          return true;
        });
        points.push([timestamp, value]);
        return true;
      }
      case 5:
        expectWire(wireType, WireType.Varint, `${path}.type`);
        type = reader.int32();
        return true;
      case 6:
        unit = readString(reader, wireType, `${path}.unit`);
        return true;
      case 7:
        sourceTypeName = readString(reader, wireType, `${path}.source_type_name`);
        return true;
      case 8:
        expectWire(wireType, WireType.Varint, `${path}.interval`);
        interval = int64Number(reader.int64());
        return true;
      default:
        return false;
    }
  });
  if (metric === '') throw new PayloadError(`${path}.metric is empty`);
  return {
    metric,
    type: metricType(type, `${path}.type`),
    host: hostOf(resources),
    tags,
    interval,
    points,
    ...(unit ? { unit } : {}),
    ...(sourceTypeName ? { sourceTypeName } : {}),
  };
}

// `/api/v1/series`: the agent's JSON series, `{"series":[{metric, points:[[ts, v]], tags, host, type, interval}]}`.
import type { MetricType, SeriesRecord } from '../records.js';
import { array, number, object, optionalNumber, optionalString, parseJson, string, stringList } from './json-fields.js';
import { PayloadError } from './payload-error.js';

const TYPES: readonly string[] = ['gauge', 'rate', 'count'];

export function decodeSeriesV1(body: Uint8Array): SeriesRecord[] {
  const payload = object(parseJson(body), 'payload');
  return array(payload.series, 'series').map((item, i) => {
    const path = `series[${i}]`;
    const s = object(item, path);
    const type = optionalString(s.type, `${path}.type`, 'gauge');
    if (!TYPES.includes(type)) throw new PayloadError(`${path}.type must be gauge, rate or count, not ${JSON.stringify(type)}`);
    const points = array(s.points, `${path}.points`).map((p, j): [number, number] => {
      const pair = array(p, `${path}.points[${j}]`);
      if (pair.length !== 2) throw new PayloadError(`${path}.points[${j}] must be [timestamp, value]`);
      return [number(pair[0], `${path}.points[${j}][0]`), number(pair[1], `${path}.points[${j}][1]`)];
    });
    const metric = string(s.metric, `${path}.metric`);
    if (metric === '') throw new PayloadError(`${path}.metric is empty`);
    return {
      metric,
      type: type as MetricType,
      host: optionalString(s.host, `${path}.host`),
      tags: stringList(s.tags, `${path}.tags`),
      interval: optionalNumber(s.interval, `${path}.interval`),
      points,
      ...(typeof s.source_type_name === 'string' && s.source_type_name !== '' ? { sourceTypeName: s.source_type_name } : {}),
    };
  });
}

// `/api/v0.2/stats`: the trace agent's StatsPayload, msgpack with Go field names, one record per grouped stat.
import { decode } from '@msgpack/msgpack';
import type { StatsRecord } from '../records.js';
import { array, object, optionalNumber, optionalString, type Json } from './json-fields.js';
import { PayloadError } from './payload-error.js';

/** msgpack ints above 2^53 come back as bigint with useBigInt64; plain numbers are enough here. */
function num(value: Json, path: string): number {
  return typeof value === 'bigint' ? Number(value) : optionalNumber(value, path);
}

function list(value: Json, path: string): Json[] {
  return value === undefined || value === null ? [] : array(value, path);
}

export function decodeStats(body: Uint8Array): StatsRecord[] {
  let payload: Json;
  try {
    payload = decode(body);
  } catch (error) {
    throw new PayloadError(`body is not msgpack: ${(error as Error).message}`);
  }
  const root = object(payload, 'StatsPayload');
  const records: StatsRecord[] = [];
  list(root.Stats, 'Stats').forEach((item, i) => {
    const path = `Stats[${i}]`;
    const client = object(item, path);
    const context = {
      // An empty client host or env means the agent's own.
      hostname: optionalString(client.Hostname, `${path}.Hostname`) || optionalString(root.AgentHostname, 'AgentHostname'),
      env: optionalString(client.Env, `${path}.Env`) || optionalString(root.AgentEnv, 'AgentEnv'),
      version: optionalString(client.Version, `${path}.Version`),
      language: optionalString(client.Lang, `${path}.Lang`),
    };
    list(client.Stats, `${path}.Stats`).forEach((b, j) => {
      const bpath = `${path}.Stats[${j}]`;
      const bucket = object(b, bpath);
      const start = num(bucket.Start, `${bpath}.Start`);
      const bucketDuration = num(bucket.Duration, `${bpath}.Duration`);
      list(bucket.Stats, `${bpath}.Stats`).forEach((g, k) => {
        const gpath = `${bpath}.Stats[${k}]`;
        const group = object(g, gpath);
        records.push({
          ...context,
          start,
          bucketDuration,
          service: optionalString(group.Service, `${gpath}.Service`),
          name: optionalString(group.Name, `${gpath}.Name`),
          resource: optionalString(group.Resource, `${gpath}.Resource`),
          type: optionalString(group.Type, `${gpath}.Type`),
          httpStatusCode: num(group.HTTPStatusCode, `${gpath}.HTTPStatusCode`),
          hits: num(group.Hits, `${gpath}.Hits`),
          errors: num(group.Errors, `${gpath}.Errors`),
          topLevelHits: num(group.TopLevelHits, `${gpath}.TopLevelHits`),
          duration: num(group.Duration, `${gpath}.Duration`),
        });
      });
    });
  });
  return records;
}

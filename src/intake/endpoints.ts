// Every endpoint the built-in and official agents post to, with the decoder of its body.
import { decodeCheckRuns } from './payloads/check-run.js';
import { decodeEvents } from './payloads/events.js';
import { decodeSeriesV1 } from './payloads/series-v1.js';
import { decodeSeriesV2 } from './payloads/series-v2.js';
import { decodeSketches } from './payloads/sketches.js';
import { decodeStats } from './payloads/stats.js';
import { decodeAgentPayload } from './payloads/traces.js';
import type { Kind, RecordsByKind } from './records.js';

export interface Endpoint<K extends Kind = Kind> {
  readonly kind: K;
  decode(body: Uint8Array, contentType: string): RecordsByKind[K][];
}

function endpoint<K extends Kind>(kind: K, decode: (body: Uint8Array, contentType: string) => RecordsByKind[K][]): Endpoint<K> {
  return { kind, decode };
}

export const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  '/api/v1/series': endpoint('series', decodeSeriesV1),
  '/api/v2/series': endpoint('series', decodeSeriesV2),
  '/api/beta/sketches': endpoint('sketches', decodeSketches),
  '/api/v1/check_run': endpoint('checks', decodeCheckRuns),
  '/intake/': endpoint('events', decodeEvents),
  '/api/v0.2/traces': endpoint('spans', decodeAgentPayload),
  '/api/v0.2/stats': endpoint('stats', decodeStats),
};

/** Paths the agents use for the same endpoints (the official agent posts `/intake/?…`, some clients `/intake`). */
export function endpointPath(pathname: string): string {
  return pathname === '/intake' ? '/intake/' : pathname;
}

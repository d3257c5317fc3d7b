// What the intake received, compared with what the demo sent: the "nothing lost" check.
import type { Summary } from '../../src/intake/query/summary.js';
import type { TraceSummary } from '../../src/intake/query/traces.js';
import type { TrafficCounts } from './traffic.js';

interface SeriesResponse {
  series: { type: string; interval: number; points: [number, number][] }[];
}
interface DistributionResponse {
  points: { cnt: number }[];
}

export interface Check {
  readonly what: string;
  readonly sent: number | string;
  readonly received: number;
  readonly ok: boolean;
}

async function get<T>(intake: string, path: string): Promise<T> {
  const res = await fetch(`${intake}/api/query/${path}`);
  if (!res.ok) throw new Error(`intake ${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** Total count a counter carried: rates back to counts (value × interval), counts as they are. */
export function countOf(res: SeriesResponse): number {
  let total = 0;
  for (const s of res.series) for (const [, v] of s.points) total += s.type === 'rate' ? v * (s.interval || 10) : v;
  return Math.round(total * 1000) / 1000;
}

export async function summaryOf(intake: string): Promise<Summary> {
  return get<Summary>(intake, 'summary');
}

export async function compare(intake: string, sent: TrafficCounts, service: string): Promise<{ checks: Check[]; summary: Summary }> {
  const summary = await summaryOf(intake);
  const requests = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.requests'));
  const errors = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.errors'));
  const timings = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.response_time.count'));
  const sizes = (await get<DistributionResponse>(intake, 'distribution?metric=demo.response_bytes')).points.reduce((n, p) => n + p.cnt, 0);
  const traces = await get<TraceSummary[]>(intake, `traces?service=${encodeURIComponent(service)}&limit=10000`);
  const checks = await get<{ check: string }[]>(intake, 'checks?limit=10000');
  const events = await get<{ title: string }[]>(intake, 'events?limit=10000');
  const errorRequests = sent.byRoute['/error'] ?? 0;
  const rejected = Object.values(summary.rejected).reduce((n, c) => n + c, 0);
  const count = (name: string) => checks.filter((c) => c.check === name).length;
  const list: Check[] = [
    { what: 'demo.requests (counter)', sent: sent.requests, received: requests, ok: requests === sent.requests },
    { what: 'demo.errors (counter)', sent: errorRequests, received: errors, ok: errors === errorRequests },
    { what: 'demo.response_time (histogram .count)', sent: sent.requests, received: timings, ok: timings === sent.requests },
    { what: 'demo.response_bytes (distribution)', sent: sent.requests, received: sizes, ok: sizes === sent.requests },
    { what: `traces of ${service}`, sent: sent.requests, received: traces.length, ok: traces.length === sent.requests },
    { what: `error traces of ${service}`, sent: errorRequests, received: traces.filter((t) => t.errors > 0).length, ok: traces.filter((t) => t.errors > 0).length === errorRequests },
    { what: 'service check demo.app.can_serve', sent: '>= 1', received: count('demo.app.can_serve'), ok: count('demo.app.can_serve') >= 1 },
    { what: 'service check datadog.agent.up', sent: '>= 1', received: count('datadog.agent.up'), ok: count('datadog.agent.up') >= 1 },
    { what: 'event "demo-app started"', sent: 1, received: events.filter((e) => e.title === 'demo-app started').length, ok: events.filter((e) => e.title === 'demo-app started').length === 1 },
    { what: 'payloads refused by the intake', sent: 0, received: rejected, ok: rejected === 0 },
  ];
  return { checks: list, summary };
}

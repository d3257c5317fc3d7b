// What the intake received, compared with what the demo sent: the "nothing lost" check.
import type { Summary } from '../../src/intake/query/summary.js';
import type { TraceSummary } from '../../src/intake/query/traces.js';
import type { SpanRecord, StatsRecord } from '../../src/intake/records.js';
import type { TrafficCounts } from './traffic.js';

interface SeriesResponse {
  series: { host: string; tags: string[]; type: string; interval: number; points: [number, number][] }[];
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

function common(summary: Summary, checks: { check: string }[]): Check[] {
  const rejected = Object.values(summary.rejected).reduce((n, c) => n + c, 0);
  const up = checks.filter((c) => c.check === 'datadog.agent.up').length;
  return [
    { what: 'service check datadog.agent.up', sent: '>= 1', received: up, ok: up >= 1 },
    { what: 'payloads refused by the intake', sent: 0, received: rejected, ok: rejected === 0 },
  ];
}

/** hot-shots counters, histogram and distribution, dd-trace traces, a check and an event. */
async function nodeAppChecks(intake: string, sent: TrafficCounts, service: string, checks: { check: string }[]): Promise<Check[]> {
  const requests = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.requests'));
  const errors = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.errors'));
  const timings = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.response_time.count'));
  const sizes = (await get<DistributionResponse>(intake, 'distribution?metric=demo.response_bytes')).points.reduce((n, p) => n + p.cnt, 0);
  const traces = await get<TraceSummary[]>(intake, `traces?service=${encodeURIComponent(service)}&limit=10000`);
  const events = await get<{ title: string }[]>(intake, 'events?limit=10000');
  const errorRequests = sent.byRoute['/error'] ?? 0;
  const errorTraces = traces.filter((t) => t.errors > 0).length;
  const serving = checks.filter((c) => c.check === 'demo.app.can_serve').length;
  const started = events.filter((e) => e.title === 'demo-app started').length;
  return [
    { what: 'demo.requests (counter)', sent: sent.requests, received: requests, ok: requests === sent.requests },
    { what: 'demo.errors (counter)', sent: errorRequests, received: errors, ok: errors === errorRequests },
    { what: 'demo.response_time (histogram .count)', sent: sent.requests, received: timings, ok: timings === sent.requests },
    { what: 'demo.response_bytes (distribution)', sent: sent.requests, received: sizes, ok: sizes === sent.requests },
    { what: `traces of ${service}`, sent: sent.requests, received: traces.length, ok: traces.length === sent.requests },
    { what: `error traces of ${service}`, sent: errorRequests, received: errorTraces, ok: errorTraces === errorRequests },
    { what: 'service check demo.app.can_serve', sent: '>= 1', received: serving, ok: serving >= 1 },
    { what: 'event "demo-app started"', sent: 1, received: started, ok: started === 1 },
  ];
}

/** gunicorn's own statsd client: request counter, duration histogram, per-status counters. */
async function gunicornChecks(intake: string, sent: TrafficCounts): Promise<Check[]> {
  const requests = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.gunicorn.requests'));
  const timings = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.gunicorn.request.duration.count'));
  const errors = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.gunicorn.request.status.500'));
  const errorRequests = sent.byStatus['500'] ?? 0;
  return [
    { what: 'demo.gunicorn.requests (counter)', sent: sent.requests, received: requests, ok: requests === sent.requests },
    { what: 'demo.gunicorn.request.duration (.count)', sent: sent.requests, received: timings, ok: timings === sent.requests },
    { what: 'demo.gunicorn.request.status.500', sent: errorRequests, received: errors, ok: errors === errorRequests },
  ];
}

/** The OpenTelemetry SDK's counter, histogram, gauge and spans, through the agent's OTLP receiver, with the dyno's tags. */
async function otelAppChecks(intake: string, sent: TrafficCounts, service: string): Promise<Check[]> {
  const dynoTags = ['dyno:web.1', 'dynotype:web', `appname:${service}`, 'env:demo', 'version:v1', `service:${service}`].join(',');
  const requests = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.otel.requests'));
  const tagged = countOf(await get<SeriesResponse>(intake, `series?metric=demo.otel.requests&tags=${dynoTags}`));
  const errors = countOf(await get<SeriesResponse>(intake, 'series?metric=demo.otel.requests&tags=route:/error,status:500'));
  const latencies = (await get<DistributionResponse>(intake, `distribution?metric=demo.otel.latency&tags=${dynoTags}`)).points.reduce((n, p) => n + p.cnt, 0);
  const inflight = (await get<SeriesResponse>(intake, `series?metric=demo.otel.inflight&tags=${dynoTags}`)).series.filter((s) => s.type === 'gauge').reduce((n, s) => n + s.points.length, 0);
  const summaries = await get<TraceSummary[]>(intake, `traces?service=${service}&limit=10000`);
  const traces = await Promise.all(summaries.map((t) => get<{ spanList: SpanRecord[] }>(intake, `traces/${t.traceId}`)));
  const spans = traces.flatMap((t) => t.spanList);
  // The dyno's host is the one its agent reports its own metrics under.
  const host = (await get<SeriesResponse>(intake, 'series?metric=datadog.agent.running')).series[0]?.host;
  const spansTagged = spans.filter((s) => s.env === 'demo' && s.meta.version === 'v1' && s.host === host && s.language === 'nodejs').length;
  const serverSpans = spans.filter((s) => s.meta['span.kind'] === 'server').length;
  const errorTraces = summaries.filter((t) => t.errors > 0).length;
  const stats = await get<StatsRecord[]>(intake, `stats?service=${service}&limit=10000`);
  const topLevelHits = stats.reduce((n, s) => n + s.topLevelHits, 0);
  const errorRequests = sent.byStatus['500'] ?? 0;
  return [
    { what: 'demo.otel.requests (OTLP counter)', sent: sent.requests, received: requests, ok: requests === sent.requests },
    { what: 'demo.otel.requests with the dyno tags', sent: sent.requests, received: tagged, ok: tagged === sent.requests },
    { what: 'demo.otel.requests status:500', sent: errorRequests, received: errors, ok: errors === errorRequests },
    { what: 'demo.otel.latency (OTLP histogram)', sent: sent.requests, received: latencies, ok: latencies === sent.requests },
    { what: 'demo.otel.inflight (OTLP gauge) points', sent: '>= 1', received: inflight, ok: inflight >= 1 },
    { what: `traces of ${service} (OTLP)`, sent: sent.requests, received: summaries.length, ok: summaries.length === sent.requests },
    { what: `spans of ${service}: server + child`, sent: 2 * sent.requests, received: spans.length, ok: spans.length === 2 * sent.requests },
    { what: `server spans of ${service}`, sent: sent.requests, received: serverSpans, ok: serverSpans === sent.requests },
    { what: 'spans with env, version, host, language', sent: 2 * sent.requests, received: spansTagged, ok: spansTagged === 2 * sent.requests },
    { what: `error traces of ${service}`, sent: errorRequests, received: errorTraces, ok: errorTraces === errorRequests },
    { what: `APM stats of ${service} (top-level hits)`, sent: sent.requests, received: topLevelHits, ok: topLevelHits === sent.requests },
  ];
}

/** The example apps the demo can build, what they are called and what they must deliver; `otlp` ones get the agent's OTLP/HTTP receiver. */
export const APPS = {
  'node-app': { service: 'demo-app', pageMetric: 'demo.requests', checks: nodeAppChecks, otlp: false },
  'gunicorn-app': { service: 'demo-gunicorn', pageMetric: 'demo.gunicorn.requests', checks: gunicornChecks, otlp: false },
  'otel-app': { service: 'demo-otel', pageMetric: 'demo.otel.requests', checks: otelAppChecks, otlp: true },
} as const;
export type AppName = keyof typeof APPS;

export async function compare(intake: string, sent: TrafficCounts, app: AppName): Promise<{ checks: Check[]; summary: Summary }> {
  const summary = await summaryOf(intake);
  const checks = await get<{ check: string }[]>(intake, 'checks?limit=10000');
  const { service } = APPS[app];
  return { checks: [...(await APPS[app].checks(intake, sent, service, checks)), ...common(summary, checks)], summary };
}

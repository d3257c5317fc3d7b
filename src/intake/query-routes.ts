// The JSON query API under /api/query/, and its live feed (server-sent events).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listMetrics, queryDistribution, querySeries, type TimeRange } from './query/metrics.js';
import { summarize, type RejectionCounts } from './query/summary.js';
import { tagFilter } from './query/tag-filter.js';
import { getTrace, listServices, listTraces } from './query/traces.js';
import type { Store } from './store.js';

export const QUERY_PREFIX = '/api/query/';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  res.end(JSON.stringify(body));
}

function intParam(params: URLSearchParams, name: string, fallback: number): number {
  const value = Number(params.get(name));
  return params.has(name) && Number.isFinite(value) ? value : fallback;
}

function timeRange(params: URLSearchParams): TimeRange {
  return { from: intParam(params, 'from', -Infinity), to: intParam(params, 'to', Infinity) };
}

function percentiles(params: URLSearchParams): number[] {
  const list = (params.get('percentiles') ?? '0.5,0.75,0.95,0.99')
    .split(',')
    .map(Number)
    .filter((q) => Number.isFinite(q) && q >= 0 && q <= 1);
  return list.length > 0 ? list : [0.5];
}

function recent<T>(list: readonly T[], limit: number): T[] {
  return list.slice(Math.max(0, list.length - limit)).reverse();
}

/** Streams one `summary` event now and after appends (at most one per `throttleMs`). */
function live(store: Store, rejected: RejectionCounts, req: IncomingMessage, res: ServerResponse, throttleMs = 500): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  const send = () => res.write(`event: summary\ndata: ${JSON.stringify(summarize(store, rejected))}\n\n`);
  send();
  let timer: NodeJS.Timeout | undefined;
  const unsubscribe = store.subscribe(() => {
    timer ??= setTimeout(() => {
      timer = undefined;
      send();
    }, throttleMs);
  });
  // A comment line every 15 s keeps proxies from closing an idle stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    unsubscribe();
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
  });
}

export function handleQuery(store: Store, rejected: RejectionCounts, url: URL, req: IncomingMessage, res: ServerResponse): void {
  const route = url.pathname.slice(QUERY_PREFIX.length);
  const params = url.searchParams;
  const limit = Math.max(1, Math.min(10_000, intParam(params, 'limit', 200)));
  if (route === 'summary') return sendJson(res, 200, summarize(store, rejected));
  if (route === 'live') return live(store, rejected, req, res);
  if (route === 'metrics') return sendJson(res, 200, listMetrics(store));
  if (route === 'series' || route === 'distribution') {
    const metric = params.get('metric');
    if (!metric) return sendJson(res, 400, { error: 'metric is required' });
    return sendJson(res, 200, route === 'series' ? querySeries(store, metric, tagFilter(params), timeRange(params)) : queryDistribution(store, metric, tagFilter(params), timeRange(params), percentiles(params)));
  }
  if (route === 'services') return sendJson(res, 200, listServices(store));
  if (route === 'traces') return sendJson(res, 200, listTraces(store, params.get('service') ?? undefined, limit));
  if (route.startsWith('traces/')) {
    const trace = getTrace(store, decodeURIComponent(route.slice('traces/'.length)));
    return trace ? sendJson(res, 200, trace) : sendJson(res, 404, { error: 'no such trace' });
  }
  if (route === 'checks') {
    const check = params.get('check');
    return sendJson(res, 200, recent(check ? store.checks.filter((c) => c.check === check) : store.checks, limit));
  }
  if (route === 'events') return sendJson(res, 200, recent(store.events, limit));
  if (route === 'stats') {
    const service = params.get('service');
    return sendJson(res, 200, recent(service ? store.stats.filter((s) => s.service === service) : store.stats, limit));
  }
  sendJson(res, 404, { error: `unknown query ${route}` });
}

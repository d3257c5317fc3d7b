// Trace queries: services seen, recent traces of a service, the spans of one trace.
import type { SpanRecord } from '../records.js';
import type { Store } from '../store.js';

export interface TraceSummary {
  readonly traceId: string;
  readonly service: string;
  readonly name: string;
  readonly resource: string;
  /** Unix ms of the earliest span. */
  readonly start: number;
  /** ms from the earliest start to the latest end. */
  readonly duration: number;
  readonly spans: number;
  readonly errors: number;
  readonly services: string[];
}

/** ns as a decimal string → ms as a number (sub-µs precision is not needed to draw). */
export function nsToMs(ns: string | number): number {
  return typeof ns === 'number' ? ns / 1e6 : Number(BigInt(ns) / 1000n) / 1000;
}

/** The root: the span whose parent is not in the trace (parent 0 or not received). */
export function rootSpan(spans: readonly SpanRecord[]): SpanRecord {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.find((s) => s.parentId === '0') ?? spans.find((s) => !ids.has(s.parentId)) ?? spans[0]!;
}

export function summarizeTrace(traceId: string, spans: readonly SpanRecord[]): TraceSummary {
  const root = rootSpan(spans);
  const start = Math.min(...spans.map((s) => nsToMs(s.start)));
  const end = Math.max(...spans.map((s) => nsToMs(s.start) + s.duration / 1e6));
  return {
    traceId,
    service: root.service,
    name: root.name,
    resource: root.resource,
    start,
    duration: end - start,
    spans: spans.length,
    errors: spans.filter((s) => s.error !== 0).length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
  };
}

export function listServices(store: Store): { service: string; traces: number; spans: number }[] {
  const byService = new Map<string, { traces: Set<string>; spans: number }>();
  for (const [traceId, spans] of store.traces) {
    for (const span of spans) {
      const entry = byService.get(span.service) ?? { traces: new Set<string>(), spans: 0 };
      byService.set(span.service, entry);
      entry.traces.add(traceId);
      entry.spans++;
    }
  }
  return [...byService.entries()].map(([service, e]) => ({ service, traces: e.traces.size, spans: e.spans })).sort((a, b) => a.service.localeCompare(b.service));
}

/** Newest first; `service` keeps the traces with at least one span of that service. */
export function listTraces(store: Store, service: string | undefined, limit: number): TraceSummary[] {
  const summaries: TraceSummary[] = [];
  for (const [traceId, spans] of store.traces) {
    if (service && !spans.some((s) => s.service === service)) continue;
    summaries.push(summarizeTrace(traceId, spans));
  }
  return summaries.sort((a, b) => b.start - a.start).slice(0, limit);
}

export function getTrace(store: Store, traceId: string) {
  const spans = store.traces.get(traceId);
  if (!spans) return undefined;
  return { ...summarizeTrace(traceId, spans), spanList: [...spans].sort((a, b) => nsToMs(a.start) - nsToMs(b.start)) };
}

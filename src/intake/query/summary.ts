// Totals of everything received, for the page header and the demo's "nothing lost" check.
import type { Store } from '../store.js';

export interface RejectionCounts {
  /** `<endpoint> <status>` → count, since this process started. */
  readonly [key: string]: number;
}

export function summarize(store: Store, rejected: RejectionCounts) {
  const endpoints: Record<string, { payloads: number; bytes: number; items: number }> = {};
  for (const p of store.payloads) {
    const e = (endpoints[p.endpoint] ??= { payloads: 0, bytes: 0, items: 0 });
    e.payloads++;
    e.bytes += p.bytes;
    e.items += p.items;
  }
  let contexts = 0;
  let points = 0;
  for (const byContext of store.series.values()) {
    contexts += byContext.size;
    for (const c of byContext.values()) points += c.points.length;
  }
  let sketches = 0;
  for (const byContext of store.sketches.values()) for (const c of byContext.values()) sketches += c.sketches.length;
  let spans = 0;
  const services = new Set<string>();
  for (const list of store.traces.values()) {
    spans += list.length;
    for (const s of list) services.add(s.service);
  }
  return {
    endpoints,
    rejected,
    metrics: { names: store.series.size, contexts, points },
    distributions: { names: store.sketches.size, sketches },
    traces: { traces: store.traces.size, spans, services: [...services].sort() },
    checks: store.checks.length,
    events: store.events.length,
    stats: store.stats.length,
    skippedLines: store.skippedLines,
  };
}

export type Summary = ReturnType<typeof summarize>;

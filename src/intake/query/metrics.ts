// Metric queries: the list of metric names, series by name and tags, distributions as percentiles.
import type { MetricType, SketchRecord } from '../records.js';
import type { Store } from '../store.js';
import { quantile } from './ddsketch.js';
import { matchesTags } from './tag-filter.js';

export interface MetricSummary {
  readonly name: string;
  readonly kind: 'series' | 'distribution';
  readonly type: MetricType | 'distribution';
  readonly contexts: number;
  readonly points: number;
  readonly hosts: string[];
  readonly tags: string[];
  readonly last: number;
}

export function listMetrics(store: Store): MetricSummary[] {
  const list: MetricSummary[] = [];
  for (const [name, contexts] of store.series) {
    const all = [...contexts.values()];
    list.push({
      name,
      kind: 'series',
      type: all[all.length - 1]?.type ?? 'gauge',
      contexts: all.length,
      points: all.reduce((n, c) => n + c.points.length, 0),
      hosts: [...new Set(all.map((c) => c.host))].sort(),
      tags: [...new Set(all.flatMap((c) => c.tags))].sort(),
      last: all.reduce((m, c) => c.points.reduce((n, p) => Math.max(n, p[0]), m), 0),
    });
  }
  for (const [name, contexts] of store.sketches) {
    const all = [...contexts.values()];
    list.push({
      name,
      kind: 'distribution',
      type: 'distribution',
      contexts: all.length,
      points: all.reduce((n, c) => n + c.sketches.length, 0),
      hosts: [...new Set(all.map((c) => c.host))].sort(),
      tags: [...new Set(all.flatMap((c) => c.tags))].sort(),
      last: all.reduce((m, c) => c.sketches.reduce((n, s) => Math.max(n, s.ts), m), 0),
    });
  }
  return list.sort((a, b) => a.name.localeCompare(b.name));
}

export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export function querySeries(store: Store, metric: string, filter: readonly string[], range: TimeRange) {
  const contexts = [...(store.series.get(metric)?.values() ?? [])].filter((c) => matchesTags(c.host, c.tags, filter));
  return {
    metric,
    series: contexts.map((c) => ({
      host: c.host,
      tags: c.tags,
      type: c.type,
      interval: c.interval,
      points: c.points.filter(([ts]) => ts >= range.from && ts <= range.to).sort((a, b) => a[0] - b[0]),
    })),
  };
}

export interface DistributionPoint extends Pick<SketchRecord, 'ts' | 'cnt' | 'min' | 'max' | 'avg' | 'sum'> {
  /** Same order as the query's percentiles. */
  readonly values: number[];
}

/** Merges the matching contexts' sketches per timestamp (bins add up), then reads percentiles. */
export function queryDistribution(store: Store, metric: string, filter: readonly string[], range: TimeRange, percentiles: readonly number[]) {
  const merged = new Map<number, { cnt: number; min: number; max: number; sum: number; bins: Map<number, number> }>();
  for (const context of store.sketches.get(metric)?.values() ?? []) {
    if (!matchesTags(context.host, context.tags, filter)) continue;
    for (const s of context.sketches) {
      if (s.ts < range.from || s.ts > range.to) continue;
      const m = merged.get(s.ts) ?? { cnt: 0, min: Infinity, max: -Infinity, sum: 0, bins: new Map<number, number>() };
      merged.set(s.ts, m);
      m.cnt += s.cnt;
      m.min = Math.min(m.min, s.min);
      m.max = Math.max(m.max, s.max);
      m.sum += s.sum;
      s.k.forEach((key, i) => m.bins.set(key, (m.bins.get(key) ?? 0) + (s.n[i] ?? 0)));
    }
  }
  const points: DistributionPoint[] = [...merged.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([ts, m]) => ({
      ts,
      cnt: m.cnt,
      min: m.min,
      max: m.max,
      avg: m.cnt === 0 ? 0 : m.sum / m.cnt,
      sum: m.sum,
      values: percentiles.map((q) => quantile(m, q)),
    }));
  return { metric, percentiles, points };
}

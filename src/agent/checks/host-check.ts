// A built-in check: reads the machine (from /proc mostly) and returns series for the next flush.
import type { Serie } from '../aggregator/payloads.js';

export type CheckSerie = Omit<Serie, 'host' | 'tags'> & { readonly tags?: readonly string[] };

export interface HostCheck {
  readonly name: string;
  /** Series of this run; checks that report rates return nothing on their first run. */
  run(nowSeconds: number): Promise<CheckSerie[]>;
}

export function gauge(metric: string, now: number, value: number, tags?: readonly string[]): CheckSerie {
  return { metric, points: [[now, value]], type: 'gauge', interval: 0, ...(tags !== undefined ? { tags } : {}) };
}

export function rate(metric: string, now: number, value: number, interval: number, tags?: readonly string[]): CheckSerie {
  return { metric, points: [[now, value]], type: 'rate', interval: Math.max(1, Math.round(interval)), ...(tags !== undefined ? { tags } : {}) };
}

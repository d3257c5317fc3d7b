// Histogram/timer flush with the agent's rules (pkg/metrics/histogram.go): weighted samples,
// median target (count-1)/2, percentile target (p*count-1)/100 with p in whole percents.

export type HistogramAggregate = 'max' | 'min' | 'median' | 'avg' | 'sum' | 'count';

export interface HistogramSettings {
  readonly aggregates: readonly string[];
  /** Whole percents, ascending (0.95 → 95). */
  readonly percentiles: readonly number[];
}

export class HistogramSamples {
  values: number[] = [];
  weights: number[] = [];
  sum = 0;
  count = 0;

  add(value: number, weight: number): void {
    this.values.push(value);
    this.weights.push(weight);
    this.sum += value * weight;
    this.count += weight;
  }
}

export interface HistogramPoint {
  readonly suffix: string;
  readonly value: number;
  readonly type: 'gauge' | 'rate';
}

export function flushHistogram(h: HistogramSamples, settings: HistogramSettings, interval: number): HistogramPoint[] {
  if (h.values.length === 0) return [];
  const order = h.values.map((_, i) => i).sort((a, b) => h.values[a]! - h.values[b]!);
  const points: HistogramPoint[] = [];
  for (const aggregate of settings.aggregates) {
    switch (aggregate) {
      case 'max':
        points.push({ suffix: '.max', value: h.values[order[order.length - 1]!]!, type: 'gauge' });
        break;
      case 'min':
        points.push({ suffix: '.min', value: h.values[order[0]!]!, type: 'gauge' });
        break;
      case 'median':
        points.push({ suffix: '.median', value: weightedAt(h, order, Math.trunc((h.count - 1) / 2)), type: 'gauge' });
        break;
      case 'avg':
        points.push({ suffix: '.avg', value: h.sum / h.count, type: 'gauge' });
        break;
      case 'sum':
        points.push({ suffix: '.sum', value: h.sum, type: 'gauge' });
        break;
      case 'count':
        points.push({ suffix: '.count', value: h.count / interval, type: 'rate' });
        break;
      default:
        break; // unknown aggregates are skipped, as the agent does
    }
  }
  for (const p of settings.percentiles) {
    points.push({ suffix: `.${p}percentile`, value: weightedAt(h, order, Math.trunc((p * h.count - 1) / 100)), type: 'gauge' });
  }
  return points;
}

/** The first sorted sample whose cumulative weight exceeds `target`. */
function weightedAt(h: HistogramSamples, order: number[], target: number): number {
  let weight = 0;
  for (const i of order) {
    weight += h.weights[i]!;
    if (weight > target) return h.values[i]!;
  }
  return h.values[order[order.length - 1]!]!;
}

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
  /** Only once a sample weighs more than 1 (sampled with @rate): most histograms never need it. */
  weights: number[] | undefined;
  sum = 0;
  count = 0;

  add(value: number, weight: number): void {
    if (weight !== 1 && this.weights === undefined) this.weights = this.values.map(() => 1);
    this.values.push(value);
    this.weights?.push(weight);
    this.sum += value * weight;
    this.count += weight;
  }
}

interface Sorted {
  readonly values: ArrayLike<number>;
  readonly weights: ArrayLike<number> | undefined;
}

/** Values ascending (native typed-array sort when unweighted), weights in the same order. */
function sorted(h: HistogramSamples): Sorted {
  if (h.weights === undefined) return { values: Float64Array.from(h.values).sort(), weights: undefined };
  const order = h.values.map((_, i) => i).sort((a, b) => h.values[a]! - h.values[b]!);
  return { values: order.map((i) => h.values[i]!), weights: order.map((i) => h.weights![i]!) };
}

export interface HistogramPoint {
  readonly suffix: string;
  readonly value: number;
  readonly type: 'gauge' | 'rate';
}

export function flushHistogram(h: HistogramSamples, settings: HistogramSettings, interval: number): HistogramPoint[] {
  if (h.values.length === 0) return [];
  const s = sorted(h);
  const points: HistogramPoint[] = [];
  for (const aggregate of settings.aggregates) {
    switch (aggregate) {
      case 'max':
        points.push({ suffix: '.max', value: s.values[s.values.length - 1]!, type: 'gauge' });
        break;
      case 'min':
        points.push({ suffix: '.min', value: s.values[0]!, type: 'gauge' });
        break;
      case 'median':
        points.push({ suffix: '.median', value: weightedAt(s, Math.trunc((h.count - 1) / 2)), type: 'gauge' });
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
    points.push({ suffix: `.${p}percentile`, value: weightedAt(s, Math.trunc((p * h.count - 1) / 100)), type: 'gauge' });
  }
  return points;
}

/** The first sorted sample whose cumulative weight exceeds `target`. */
function weightedAt(s: Sorted, target: number): number {
  if (s.weights === undefined) return s.values[Math.min(Math.max(target + 1, 1), s.values.length) - 1]!;
  let weight = 0;
  for (let i = 0; i < s.values.length; i++) {
    weight += s.weights[i]!;
    if (weight > target) return s.values[i]!;
  }
  return s.values[s.values.length - 1]!;
}

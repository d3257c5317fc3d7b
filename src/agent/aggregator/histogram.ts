// Histogram/timer flush with the agent's rules (pkg/metrics/histogram.go): weighted samples,
// median target (count-1)/2, percentile target (p*count-1)/100 with p in whole percents.
// Samples are kept in plain arrays of numbers: V8 stores them unboxed (8 bytes a sample, 16 once
// weighted) on its own heap, whose pages it gives back after a flush; typed arrays of that size
// live in malloc'd memory that glibc keeps, which measured ~25 MB more RSS after a flood. Past
// a cap (per context and bucket, or the aggregator's total) a histogram moves its samples into an
// agent DDSketch: max, min, avg, count and sum stay exact, the median and percentiles come from
// the sketch (within SKETCH_RELATIVE_ACCURACY, ≈ 0.78 %).
import { AgentSketch } from './sketch.js';

export type HistogramAggregate = 'max' | 'min' | 'median' | 'avg' | 'sum' | 'count';

export interface HistogramSettings {
  readonly aggregates: readonly string[];
  /** Whole percents, ascending (0.95 → 95). */
  readonly percentiles: readonly number[];
}

export class HistogramSamples {
  /** The samples (until sketched). */
  values: number[] = [];
  /** Only once a sample weighs more than 1 (sampled with @rate): most histograms never need it. */
  weights: number[] | undefined;
  /** Set once the samples moved to a sketch; `values` is then empty. */
  sketch: AgentSketch | undefined;
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  /** Adds a sample: kept as is (true) or, once sketched, into the sketch (false). */
  add(value: number, weight: number): boolean {
    this.sum += value * weight;
    this.count += weight;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.sketch !== undefined) {
      this.sketch.insert(value, weight);
      return false;
    }
    if (weight !== 1 && this.weights === undefined) this.weights = this.values.map(() => 1);
    this.values.push(value);
    this.weights?.push(weight);
    return true;
  }

  /** Samples kept (0 once sketched). */
  get length(): number {
    return this.values.length;
  }

  /** Moves the kept samples into a sketch and frees them; returns how many were moved. */
  toSketch(): number {
    if (this.sketch !== undefined) return 0;
    const sketch = new AgentSketch();
    const moved = this.values.length;
    for (let i = 0; i < moved; i++) sketch.insert(this.values[i]!, this.weights?.[i] ?? 1);
    this.sketch = sketch;
    this.values = [];
    this.weights = undefined;
    return moved;
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

/** The points of a histogram. */
export function flushHistogram(h: HistogramSamples, settings: HistogramSettings, interval: number): HistogramPoint[] {
  if (h.length === 0 && h.sketch === undefined) return [];
  const s = h.sketch === undefined ? sorted(h) : undefined;
  const at = (target: number): number => (s !== undefined ? weightedAt(s, target) : h.sketch!.valueAtRank(target));
  const points: HistogramPoint[] = [];
  for (const aggregate of settings.aggregates) {
    switch (aggregate) {
      case 'max':
        points.push({ suffix: '.max', value: s !== undefined ? s.values[s.values.length - 1]! : h.max, type: 'gauge' });
        break;
      case 'min':
        points.push({ suffix: '.min', value: s !== undefined ? s.values[0]! : h.min, type: 'gauge' });
        break;
      case 'median':
        points.push({ suffix: '.median', value: at(Math.trunc((h.count - 1) / 2)), type: 'gauge' });
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
    points.push({ suffix: `.${p}percentile`, value: at(Math.trunc((p * h.count - 1) / 100)), type: 'gauge' });
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

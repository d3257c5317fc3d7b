// Explicit-bucket histograms (mapHistogramMetrics): cumulative points turned into deltas (count,
// sum and each bucket through the cumulative cache; min/max kept only when reached in the last
// interval); with histograms.send_aggregation_metrics `.count` and `.sum` counts and, for delta
// points, `.min` and `.max` gauges; then by histograms.mode: `distributions` a sketch built by
// interpolating each bucket's count across its bounds, `counters` one `.bucket` count per bucket
// tagged lower_bound:/upper_bound:, `nobuckets` nothing more.
import type { SketchData } from '../consumer.js';
import { FLAG_NO_RECORDED_VALUE, TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA, type HistogramDataPoint } from '../model.js';
import type { SeriesDimensions } from './dimensions.js';
import { isSkippable, type PointContext } from './emitter.js';
import { boundTags } from './format.js';
import { MAX_SKETCH_COUNT, SketchBuilder } from './sketch-builder.js';

/** What the point says for this interval once cumulative values are turned into deltas. */
interface IntervalTotals {
  count: number;
  sum: number;
  /** Both count and sum are known for this interval. */
  ok: boolean;
  minFromLastWindow: boolean;
  maxFromLastWindow: boolean;
}

export function mapHistogram(context: PointContext, points: readonly HistogramDataPoint[], temporality: number): void {
  for (const p of points) {
    if (temporality !== TEMPORALITY_DELTA && temporality !== TEMPORALITY_CUMULATIVE) {
      context.drop('histogram', 'unsupported_temporality');
      continue;
    }
    if ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0) {
      context.drop('histogram', 'no_recorded_value');
      continue;
    }
    if (!wellFormed(p)) {
      context.drop('histogram', 'malformed');
      continue;
    }
    mapPoint(context, p, temporality === TEMPORALITY_DELTA);
  }
}

/** Counts non-negative, bounds increasing and not NaN, no more buckets than bounds + 1 (the mapping would index past them). */
function wellFormed(p: HistogramDataPoint): boolean {
  if (!(p.count >= 0) || !Number.isFinite(p.count)) return false;
  const counts = p.bucketCounts ?? [];
  const bounds = p.explicitBounds ?? [];
  if (counts.length > 0 && counts.length > bounds.length + 1) return false;
  for (const c of counts) if (!(c >= 0) || !Number.isFinite(c)) return false;
  for (let i = 0; i < bounds.length; i++) {
    if (Number.isNaN(bounds[i]!)) return false;
    if (i > 0 && bounds[i]! < bounds[i - 1]!) return false;
  }
  return true;
}

function mapPoint(context: PointContext, p: HistogramDataPoint, delta: boolean): void {
  const startTs = p.startTimeUnixNano;
  const ts = p.timeUnixNano;
  const dims = context.pointDims(p.attributes);
  const totals: IntervalTotals = { count: 0, sum: 0, ok: true, minFromLastWindow: false, maxFromLastWindow: false };

  const countDims = dims.withSuffix('count');
  if (delta) totals.count = p.count;
  else {
    const dx = context.cache.diff(countDims, startTs, ts, p.count);
    if (dx === undefined || dx < 0) totals.ok = false;
    else totals.count = dx;
  }
  const sumDims = dims.withSuffix('sum');
  // As the mapping reads it, an absent sum is 0.
  const sum = p.sum ?? 0;
  if (isSkippable(sum)) totals.ok = false;
  else if (delta) totals.sum = sum;
  else {
    const dx = context.cache.diff(sumDims, startTs, ts, sum);
    if (dx === undefined) totals.ok = false;
    else totals.sum = dx;
  }
  const minDims = dims.withSuffix('min');
  const maxDims = dims.withSuffix('max');
  if (p.min !== undefined) totals.minFromLastWindow = delta || context.cache.extremumFromLastWindow(minDims, startTs, ts, p.min, true);
  if (p.max !== undefined) totals.maxFromLastWindow = delta || context.cache.extremumFromLastWindow(maxDims, startTs, ts, p.max, false);

  if (context.options.sendAggregationMetrics && totals.ok) {
    context.emit.series(countDims, 'count', ts, totals.count);
    context.emit.series(sumDims, 'count', ts, totals.sum);
    // Cumulative min/max are known only now and then: reported for delta points only, as the mapping does.
    if (delta && p.min !== undefined && !isSkippable(p.min)) context.emit.series(minDims, 'gauge', ts, p.min);
    if (delta && p.max !== undefined && !isSkippable(p.max)) context.emit.series(maxDims, 'gauge', ts, p.max);
  }

  switch (context.options.histogramMode) {
    case 'counters':
      bucketCounts(context, dims.withSuffix('bucket'), p, delta);
      return;
    case 'distributions':
      sketchOf(context, dims, p, totals, delta);
      return;
    case 'nobuckets':
      return;
  }
}

/** The bounds of bucket `index`: (-inf, b0], (b0, b1], …, (bn, +inf). */
function bucketBounds(bounds: readonly number[], index: number): [number, number] {
  const lower = index > 0 ? bounds[index - 1]! : -Infinity;
  const upper = index < bounds.length ? bounds[index]! : Infinity;
  return [lower, upper];
}

function bucketCounts(context: PointContext, bucketDims: SeriesDimensions, p: HistogramDataPoint, delta: boolean): void {
  const bounds = p.explicitBounds ?? [];
  const counts = p.bucketCounts ?? [];
  for (let i = 0; i < counts.length; i++) {
    const [lower, upper] = bucketBounds(bounds, i);
    const dims = bucketDims.withTags(boundTags(lower, upper));
    if (delta) context.emit.series(dims, 'count', p.timeUnixNano, counts[i]!);
    else {
      const dx = context.cache.diff(dims, p.startTimeUnixNano, p.timeUnixNano, counts[i]!);
      if (dx !== undefined) context.emit.series(dims, 'count', p.timeUnixNano, dx);
    }
  }
}

function sketchOf(context: PointContext, dims: SeriesDimensions, p: HistogramDataPoint, totals: IntervalTotals, delta: boolean): void {
  let counts = p.bucketCounts ?? [];
  let bounds = p.explicitBounds ?? [];
  if (counts.length === 0 && totals.ok) {
    // A histogram without buckets is one bucket (-inf, +inf) (data model); min/max, when known for this interval, narrow it.
    const synthesizedCounts: number[] = [];
    const synthesizedBounds: number[] = [];
    const min = p.min;
    const max = p.max;
    const useMin = totals.minFromLastWindow && min !== undefined && !Number.isNaN(min);
    const useMax = totals.maxFromLastWindow && max !== undefined && !Number.isNaN(max) && (!useMin || max >= min);
    if (useMin) {
      synthesizedCounts.push(0);
      synthesizedBounds.push(min);
    }
    synthesizedCounts.push(totals.count);
    if (useMax) {
      synthesizedCounts.push(0);
      synthesizedBounds.push(max);
    }
    counts = synthesizedCounts;
    bounds = synthesizedBounds;
  }

  // Deltas per bucket first (the cache learns every bucket even if the point is then refused).
  const deltas: number[] = new Array(counts.length).fill(0);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    if (delta) deltas[i] = counts[i]!;
    else {
      const [lower, upper] = bucketBounds(bounds, i);
      const dx = context.cache.diff(dims.withTags(boundTags(lower, upper)), p.startTimeUnixNano, p.timeUnixNano, counts[i]!);
      // A bucket that went down (a reset with unknown start time) holds nothing new.
      deltas[i] = dx === undefined || dx < 0 ? 0 : Math.trunc(dx);
    }
    total += deltas[i]!;
  }
  if (total > MAX_SKETCH_COUNT) {
    context.drop('histogram', 'sketch_count_over_limit');
    return;
  }

  const builder = new SketchBuilder();
  let minBound = 0;
  let maxBound = 0;
  let minBoundSet = false;
  for (let i = 0; i < counts.length; i++) {
    const [originalLower, originalUpper] = bucketBounds(bounds, i);
    let lower = originalLower;
    let upper = originalUpper;
    // Interpolation needs finite bounds: an open bucket goes to its finite bound.
    if (upper === Infinity) upper = lower;
    else if (lower === -Infinity) lower = upper;
    if (deltas[i]! > 0) {
      builder.insertInterpolate(lower, upper, deltas[i]!);
      if (!minBoundSet) {
        minBound = originalLower;
        minBoundSet = true;
      }
      maxBound = originalUpper;
    }
  }
  if (builder.empty) {
    if (delta) context.drop('histogram', 'empty');
    return;
  }

  const out = builder.finish();
  let { cnt, sum, avg, min, max } = out;
  if (totals.ok && totals.count > 0) {
    // Exact count and sum override the sketch's approximations.
    cnt = totals.count;
    sum = totals.sum;
    avg = sum / cnt;
  }
  if (minBoundSet) {
    if (Number.isFinite(minBound)) min = minBound;
    if (Number.isFinite(maxBound)) max = maxBound;
  }
  if (totals.minFromLastWindow) min = p.min!;
  else if (p.min !== undefined) min = Math.max(p.min, min);
  if (totals.maxFromLastWindow) max = p.max!;
  else if (p.max !== undefined) max = Math.min(p.max, max);
  const sketch: SketchData = { ...out, cnt, sum, avg, min, max };
  context.emit.sketch(dims, p.timeUnixNano, sketch);
}

// Exponential histograms (mapExponentialHistogramMetrics): delta points only (the mapping does not
// take cumulative ones); with histograms.send_aggregation_metrics `.count`, `.sum`, `.min`,
// `.max`; always a sketch (exponential-sketch.ts) whose count, sum and avg are the point's exact
// ones, min and max the point's when it has them (the sum, for a single observation).
import type { SketchData } from '../consumer.js';
import { FLAG_NO_RECORDED_VALUE, TEMPORALITY_DELTA, type ExponentialBuckets, type ExponentialHistogramDataPoint } from '../model.js';
import { isSkippable, type PointContext } from './emitter.js';
import { exponentialToSketch } from './exponential-sketch.js';
import { MAX_SKETCH_COUNT } from './sketch-builder.js';

const NO_BUCKETS: ExponentialBuckets = { offset: 0, bucketCounts: [] };

export function mapExponentialHistogram(context: PointContext, points: readonly ExponentialHistogramDataPoint[], temporality: number): void {
  for (const p of points) {
    if (temporality !== TEMPORALITY_DELTA) {
      context.drop('exponentialHistogram', 'unsupported_temporality');
      continue;
    }
    if ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0) {
      context.drop('exponentialHistogram', 'no_recorded_value');
      continue;
    }
    const positive = p.positive ?? NO_BUCKETS;
    const negative = p.negative ?? NO_BUCKETS;
    if (!validBuckets(positive) || !validBuckets(negative) || !(p.count >= 0) || !(p.zeroCount >= 0)) {
      context.drop('exponentialHistogram', 'malformed');
      continue;
    }
    const ts = p.timeUnixNano;
    const dims = context.pointDims(p.attributes);
    const sum = p.sum ?? 0;
    const ok = !isSkippable(sum);
    if (context.options.sendAggregationMetrics && ok) {
      context.emit.series(dims.withSuffix('count'), 'count', ts, p.count);
      context.emit.series(dims.withSuffix('sum'), 'count', ts, sum);
      if (p.min !== undefined && !isSkippable(p.min)) context.emit.series(dims.withSuffix('min'), 'gauge', ts, p.min);
      if (p.max !== undefined && !isSkippable(p.max)) context.emit.series(dims.withSuffix('max'), 'gauge', ts, p.max);
    }
    let observations = p.zeroCount;
    for (const c of positive.bucketCounts) observations += c;
    for (const c of negative.bucketCounts) observations += c;
    if (observations > MAX_SKETCH_COUNT) {
      context.drop('exponentialHistogram', 'sketch_count_over_limit');
      continue;
    }
    const conversion = exponentialToSketch(p.scale, p.zeroCount, positive, negative);
    if (!conversion.ok) {
      context.drop('exponentialHistogram', conversion.reason);
      continue;
    }
    const out = conversion.sketch.finish();
    let { cnt, sum: sketchSum, avg, min, max } = out;
    if (ok && p.count > 0) {
      cnt = p.count;
      sketchSum = sum;
      avg = sum / cnt;
      if (p.count === 1) {
        // One observation: it is the sum.
        min = sum;
        max = sum;
      }
    }
    if (p.min !== undefined) min = p.min;
    if (p.max !== undefined) max = p.max;
    const sketch: SketchData = { ...out, cnt, sum: sketchSum, avg, min, max };
    context.emit.sketch(dims, ts, sketch);
  }
}

function validBuckets(buckets: ExponentialBuckets): boolean {
  if (!Number.isInteger(buckets.offset)) return false;
  for (const c of buckets.bucketCounts ?? []) if (!(c >= 0) || !Number.isFinite(c)) return false;
  return true;
}

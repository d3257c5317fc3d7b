// Summaries (mapSummaryMetrics): `.count` as a cumulative monotonic counter (delta counts),
// `.sum` as a cumulative value (delta counts, may go down), and with summaries.mode=gauges each
// quantile as a `.quantile` gauge tagged `quantile:<q>`.
import { FLAG_NO_RECORDED_VALUE, type SummaryDataPoint } from '../model.js';
import { isSkippable, type PointContext } from './emitter.js';
import { quantileTag } from './format.js';

export function mapSummary(context: PointContext, points: readonly SummaryDataPoint[]): void {
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0) {
      context.drop('summary', 'no_recorded_value');
      continue;
    }
    const startTs = p.startTimeUnixNano;
    const ts = p.timeUnixNano;
    const dims = context.pointDims(p.attributes);

    const countDims = dims.withSuffix('count');
    if (isSkippable(p.count)) {
      context.drop('summary', 'nan_or_inf');
    } else {
      const diff = context.cache.monotonicDiff(countDims, startTs, ts, p.count);
      if (diff.drop) context.drop('summary', 'out_of_order');
      else if (!diff.firstPoint) context.emit.series(countDims, 'count', ts, diff.delta);
      else if (i === 0 && context.reportsInitialValue(startTs, ts)) context.emit.series(countDims, 'count', ts, p.count);
      else context.counters.cumulativeFirstPoints++;
    }

    const sumDims = dims.withSuffix('sum');
    if (isSkippable(p.sum)) {
      context.drop('summary', 'nan_or_inf');
    } else {
      const delta = context.cache.diff(sumDims, startTs, ts, p.sum);
      if (delta !== undefined) context.emit.series(sumDims, 'count', ts, delta);
    }

    if (context.options.summaryMode !== 'gauges') continue;
    const quantileDims = dims.withSuffix('quantile');
    for (const q of p.quantileValues ?? []) {
      if (isSkippable(q.value)) continue;
      context.emit.series(quantileDims.withTags([quantileTag(q.quantile)]), 'gauge', ts, q.value);
    }
  }
}

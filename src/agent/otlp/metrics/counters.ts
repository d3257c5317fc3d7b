// What the metrics translator saw and did, for `agent status`: points in, points dropped by metric
// kind and reason, series and sketches out, and the cumulative-to-delta cache's size and losses.

export type PointKind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary' | 'none';

export type DropReason =
  /** FLAG_NO_RECORDED_VALUE: a staleness marker, nothing to report. */
  | 'no_recorded_value'
  /** NaN or ±Inf value (the intake takes neither). */
  | 'nan_or_inf'
  /** AGGREGATION_TEMPORALITY_UNSPECIFIED, or cumulative exponential histograms (the mapping takes neither). */
  | 'unsupported_temporality'
  /** A metric with no data field set. */
  | 'no_data'
  /** A cumulative point not newer than the one remembered for its series. */
  | 'out_of_order'
  /** Buckets and bounds that do not fit together, non-monotonic or NaN bounds, a scale with no mapping, bucket indexes out of range. */
  | 'malformed'
  /** A histogram with nothing in it for this interval. */
  | 'empty'
  /** More observations in one point than an agent sketch can hold (4096 bins of 65535). */
  | 'sketch_count_over_limit';

export class MetricsCounters {
  /** Data points received, whatever became of them. */
  pointsReceived = 0;
  /** Time series points handed to the consumer (gauges and counts). */
  seriesProduced = 0;
  /** Sketches handed to the consumer. */
  sketchesProduced = 0;
  /** First points of cumulative series: remembered, not sent (a delta needs two). */
  cumulativeFirstPoints = 0;
  /** Cumulative series forgotten to keep the cache under its cap (their next point starts over). */
  cumulativeSeriesEvicted = 0;
  /** Cumulative series forgotten after delta_ttl without a point. */
  cumulativeSeriesExpired = 0;
  /** Series the cumulative-to-delta cache holds now. */
  cumulativeSeriesHeld = 0;
  readonly dropped: Partial<Record<PointKind, Partial<Record<DropReason, number>>>> = {};

  drop(kind: PointKind, reason: DropReason, count = 1): void {
    const byReason = (this.dropped[kind] ??= {});
    byReason[reason] = (byReason[reason] ?? 0) + count;
  }

  droppedTotal(): number {
    let total = 0;
    for (const byReason of Object.values(this.dropped)) for (const n of Object.values(byReason)) total += n;
    return total;
  }

  status(): Record<string, unknown> {
    return {
      pointsReceived: this.pointsReceived,
      pointsDropped: this.droppedTotal(),
      pointsDroppedByKind: structuredClone(this.dropped),
      seriesProduced: this.seriesProduced,
      sketchesProduced: this.sketchesProduced,
      cumulativeFirstPoints: this.cumulativeFirstPoints,
      cumulativeSeriesHeld: this.cumulativeSeriesHeld,
      cumulativeSeriesEvicted: this.cumulativeSeriesEvicted,
      cumulativeSeriesExpired: this.cumulativeSeriesExpired,
    };
  }
}

// Gauges and sums (mapNumberMetrics, mapNumberMonotonicMetrics): gauges and non-monotonic
// cumulative sums as gauges, delta sums as counts as sent, cumulative monotonic sums as counts of
// the delta between consecutive points (the first point of a series, or after a reset, remembered
// only — reported when initial_cumulative_monotonic_value says so); the rate-as-gauge Kafka/JVM
// metrics as per-second gauges.
import { FLAG_NO_RECORDED_VALUE, type NumberDataPoint } from '../model.js';
import type { PointKind } from './counters.js';
import { isSkippable, type PointContext } from './emitter.js';

/** Cumulative counters the mapping reports as per-second gauges (rateAsGaugeMetrics). */
const RATE_AS_GAUGE = new Set([
  'kafka.net.bytes_out.rate',
  'kafka.net.bytes_in.rate',
  'kafka.replication.isr_shrinks.rate',
  'kafka.replication.isr_expands.rate',
  'kafka.replication.leader_elections.rate',
  'jvm.gc.minor_collection_count',
  'jvm.gc.major_collection_count',
  'jvm.gc.minor_collection_time',
  'jvm.gc.major_collection_time',
  'kafka.messages_in.rate',
  'kafka.request.produce.failed.rate',
  'kafka.request.fetch.failed.rate',
  'kafka.replication.unclean_leader_elections.rate',
  'kafka.log.flush_rate.rate',
]);

export function mapNumbers(
  context: PointContext,
  kind: PointKind,
  points: readonly NumberDataPoint[],
  rule: 'gauge' | 'count' | 'cumulative' | 'unsupported',
): void {
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (rule === 'unsupported') {
      context.drop(kind, 'unsupported_temporality');
      continue;
    }
    if ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0) {
      context.drop(kind, 'no_recorded_value');
      continue;
    }
    if (isSkippable(p.value)) {
      context.drop(kind, 'nan_or_inf');
      continue;
    }
    const dims = context.pointDims(p.attributes);
    if (rule !== 'cumulative') {
      context.emit.series(dims, rule, p.timeUnixNano, p.value);
      continue;
    }
    const rate = RATE_AS_GAUGE.has(dims.name);
    const diff = context.cache.monotonicDiff(dims, p.startTimeUnixNano, p.timeUnixNano, p.value, rate);
    if (diff.drop) {
      context.drop(kind, 'out_of_order');
    } else if (!diff.firstPoint) {
      context.emit.series(dims, rate ? 'gauge' : 'count', p.timeUnixNano, diff.delta);
    } else if (!rate && i === 0 && context.reportsInitialValue(p.startTimeUnixNano, p.timeUnixNano)) {
      // Only the slice's first point: the mapping reports no initial value for later ones.
      context.emit.series(dims, 'count', p.timeUnixNano, p.value);
    } else {
      context.counters.cumulativeFirstPoints++;
    }
  }
}

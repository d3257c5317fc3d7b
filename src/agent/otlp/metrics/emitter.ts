// What every metric kind's mapping shares: the metric's base dimensions, the point's tags, the
// settings, the cumulative cache, the counters, and where series and sketches go.
import type { SketchData, TimeSeriesType } from '../consumer.js';
import type { KeyValue } from '../model.js';
import type { DropReason, MetricsCounters, PointKind } from './counters.js';
import type { CumulativeCache } from './cumulative-cache.js';
import type { SeriesDimensions } from './dimensions.js';
import type { MetricsTranslatorOptions } from './options.js';

export interface Emitter {
  series(dims: SeriesDimensions, type: TimeSeriesType, timestampNs: bigint, value: number): void;
  sketch(dims: SeriesDimensions, timestampNs: bigint, sketch: SketchData): void;
}

export class PointContext {
  constructor(
    readonly dims: SeriesDimensions,
    private readonly tagsOf: (attributes: readonly KeyValue[]) => string[],
    readonly options: MetricsTranslatorOptions,
    readonly cache: CumulativeCache,
    readonly counters: MetricsCounters,
    readonly emit: Emitter,
    private readonly startTimeNs: bigint,
  ) {}

  /** The metric's dimensions with the point's attributes as tags. */
  pointDims(attributes: readonly KeyValue[] | undefined): SeriesDimensions {
    return this.dims.withTags(this.tagsOf(attributes ?? []));
  }

  drop(kind: PointKind, reason: DropReason): void {
    this.counters.drop(kind, reason);
  }

  /** sums.initial_cumulative_monotonic_value: is a series' first cumulative value reported as a count? */
  reportsInitialValue(startTs: bigint, ts: bigint): boolean {
    switch (this.options.initialCumulativeMonotonicValue) {
      case 'keep':
        return true;
      case 'drop':
        return false;
      case 'auto':
        // Only a series that began after the agent did: its whole value happened while we listened.
        return this.startTimeNs < startTs && startTs !== ts;
    }
  }
}

/** IEEE values the intake refuses (NaN, ±Inf) are skipped. */
export function isSkippable(value: number): boolean {
  return !Number.isFinite(value);
}

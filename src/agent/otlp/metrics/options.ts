// The metrics translator's settings, named and defaulted as the Datadog Agent's otlp_config.metrics
// (pkg/config/setup: DD_OTLP_CONFIG_METRICS_*); the receivers wire the variables onto these.

export type HistogramMode = 'distributions' | 'counters' | 'nobuckets';
export type SummaryMode = 'gauges' | 'noquantiles';
export type CumulativeMonotonicMode = 'to_delta' | 'raw_value';
export type InitialCumulativeMonotonicValue = 'auto' | 'keep' | 'drop';

export interface MetricsTranslatorOptions {
  /** histograms.mode (DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE): sketches, `.bucket` counts, or neither. */
  readonly histogramMode: HistogramMode;
  /**
   * histograms.send_aggregation_metrics (DD_OTLP_CONFIG_METRICS_HISTOGRAMS_SEND_AGGREGATION_METRICS;
   * formerly send_count_sum_metrics): `.count`, `.sum` and, for delta points, `.min`, `.max`.
   */
  readonly sendAggregationMetrics: boolean;
  /** summaries.mode (DD_OTLP_CONFIG_METRICS_SUMMARIES_MODE): `gauges` adds `.quantile` gauges. */
  readonly summaryMode: SummaryMode;
  /** sums.cumulative_monotonic_mode (DD_OTLP_CONFIG_METRICS_SUMS_CUMULATIVE_MONOTONIC_MODE). */
  readonly cumulativeMonotonicMode: CumulativeMonotonicMode;
  /** sums.initial_cumulative_monotonic_value (DD_OTLP_CONFIG_METRICS_SUMS_INITIAL_CUMULATIVE_MONOTONIC_VALUE). */
  readonly initialCumulativeMonotonicValue: InitialCumulativeMonotonicValue;
  /** resource_attributes_as_tags (DD_OTLP_CONFIG_METRICS_RESOURCE_ATTRIBUTES_AS_TAGS): every resource attribute as a tag. */
  readonly resourceAttributesAsTags: boolean;
  /** instrumentation_scope_metadata_as_tags (DD_OTLP_CONFIG_METRICS_INSTRUMENTATION_SCOPE_METADATA_AS_TAGS). */
  readonly instrumentationScopeMetadataAsTags: boolean;
  /** delta_ttl (DD_OTLP_CONFIG_METRICS_DELTA_TTL), seconds a cumulative series is remembered after its last point. */
  readonly deltaTtlSeconds: number;
  /** otlp_config.metrics.tags (DD_OTLP_CONFIG_METRICS_TAGS): tags added to every OTLP metric. */
  readonly tags: readonly string[];
  /** Host metrics (`system.*`, `process.*`) renamed `otel.*` so they do not collide with the agent's own, as Agent ingestion does. */
  readonly otelPrefix: boolean;
  /** Series remembered for cumulative-to-delta at most (not an Agent setting: the built-in agent's memory bound). */
  readonly maxCumulativeSeries: number;
  /** Milliseconds since epoch; tests pass a clock they move. */
  readonly clock: () => number;
}

export const DEFAULT_METRICS_OPTIONS: MetricsTranslatorOptions = {
  histogramMode: 'distributions',
  sendAggregationMetrics: false,
  summaryMode: 'gauges',
  cumulativeMonotonicMode: 'to_delta',
  initialCumulativeMonotonicValue: 'auto',
  resourceAttributesAsTags: false,
  instrumentationScopeMetadataAsTags: true,
  deltaTtlSeconds: 3600,
  tags: [],
  otelPrefix: true,
  maxCumulativeSeries: 50_000,
  clock: () => Date.now(),
};

const HISTOGRAM_MODES: readonly HistogramMode[] = ['distributions', 'counters', 'nobuckets'];
const SUMMARY_MODES: readonly SummaryMode[] = ['gauges', 'noquantiles'];
const CUMULATIVE_MODES: readonly CumulativeMonotonicMode[] = ['to_delta', 'raw_value'];
const INITIAL_VALUES: readonly InitialCumulativeMonotonicValue[] = ['auto', 'keep', 'drop'];

/** The defaults overlaid with `options`; throws an Error naming the variable and the fix for a bad combination. */
export function resolveMetricsOptions(options: Partial<MetricsTranslatorOptions> = {}): MetricsTranslatorOptions {
  const resolved = { ...DEFAULT_METRICS_OPTIONS, ...stripUndefined(options) };
  oneOf('DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE', resolved.histogramMode, HISTOGRAM_MODES);
  oneOf('DD_OTLP_CONFIG_METRICS_SUMMARIES_MODE', resolved.summaryMode, SUMMARY_MODES);
  oneOf('DD_OTLP_CONFIG_METRICS_SUMS_CUMULATIVE_MONOTONIC_MODE', resolved.cumulativeMonotonicMode, CUMULATIVE_MODES);
  oneOf('DD_OTLP_CONFIG_METRICS_SUMS_INITIAL_CUMULATIVE_MONOTONIC_VALUE', resolved.initialCumulativeMonotonicValue, INITIAL_VALUES);
  if (resolved.histogramMode === 'nobuckets' && !resolved.sendAggregationMetrics) {
    throw new Error(
      'DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE=nobuckets sends nothing for histograms unless DD_OTLP_CONFIG_METRICS_HISTOGRAMS_SEND_AGGREGATION_METRICS=true: set one or the other',
    );
  }
  if (!(resolved.deltaTtlSeconds > 0)) {
    throw new Error(`DD_OTLP_CONFIG_METRICS_DELTA_TTL must be a positive number of seconds, got ${resolved.deltaTtlSeconds}: write e.g. 3600`);
  }
  return resolved;
}

function oneOf<T extends string>(variable: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) throw new Error(`${variable}=${String(value)} is not one of ${allowed.join(', ')}: write one of those`);
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

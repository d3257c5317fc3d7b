// The OTLP metrics translator: what the receivers and the agent wire.
export { MetricsTranslator } from './translator.js';
export { MetricsCounters, type DropReason, type PointKind } from './counters.js';
export {
  DEFAULT_METRICS_OPTIONS,
  resolveMetricsOptions,
  type CumulativeMonotonicMode,
  type HistogramMode,
  type InitialCumulativeMonotonicValue,
  type MetricsTranslatorOptions,
  type SummaryMode,
} from './options.js';

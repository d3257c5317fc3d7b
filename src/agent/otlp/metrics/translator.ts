// OTLP metrics to Datadog series and sketches, as the Datadog Agent's OTLP ingestion maps them
// (opentelemetry-mapping-go pkg/otlp/metrics, metrics_translator.go): the resource names the
// host and a few tags, each point adds its attributes as tags, and each kind of metric has its
// rule (numbers.ts, histograms.ts, exponential.ts, summaries.ts). Knows nothing of where points
// go: it calls a MetricsConsumer. A malformed point is counted and skipped, never thrown.
import { attributeTags, originId, resourceHost, resourceTags, scopeTags } from '../attributes.js';
import type { MetricsConsumer } from '../consumer.js';
import type { ExportMetricsServiceRequest, KeyValue, Metric, ResourceMetrics } from '../model.js';
import { MetricsCounters, type PointKind } from './counters.js';
import { CumulativeCache } from './cumulative-cache.js';
import { SeriesDimensions } from './dimensions.js';
import { PointContext, type Emitter } from './emitter.js';
import { mapExponentialHistogram } from './exponential.js';
import { mapHistogram } from './histograms.js';
import { mapNumbers } from './numbers.js';
import { otelPrefixedName } from './rename.js';
import { resolveMetricsOptions, type MetricsTranslatorOptions } from './options.js';
import { mapSummary } from './summaries.js';

/** Metrics carrying APM stats for the trace agent (keyStatsPayload), not series. */
const APM_STATS_METRIC = 'dd.internal.stats.payload';

export class MetricsTranslator {
  readonly options: MetricsTranslatorOptions;
  private readonly cache: CumulativeCache;
  /** When this translator started (ns): initial_cumulative_monotonic_value=auto reports series that began after it. */
  private readonly startTimeNs: bigint;

  constructor(
    options: Partial<MetricsTranslatorOptions> = {},
    readonly counters: MetricsCounters = new MetricsCounters(),
  ) {
    this.options = resolveMetricsOptions(options);
    this.cache = new CumulativeCache(this.options.deltaTtlSeconds, this.options.maxCumulativeSeries, this.options.clock, counters);
    this.startTimeNs = BigInt(Math.floor(this.options.clock())) * 1_000_000n;
  }

  /** Maps every point of `request` to `consumer` calls. */
  consume(request: ExportMetricsServiceRequest, consumer: MetricsConsumer): void {
    this.cache.sweep();
    const emitter = this.emitterFor(consumer);
    for (const resourceMetrics of request.resourceMetrics ?? []) this.consumeResource(resourceMetrics, emitter);
  }

  private emitterFor(consumer: MetricsConsumer): Emitter {
    const extra = this.options.tags;
    const counters = this.counters;
    const withExtra = (dims: SeriesDimensions) => ({ name: dims.name, tags: extra.length === 0 ? dims.tags : [...extra, ...dims.tags], host: dims.host });
    return {
      series(dims, type, timestampNs, value) {
        counters.seriesProduced++;
        consumer.consumeTimeSeries(withExtra(dims), type, timestampNs, value);
      },
      sketch(dims, timestampNs, sketch) {
        counters.sketchesProduced++;
        consumer.consumeSketch(withExtra(dims), timestampNs, sketch);
      },
    };
  }

  private consumeResource(resourceMetrics: ResourceMetrics, emitter: Emitter): void {
    const resourceAttributes = resourceMetrics.resource?.attributes ?? [];
    const host = resourceHost(resourceAttributes);
    const origin = originId(resourceAttributes);
    const resourceTagList = resourceTags(resourceAttributes);
    const pointAttributes = this.options.resourceAttributesAsTags ? withResourceAttributes(resourceAttributes) : (attributes: readonly KeyValue[]) => attributes;
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      const tags = this.options.instrumentationScopeMetadataAsTags && scopeMetrics.scope !== undefined ? [...resourceTagList, ...scopeTags(scopeMetrics.scope)] : resourceTagList;
      for (const metric of scopeMetrics.metrics ?? []) {
        if (metric.name === APM_STATS_METRIC && metric.data.type === 'sum') continue;
        const name = this.options.otelPrefix ? otelPrefixedName(metric.name) : metric.name;
        const context = new PointContext(
          new SeriesDimensions(name, tags, host, origin),
          (attributes) => attributeTags(pointAttributes(attributes)),
          this.options,
          this.cache,
          this.counters,
          emitter,
          this.startTimeNs,
        );
        this.consumeMetric(metric, context);
      }
    }
  }

  private consumeMetric(metric: Metric, context: PointContext): void {
    const data = metric.data;
    const points = data.type === 'none' ? 1 : data.dataPoints.length;
    this.counters.pointsReceived += points;
    const kind: PointKind = data.type;
    try {
      switch (data.type) {
        case 'gauge':
          mapNumbers(context, kind, data.dataPoints, 'gauge');
          return;
        case 'sum':
          mapNumbers(context, kind, data.dataPoints, sumRule(data.aggregationTemporality, data.isMonotonic, this.options.cumulativeMonotonicMode));
          return;
        case 'histogram':
          mapHistogram(context, data.dataPoints, data.aggregationTemporality);
          return;
        case 'exponentialHistogram':
          mapExponentialHistogram(context, data.dataPoints, data.aggregationTemporality);
          return;
        case 'summary':
          mapSummary(context, data.dataPoints);
          return;
        case 'none':
          this.counters.drop('none', 'no_data');
          return;
      }
    } catch {
      // A shape the model's types do not promise (a hostile decoder output): the metric's points are lost, counted.
      this.counters.drop(kind, 'malformed', points);
    }
  }
}

/** Datadog type of a sum's points: delta → count, cumulative monotonic → delta counts, the rest → gauge. */
function sumRule(temporality: number, monotonic: boolean, mode: MetricsTranslatorOptions['cumulativeMonotonicMode']): 'gauge' | 'count' | 'cumulative' | 'unsupported' {
  if (temporality === 1) return 'count';
  if (temporality !== 2) return 'unsupported';
  if (monotonic && mode === 'to_delta') return 'cumulative';
  return 'gauge';
}

/** resource_attributes_as_tags: the resource's attributes join each point's, overriding those of the same key. */
function withResourceAttributes(resource: readonly KeyValue[]): (attributes: readonly KeyValue[]) => readonly KeyValue[] {
  if (resource.length === 0) return (attributes) => attributes;
  const keys = new Set(resource.map((kv) => kv.key));
  return (attributes) => [...attributes.filter((kv) => !keys.has(kv.key)), ...resource];
}

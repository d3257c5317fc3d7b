// ExportTraceServiceRequest → TracesConsumer calls, as the trace-agent's receiveResourceSpansV2: one call per
// ResourceSpans, spans grouped by (the low 64 bits of) their trace id, the tracer identity from the resource.
import { keepByRate } from '../../apm/sampler.js';
import { PRIORITY_AUTO_DROP, PRIORITY_AUTO_KEEP, SAMPLING_PRIORITY_KEY, type Span } from '../../apm/span.js';
import type { TracerIdentity } from '../../apm/process-traces.js';
import type { TracesConsumer } from '../consumer.js';
import type { ExportTraceServiceRequest, OtlpSpan, ResourceSpans } from '../model.js';
import { AttributeMap } from './attribute-map.js';
import { DD_KEYS } from './conventions.js';
import { convertSpan, uint64Of, type SpanMappingOptions } from './convert-span.js';
import { TracesCounters, type SpanDropReason } from './counters.js';

export interface TracesTranslatorOptions {
  /** apm_config.features `enable_otlp_compute_top_level_by_span_kind` (off in the Agent by default). */
  readonly computeTopLevelBySpanKind?: boolean;
  /** apm_config.features `disable_operation_and_resource_name_logic_v2` (v2 names by default). */
  readonly operationAndResourceNameV1?: boolean;
  /** otlp_config.traces.span_name_as_resource_name (false); true selects the v1 names, as in the Agent. */
  readonly spanNameAsResourceName?: boolean;
  /** otlp_config.traces.span_name_remappings ({}); any entry selects the v1 names, as in the Agent. */
  readonly spanNameRemappings?: Readonly<Record<string, string>>;
  /** otlp_config.traces.probabilistic_sampler.sampling_percentage (100: keep every trace). */
  readonly samplingPercentage?: number;
  /** Also set `_dd.p.tid` (high 64 bits of the trace id, 16 hex) where non-zero; not done by the Agent, which sets only `otel.trace_id`. */
  readonly highTraceIdTag?: boolean;
}

/** Per call: what the receiver learnt from the request itself. */
export interface TranslateContext {
  /** The `Datadog-Client-Computed-Stats` header was set. */
  readonly clientComputedStats?: boolean;
}

export interface TranslateResult {
  readonly acceptedSpans: number;
  /** For the OTLP partial-success `rejected_spans`. */
  readonly rejectedSpans: number;
}

/** Sampling decision maker tags (`_dd.p.dm`): the user's priority, or the OTLP probabilistic sampler. */
const DECISION_USER = '-4';
const DECISION_PROBABILISTIC = '-9';

function allZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

function invalidIds(span: OtlpSpan): SpanDropReason | undefined {
  if (span.traceId.length !== 16) return 'invalid_trace_id';
  if (allZero(span.traceId)) return 'trace_id_zero';
  if (span.spanId.length !== 8) return 'invalid_span_id';
  if (allZero(span.spanId)) return 'span_id_zero';
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8) return 'invalid_parent_span_id';
  return undefined;
}

export class TracesTranslator {
  private readonly mapping: SpanMappingOptions;
  private readonly samplingRate: number;
  private readonly highTraceIdTag: boolean;

  constructor(
    options: TracesTranslatorOptions = {},
    readonly counters: TracesCounters = new TracesCounters(),
  ) {
    const remappings = options.spanNameRemappings ?? {};
    const spanNameAsResourceName = options.spanNameAsResourceName ?? false;
    this.mapping = {
      computeTopLevelBySpanKind: options.computeTopLevelBySpanKind ?? false,
      operationAndResourceNameV1: (options.operationAndResourceNameV1 ?? false) || spanNameAsResourceName || Object.keys(remappings).length > 0,
      spanNameAsResourceName,
      spanNameRemappings: remappings,
    };
    const rate = (options.samplingPercentage ?? 100) / 100;
    // Out of (0, 1): the user sampled in the SDK, or not at all; keep what was sent.
    this.samplingRate = rate > 0 && rate < 1 ? rate : 1;
    this.highTraceIdTag = options.highTraceIdTag ?? true;
  }

  translate(request: ExportTraceServiceRequest, consumer: TracesConsumer, context: TranslateContext = {}): TranslateResult {
    this.counters.requests++;
    let accepted = 0;
    let rejected = 0;
    for (const resourceSpans of request.resourceSpans) {
      const result = this.translateResource(resourceSpans, consumer, context);
      accepted += result.acceptedSpans;
      rejected += result.rejectedSpans;
    }
    return { acceptedSpans: accepted, rejectedSpans: rejected };
  }

  private translateResource(resourceSpans: ResourceSpans, consumer: TracesConsumer, context: TranslateContext): TranslateResult {
    const { counters } = this;
    counters.resourceSpans++;
    const resource = new AttributeMap(resourceSpans.resource.attributes);
    const byTrace = new Map<bigint, Span[]>();
    let accepted = 0;
    let rejected = 0;
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const otel of scopeSpans.spans) {
        counters.spansReceived++;
        const bad = invalidIds(otel);
        if (bad) {
          counters.drop(bad);
          rejected++;
          continue;
        }
        let span: Span;
        try {
          span = convertSpan(otel, resource, scopeSpans.scope, this.mapping);
        } catch {
          counters.drop('malformed');
          rejected++;
          continue;
        }
        if (this.highTraceIdTag) {
          const high = uint64Of(otel.traceId, 0);
          if (high !== 0n) span.meta['_dd.p.tid'] = high.toString(16).padStart(16, '0');
        }
        let trace = byTrace.get(span.traceId);
        if (!trace) {
          trace = [];
          byTrace.set(span.traceId, trace);
        }
        trace.push(span);
        accepted++;
      }
    }
    if (byTrace.size === 0) return { acceptedSpans: 0, rejectedSpans: rejected };

    const traces = [...byTrace.values()];
    for (const spans of traces) this.decidePriority(spans);
    const tracer: TracerIdentity = {
      language: resource.first(true, 'telemetry.sdk.language'),
      languageVersion: '',
      tracerVersion: `otlp-${resource.first(true, 'telemetry.sdk.version')}`,
      containerId: resource.first(true, DD_KEYS.containerId) || resource.first(true, 'container.id', 'k8s.pod.uid'),
      clientComputedStats: resource.first(true, '_dd.stats_computed') !== '' || (context.clientComputedStats ?? false),
      clientComputedTopLevel: this.mapping.computeTopLevelBySpanKind,
    };
    try {
      consumer.consumeTraces(traces, tracer);
    } catch {
      counters.drop('consumer_error', accepted);
      return { acceptedSpans: 0, rejectedSpans: rejected + accepted };
    }
    counters.spansAccepted += accepted;
    counters.traces += traces.length;
    counters.payloads++;
    return { acceptedSpans: accepted, rejectedSpans: rejected };
  }

  /** The chunk priority of `createChunks`: the user's `sampling.priority`, else the probabilistic sampler's. */
  private decidePriority(spans: Span[]): void {
    const first = spans[0]!;
    let userPriority: number | undefined;
    for (const s of spans) {
      const p = s.metrics[SAMPLING_PRIORITY_KEY];
      if (p !== undefined) userPriority = p;
    }
    let priority: number;
    let decision: string;
    if (userPriority !== undefined) {
      priority = Math.trunc(userPriority);
      decision = DECISION_USER;
    } else {
      priority = keepByRate(first.traceId, this.samplingRate) ? PRIORITY_AUTO_KEEP : PRIORITY_AUTO_DROP;
      decision = DECISION_PROBABILISTIC;
      // The span model has no chunk priority: the trace pipeline reads it from the spans.
      first.metrics[SAMPLING_PRIORITY_KEY] = priority;
    }
    if (priority > 0) first.meta['_dd.p.dm'] = decision;
  }
}

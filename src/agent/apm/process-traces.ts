// One request's traces through the trace-agent pipeline: normalise, obfuscate, stats, sample.
import type { ApmCounters } from './counters.js';
import { findRoot, normalizeTrace } from './normalize-trace.js';
import { obfuscateSpan } from './obfuscate.js';
import type { PrioritySampler } from './sampler.js';
import { PRIORITY_NONE, SAMPLING_PRIORITY_KEY, type Span, type TraceChunk, type TracerPayload } from './span.js';
import type { StatsConcentrator } from './stats-concentrator.js';

/** What the request's headers say about the tracer that sent it. */
export interface TracerIdentity {
  readonly language: string;
  readonly languageVersion: string;
  readonly tracerVersion: string;
  readonly containerId: string;
  /** `Datadog-Client-Computed-Stats`: the tracer sends its own stats to /v0.6/stats. */
  readonly clientComputedStats: boolean;
  /** The sender marked `_top_level` itself (OTLP with top level by span kind): the agent keeps its marks. */
  readonly clientComputedTopLevel?: boolean;
}

export interface ProcessorOptions {
  readonly sampler: PrioritySampler;
  readonly concentrator: StatsConcentrator;
  readonly counters: ApmCounters;
  /** DD_ENV: the env of spans that carry none. */
  readonly defaultEnv: string;
  /** Nanoseconds since the epoch. */
  readonly nowNs: () => bigint;
}

function priorityOf(root: Span, spans: Span[]): number {
  const own = root.metrics[SAMPLING_PRIORITY_KEY];
  if (own !== undefined) return Math.trunc(own);
  for (const s of spans) {
    const p = s.metrics[SAMPLING_PRIORITY_KEY];
    if (p !== undefined) return Math.trunc(p);
  }
  return PRIORITY_NONE;
}

export function processTraces(traces: Span[][], tracer: TracerIdentity, options: ProcessorOptions): TracerPayload {
  const { counters, sampler, concentrator } = options;
  const chunks: TraceChunk[] = [];
  let env = '';
  let appVersion = '';
  let runtimeId = '';
  for (const spans of traces) {
    const reason = normalizeTrace(spans, tracer.language, options.nowNs, !tracer.clientComputedTopLevel);
    if (reason) {
      counters.drop(reason);
      continue;
    }
    const root = findRoot(spans);
    const traceEnv = root.meta.env || options.defaultEnv;
    env ||= traceEnv;
    appVersion ||= root.meta.version ?? '';
    runtimeId ||= root.meta['runtime-id'] ?? '';
    const origin = root.meta['_dd.origin'] ?? '';
    for (const span of spans) obfuscateSpan(span);
    sampler.observe(root.service, traceEnv);
    if (!tracer.clientComputedStats) {
      const rate = root.metrics._sample_rate;
      const weight = rate !== undefined && rate > 0 && rate <= 1 ? 1 / rate : 1;
      concentrator.add(spans, { env: traceEnv, version: root.meta.version ?? '', lang: tracer.language, tracerVersion: tracer.tracerVersion, runtimeId: root.meta['runtime-id'] ?? '' }, origin, weight);
    }
    const priority = priorityOf(root, spans);
    const decision = sampler.decide(priority, spans, root, traceEnv);
    if (decision === 'dropped') {
      counters.drop('sampled_out');
      continue;
    }
    counters.keep(decision);
    chunks.push({ priority: priority === PRIORITY_NONE ? 1 : priority, origin, spans, droppedTrace: false });
  }
  return {
    containerId: tracer.containerId,
    languageName: tracer.language,
    languageVersion: tracer.languageVersion,
    tracerVersion: tracer.tracerVersion,
    runtimeId,
    env,
    appVersion,
    chunks,
  };
}

// OTLP ingest as the agent runs it: the receivers of otlp_config, their metrics into the aggregator
// through the metrics translator, their spans into the trace agent through the traces translator.
// The entry of lib/otlp.js, loaded only when an OTLP endpoint is set (see component.ts).
import type { Logger } from '../../log.js';
import { headerTrue } from '../apm/receiver.js';
import type { AgentSettings } from '../settings.js';
import type { MetricsConsumer, TracesConsumer } from './consumer.js';
import { createOtlpReceiver, type OtlpReceiver } from './index.js';
import { countDataPoints, countSpans } from './receiver/counters.js';
import { MetricsTranslator } from './metrics/index.js';
import { TracesTranslator } from './traces/index.js';

export interface OtlpIngestOptions {
  readonly settings: AgentSettings['otlp'];
  /** DD_APM_ENABLED: without the trace agent, OTLP spans are refused. */
  readonly apmEnabled: boolean;
  readonly metrics: MetricsConsumer;
  readonly traces: TracesConsumer;
  readonly logger: Logger;
  readonly clock?: () => number;
}

export function createOtlpIngest(options: OtlpIngestOptions): OtlpReceiver {
  const { settings, logger } = options;
  const metricsTranslator = new MetricsTranslator({ ...settings.metrics, ...(options.clock ? { clock: options.clock } : {}) });
  const tracesTranslator = new TracesTranslator(settings.traces);
  const tracesRefusal = !settings.tracesEnabled
    ? 'OTLP traces are off in this agent (DD_OTLP_CONFIG_TRACES_ENABLED=false)'
    : !options.apmEnabled
      ? 'OTLP traces need the trace agent, which is off (DD_APM_ENABLED=false)'
      : undefined;
  return createOtlpReceiver({
    http: settings.httpEndpoint,
    grpc: settings.grpcEndpoint,
    logger,
    metrics(request) {
      if (!settings.metricsEnabled) {
        return { rejected: countDataPoints(request), error: 'OTLP metrics are off in this agent (DD_OTLP_CONFIG_METRICS_ENABLED=false)' };
      }
      metricsTranslator.consume(request, options.metrics);
      return { rejected: 0 };
    },
    traces(request, context) {
      if (tracesRefusal !== undefined) return { rejected: countSpans(request), error: tracesRefusal };
      const result = tracesTranslator.translate(request, options.traces, { clientComputedStats: headerTrue(context.headers['datadog-client-computed-stats']) });
      return { rejected: result.rejectedSpans };
    },
    signalStatus: (signal) =>
      signal === 'metrics'
        ? { enabled: settings.metricsEnabled, mapping: metricsTranslator.counters.status() }
        : { enabled: tracesRefusal === undefined, mapping: tracesTranslator.counters.snapshot() },
  });
}

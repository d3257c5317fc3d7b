// Names Agent OTLP ingestion changes (renameMetrics with the otel prefix) so OpenTelemetry host,
// Kafka and collector metrics never collide with those the agent computes itself.

/** Kafka metrics whose names, `-` turned `_`, would be the Datadog integration's. */
const KAFKA_RENAMED = new Set([
  'kafka.producer.request-rate',
  'kafka.producer.response-rate',
  'kafka.producer.request-latency-avg',
  'kafka.consumer.fetch-size-avg',
  'kafka.producer.compression-rate',
  'kafka.producer.record-retry-rate',
  'kafka.producer.record-send-rate',
  'kafka.producer.record-error-rate',
]);

export function otelPrefixedName(name: string): string {
  if (name.startsWith('process.') || name.startsWith('system.')) return `otel.${name}`;
  if (KAFKA_RENAMED.has(name)) return `otel.${name}`;
  if (name.startsWith('datadog_trace_agent') || name.startsWith('datadog_otlp')) return `otelcol_${name}`;
  return name;
}

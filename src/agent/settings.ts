// The agent's settings: datadog.yaml keys it supports, overridden by DD_* variables (env wins,
// as in the official agent), with the defaults of src/config/variables.ts.
import { existsSync, readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readConfig, variables, type Config, type VariableName } from '../config/variables.js';
import type { LogLevel } from '../log.js';

export interface AgentSettings {
  readonly configPath: string | undefined;
  readonly apiKey: string | undefined;
  readonly site: string;
  readonly ddUrl: string | undefined;
  readonly hostname: string;
  /** Global tags added to every metric, check and event (DD_TAGS, `env:` from DD_ENV). */
  readonly tags: readonly string[];
  readonly logLevel: LogLevel;
  readonly dogstatsdPort: number;
  readonly dogstatsdSocket: string | undefined;
  readonly dogstatsdNonLocalTraffic: boolean;
  /** Bytes asked for; 0 keeps the kernel default; undefined lets the agent pick (rmem_max, ≤ 4 MiB). */
  readonly dogstatsdReceiveBuffer: number | undefined;
  readonly histogramAggregates: readonly string[];
  /** Whole percents, ascending. */
  readonly histogramPercentiles: readonly number[];
  /** The aggregator's caps (src/agent/aggregator/aggregator.ts). */
  readonly dogstatsdLimits: {
    readonly contextLimit: number;
    readonly contextExpirySeconds: number;
    readonly maxSamplesPerContext: number;
    readonly maxSamplesTotal: number;
  };
  /** Bytes of payloads the metrics forwarder holds at most (queued and in flight). */
  readonly forwarderMaxQueueBytes: number;
  readonly cmdPort: number;
  readonly confdPath: string | undefined;
  /** Custom checks' folder (`additional_checksd`); the built-in agent only reports what it holds. */
  readonly checksdPath: string | undefined;
  readonly authTokenPath: string;
  readonly disableHostMetrics: boolean;
  readonly apm: {
    readonly enabled: boolean;
    readonly receiverPort: number;
    readonly nonLocalTraffic: boolean;
    readonly ddUrl: string | undefined;
    readonly maxPayloadSize: number;
    readonly maxTps: number;
    readonly env: string | undefined;
  };
  /** OTLP ingest (otlp_config); the receivers run only with an endpoint set. */
  readonly otlp: {
    readonly httpEndpoint: string | undefined;
    readonly grpcEndpoint: string | undefined;
    readonly metricsEnabled: boolean;
    readonly tracesEnabled: boolean;
    readonly metrics: {
      readonly histogramMode: Config['DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE'];
      readonly sendAggregationMetrics: boolean;
      readonly summaryMode: Config['DD_OTLP_CONFIG_METRICS_SUMMARIES_MODE'];
      readonly cumulativeMonotonicMode: Config['DD_OTLP_CONFIG_METRICS_SUMS_CUMULATIVE_MONOTONIC_MODE'];
      readonly initialCumulativeMonotonicValue: Config['DD_OTLP_CONFIG_METRICS_SUMS_INITIAL_CUMULATIVE_MONOTONIC_VALUE'];
      readonly resourceAttributesAsTags: boolean;
      readonly instrumentationScopeMetadataAsTags: boolean;
      readonly deltaTtlSeconds: number;
    };
    readonly traces: {
      readonly spanNameAsResourceName: boolean;
      readonly samplingPercentage: number;
    };
  };
  /** Values refused (bad YAML, bad variable): each says which and why; defaults were used. */
  readonly problems: readonly string[];
}

type Yaml = Record<string, unknown>;

function yamlAt(yaml: Yaml, path: string): unknown {
  let node: unknown = yaml;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Yaml)[key];
  }
  return node ?? undefined;
}

export function loadSettings(configPath: string | undefined, env: NodeJS.ProcessEnv): AgentSettings {
  const problems: string[] = [];
  let yaml: Yaml = {};
  if (configPath !== undefined) {
    if (!existsSync(configPath)) problems.push(`${configPath} not found; using environment variables and defaults`);
    else {
      try {
        const parsed: unknown = parseYaml(readFileSync(configPath, 'utf8'));
        if (parsed !== null && typeof parsed === 'object') yaml = parsed as Yaml;
      } catch (error) {
        problems.push(`${configPath} is not valid YAML (${(error as Error).message.split('\n')[0]}); using environment variables and defaults`);
      }
    }
  }
  const { config, problems: envProblems } = readConfig(env, 'runtime');
  const refused = new Set(envProblems.map((p) => p.variable));
  for (const p of envProblems) problems.push(p.message);

  /** env (when set and valid) > datadog.yaml key > default. */
  function pick<N extends VariableName>(name: N, yamlKey: string | undefined): Config[N] {
    const raw = env[name];
    if (raw !== undefined && raw !== '' && !refused.has(name)) return config[name];
    const fromYaml = yamlKey === undefined ? undefined : yamlAt(yaml, yamlKey);
    if (fromYaml !== undefined && fromYaml !== '') {
      const text = Array.isArray(fromYaml) ? fromYaml.join(' ') : String(fromYaml);
      try {
        return variables[name].parse(text, `${yamlKey} (datadog.yaml)`) as Config[N];
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return variables[name].default as Config[N];
  }

  const ddEnv = pick('DD_ENV', 'env');
  const tags = [...pick('DD_TAGS', 'tags')];
  if (ddEnv !== undefined && ddEnv !== '' && !tags.some((t) => t.startsWith('env:'))) tags.push(`env:${ddEnv}`);
  const confDir = configPath !== undefined ? dirname(configPath) : process.cwd();
  const confd = yamlAt(yaml, 'confd_path');
  const tokenPath = yamlAt(yaml, 'auth_token_file_path');
  const checksd = yamlAt(yaml, 'additional_checksd');

  return {
    configPath,
    apiKey: pick('DD_API_KEY', 'api_key'),
    site: pick('DD_SITE', 'site'),
    ddUrl: pick('DD_DD_URL', 'dd_url'),
    hostname: pick('DD_HOSTNAME', 'hostname') || osHostname(),
    tags,
    logLevel: pick('DD_LOG_LEVEL', 'log_level'),
    dogstatsdPort: pick('DD_DOGSTATSD_PORT', 'dogstatsd_port'),
    dogstatsdSocket: pick('DD_DOGSTATSD_SOCKET', 'dogstatsd_socket') || undefined,
    dogstatsdNonLocalTraffic: pick('DD_DOGSTATSD_NON_LOCAL_TRAFFIC', 'dogstatsd_non_local_traffic'),
    dogstatsdReceiveBuffer: pick('DD_DOGSTATSD_SO_RCVBUF', 'dogstatsd_so_rcvbuf'),
    histogramAggregates: pick('DD_HISTOGRAM_AGGREGATES', 'histogram_aggregates'),
    histogramPercentiles: [...new Set(pick('DD_HISTOGRAM_PERCENTILES', 'histogram_percentiles').map((p) => Math.round(p * 100)))].sort((a, b) => a - b),
    dogstatsdLimits: {
      contextLimit: pick('DD_DOGSTATSD_CONTEXT_LIMITER_LIMIT', 'dogstatsd_context_limiter.limit'),
      contextExpirySeconds: pick('DD_DOGSTATSD_CONTEXT_EXPIRY_SECONDS', 'dogstatsd_context_expiry_seconds'),
      maxSamplesPerContext: pick('DD_DOGSTATSD_MAX_SAMPLES_PER_CONTEXT', 'dogstatsd_max_samples_per_context'),
      maxSamplesTotal: pick('DD_DOGSTATSD_MAX_SAMPLES_TOTAL', 'dogstatsd_max_samples_total'),
    },
    forwarderMaxQueueBytes: pick('DD_FORWARDER_RETRY_QUEUE_PAYLOADS_MAX_SIZE', 'forwarder_retry_queue_payloads_max_size'),
    cmdPort: pick('DD_CMD_PORT', 'cmd_port'),
    confdPath: typeof confd === 'string' && confd !== '' ? confd : configPath !== undefined ? join(confDir, 'conf.d') : undefined,
    checksdPath: typeof checksd === 'string' && checksd !== '' ? checksd : configPath !== undefined ? join(confDir, 'checks.d') : undefined,
    authTokenPath: typeof tokenPath === 'string' && tokenPath !== '' ? tokenPath : join(confDir, 'auth_token'),
    disableHostMetrics: pick('DD_DISABLE_HOST_METRICS', undefined),
    apm: {
      enabled: pick('DD_APM_ENABLED', 'apm_config.enabled'),
      receiverPort: pick('DD_APM_RECEIVER_PORT', 'apm_config.receiver_port'),
      nonLocalTraffic: pick('DD_APM_NON_LOCAL_TRAFFIC', 'apm_config.apm_non_local_traffic'),
      ddUrl: pick('DD_APM_DD_URL', 'apm_config.apm_dd_url'),
      maxPayloadSize: pick('DD_APM_MAX_PAYLOAD_SIZE', 'apm_config.max_payload_size'),
      maxTps: pick('DD_APM_MAX_TPS', 'apm_config.max_traces_per_second'),
      env: ddEnv,
    },
    otlp: {
      httpEndpoint: pick('DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT', 'otlp_config.receiver.protocols.http.endpoint'),
      grpcEndpoint: pick('DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT', 'otlp_config.receiver.protocols.grpc.endpoint'),
      metricsEnabled: pick('DD_OTLP_CONFIG_METRICS_ENABLED', 'otlp_config.metrics.enabled'),
      tracesEnabled: pick('DD_OTLP_CONFIG_TRACES_ENABLED', 'otlp_config.traces.enabled'),
      metrics: {
        histogramMode: pick('DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE', 'otlp_config.metrics.histograms.mode'),
        sendAggregationMetrics: pick('DD_OTLP_CONFIG_METRICS_HISTOGRAMS_SEND_AGGREGATION_METRICS', 'otlp_config.metrics.histograms.send_aggregation_metrics'),
        summaryMode: pick('DD_OTLP_CONFIG_METRICS_SUMMARIES_MODE', 'otlp_config.metrics.summaries.mode'),
        cumulativeMonotonicMode: pick('DD_OTLP_CONFIG_METRICS_SUMS_CUMULATIVE_MONOTONIC_MODE', 'otlp_config.metrics.sums.cumulative_monotonic_mode'),
        initialCumulativeMonotonicValue: pick('DD_OTLP_CONFIG_METRICS_SUMS_INITIAL_CUMULATIVE_MONOTONIC_VALUE', 'otlp_config.metrics.sums.initial_cumulative_monotonic_value'),
        resourceAttributesAsTags: pick('DD_OTLP_CONFIG_METRICS_RESOURCE_ATTRIBUTES_AS_TAGS', 'otlp_config.metrics.resource_attributes_as_tags'),
        instrumentationScopeMetadataAsTags: pick('DD_OTLP_CONFIG_METRICS_INSTRUMENTATION_SCOPE_METADATA_AS_TAGS', 'otlp_config.metrics.instrumentation_scope_metadata_as_tags'),
        deltaTtlSeconds: pick('DD_OTLP_CONFIG_METRICS_DELTA_TTL', 'otlp_config.metrics.delta_ttl'),
      },
      traces: {
        spanNameAsResourceName: pick('DD_OTLP_CONFIG_TRACES_SPAN_NAME_AS_RESOURCE_NAME', 'otlp_config.traces.span_name_as_resource_name'),
        samplingPercentage: pick('DD_OTLP_CONFIG_TRACES_PROBABILISTIC_SAMPLER_SAMPLING_PERCENTAGE', 'otlp_config.traces.probabilistic_sampler.sampling_percentage'),
      },
    },
    problems,
  };
}

/** `***…abcde`: the last five characters of a real (32-character) key, as the official agent shows it; nothing of a shorter one. */
export function maskApiKey(key: string | undefined): string {
  if (key === undefined || key === '') return '(not set)';
  if (key.length < 32) return '*'.repeat(key.length);
  return `${'*'.repeat(key.length - 5)}${key.slice(-5)}`;
}

// Every variable the buildpack reads, declared once. The README table is generated from here
// (`npm run docs`); code reads values through `readConfig`, never `process.env.DD_*` directly.
import {
  DEFAULT_APM_RECEIVER_PORT,
  DEFAULT_APT_KEYS_URL,
  DEFAULT_APT_REPO_URL,
  DEFAULT_CMD_PORT,
  DEFAULT_DOGSTATSD_PORT,
  DEFAULT_NODE_DIST_URL,
  DEFAULT_SITE,
} from '../constants.js';
import { boolean, decimal, hostPort, integer, oneOf, percentileList, string, tagList, url, wordList, type Parser } from './parsers.js';

/** compile: read from ENV_DIR by bin/compile; runtime: read in the dyno; both: read at each. */
export type Phase = 'compile' | 'runtime' | 'both';

export interface Variable<T> {
  readonly default: T | undefined;
  readonly phase: Phase;
  readonly parse: Parser<T>;
  readonly doc: string;
  /** Never printed, logged or shown in status; `agent config` masks it. */
  readonly secret?: boolean;
  /** How the default reads in the docs when it is computed, not a literal. */
  readonly defaultDoc?: string;
}

/** Keeps the default's own type, so a variable without a default reads as `T | undefined`. */
function variable<T, D extends T | undefined>(spec: Variable<T> & { readonly default: D }): Variable<T> & { readonly default: D } {
  return spec;
}

export const variables = {
  // Compile time: read from ENV_DIR, a change needs a rebuild (and a cache purge on Heroku).
  DD_AGENT_FLAVOR: variable({
    default: 'official' as 'official' | 'builtin',
    phase: 'compile',
    parse: oneOf('official', 'builtin'),
    doc: '`official` installs the Datadog Agent package; `builtin` installs the lightweight TypeScript agent (no download).',
  }),
  DD_AGENT_VERSION: variable({
    default: undefined as string | undefined,
    phase: 'compile',
    parse: string,
    doc: 'Exact agent package version such as `7.81.2-1` (epoch `1:` optional); wins over `DD_AGENT_MAJOR_VERSION`.',
  }),
  DD_AGENT_MAJOR_VERSION: variable({
    default: '7' as '6' | '7',
    phase: 'compile',
    parse: oneOf('7', '6'),
    doc: 'Major version whose pinned release is installed: `7` (7.81.2-1) or `6` (6.53.1-1).',
  }),
  DD_PYTHON_VERSION: variable({
    default: undefined as '2' | '3' | undefined,
    phase: 'compile',
    parse: oneOf('2', '3'),
    defaultDoc: '`3` (agent 7), `2` (agent 6)',
    doc: 'Python runtime kept in an agent 6 >= 6.14 slug; the other is stripped. Agent 7 ships Python 3 only.',
  }),
  DD_APM_ENABLED: variable({
    default: true,
    phase: 'both',
    parse: boolean,
    doc: 'Trace collection on port 8126. `false` strips trace-agent from the slug and disables the receiver.',
  }),
  DD_PROCESS_AGENT: variable({
    default: false,
    phase: 'both',
    parse: boolean,
    doc: '`true` keeps and runs process-agent (live processes); otherwise it is stripped.',
  }),
  DD_APT_REPO_URL: variable({
    default: DEFAULT_APT_REPO_URL,
    phase: 'compile',
    parse: url,
    doc: 'Signed apt repository serving the agent packages (`deb <url> stable <major>`).',
  }),
  DD_APT_KEYS_URL: variable({
    default: DEFAULT_APT_KEYS_URL,
    phase: 'compile',
    parse: url,
    doc: 'Where the `DATADOG_APT_KEY_*.public` signing keys are fetched from.',
  }),
  DD_NODE_DIST_URL: variable({
    default: DEFAULT_NODE_DIST_URL,
    phase: 'compile',
    parse: url,
    doc: 'Node.js dist mirror used when the build has no Node >= 20; checked against its SHASUMS256.txt.',
  }),

  // Dyno time.
  DD_API_KEY: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    secret: true,
    doc: '*Required.* Your Datadog API key. Without it the agent does not start.',
  }),
  DISABLE_DATADOG_AGENT: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    doc: 'Set to any value (also from `prerun.sh`) to keep the agent from starting in this dyno.',
  }),
  DD_HOSTNAME: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    defaultDoc: 'derived',
    doc: 'Host name reported to Datadog. Unset: `<app>.<dyno>` with `DD_DYNO_HOST=true`, else the dyno host name.',
  }),
  DD_DYNO_HOST: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` reports `<HEROKU_APP_NAME>.<DYNO>` (e.g. `myapp.web.1`) as host name.',
  }),
  DD_TAGS: variable({
    default: [] as string[],
    phase: 'runtime',
    parse: tagList,
    doc: 'Extra tags, separated by commas or spaces; `dyno`, `dynotype`, `appname` and `buildpackversion` are added.',
  }),
  DD_ENV: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    doc: 'Environment tag (`env:`) for metrics and traces.',
  }),
  DD_SERVICE: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    doc: 'Service tag (`service:`) for metrics and traces.',
  }),
  DD_VERSION: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    defaultDoc: '`HEROKU_RELEASE_VERSION`',
    doc: 'Version tag (`version:`) for metrics and traces.',
  }),
  DD_SITE: variable({
    default: DEFAULT_SITE,
    phase: 'runtime',
    parse: string,
    doc: 'Datadog site: `datadoghq.com`, `datadoghq.eu`, `us3.datadoghq.com`, `us5.datadoghq.com`, `ap1.datadoghq.com`, `ddog-gov.com`…',
  }),
  DD_DD_URL: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: url,
    defaultDoc: 'from `DD_SITE`',
    doc: 'Metrics intake base URL; overrides the one derived from `DD_SITE`.',
  }),
  DD_APM_DD_URL: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: url,
    defaultDoc: '`https://trace.agent.<DD_SITE>`',
    doc: 'Trace intake base URL.',
  }),
  DD_LOG_LEVEL: variable({
    default: 'info' as 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical' | 'off',
    phase: 'runtime',
    parse: oneOf('trace', 'debug', 'info', 'warn', 'error', 'critical', 'off'),
    doc: 'Agent and buildpack log level; `off` silences the buildpack too.',
  }),
  DD_HEROKU_CONF_FOLDER: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    defaultDoc: '`$HOME/datadog`',
    doc: 'Folder of the app holding `conf.d/`, `checks.d/` and `prerun.sh`.',
  }),
  DD_DISABLE_HOST_METRICS: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` disables the host checks (cpu, memory, disk, network…) of the machine running the dyno, and the built-in agent’s `container` check of the dyno itself.',
  }),
  DD_ENABLE_HEROKU_POSTGRES: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` configures the Postgres check from the URLs named by `DD_POSTGRES_URL_VAR`.',
  }),
  DD_POSTGRES_URL_VAR: variable({
    default: ['DATABASE_URL'],
    phase: 'runtime',
    parse: wordList,
    doc: 'Comma-separated names of the variables holding Postgres URLs.',
  }),
  DD_ENABLE_DBM: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` sets `dbm: true` on the generated Postgres instances (Database Monitoring).',
  }),
  DD_ENABLE_HEROKU_REDIS: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` configures the Redis check from the URLs named by `DD_REDIS_URL_VAR`.',
  }),
  DD_REDIS_URL_VAR: variable({
    default: ['REDIS_URL'],
    phase: 'runtime',
    parse: wordList,
    doc: 'Comma-separated names of the variables holding Redis URLs.',
  }),
  DD_HISTOGRAM_AGGREGATES: variable({
    default: ['max', 'median', 'avg', 'count'],
    phase: 'runtime',
    parse: wordList,
    doc: 'Aggregates sent for histograms and timers, among `max median avg count min sum`.',
  }),
  DD_HISTOGRAM_PERCENTILES: variable({
    default: [0.95],
    phase: 'runtime',
    parse: percentileList,
    doc: 'Percentiles sent for histograms and timers, e.g. `0.95 0.99`.',
  }),
  DD_DOGSTATSD_PORT: variable({
    default: DEFAULT_DOGSTATSD_PORT,
    phase: 'runtime',
    parse: integer(0, 65535),
    doc: 'DogStatsD UDP port; `0` disables UDP.',
  }),
  DD_DOGSTATSD_SOCKET: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: string,
    doc: 'Path of a Unix datagram socket DogStatsD also listens on.',
  }),
  DD_DOGSTATSD_NON_LOCAL_TRAFFIC: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` accepts DogStatsD from other hosts (binds all interfaces).',
  }),
  DD_DOGSTATSD_SO_RCVBUF: variable({
    default: undefined as number | undefined,
    phase: 'runtime',
    parse: integer(0, 2 ** 31 - 1),
    defaultDoc: '`net.core.rmem_max`, at most 4 MiB (built-in agent)',
    doc: 'Receive buffer size of the DogStatsD socket, in bytes (capped by `net.core.rmem_max`); `0` keeps the kernel default.',
  }),
  DD_DOGSTATSD_CONTEXT_LIMITER_LIMIT: variable({
    default: 10_000,
    phase: 'runtime',
    parse: integer(0, 2 ** 31 - 1),
    defaultDoc: '`10000` (built-in agent; the official agent: `0`)',
    doc: 'Most live DogStatsD contexts (datadog.yaml `dogstatsd_context_limiter.limit`). Past it the built-in agent drops the samples of new contexts and counts them (`samplesDroppedByContextLimit` in `agent status`); known contexts keep aggregating. It also bounds the timestamped samples, events and service checks waiting for a flush. `0`: no limit.',
  }),
  DD_DOGSTATSD_CONTEXT_EXPIRY_SECONDS: variable({
    default: 20,
    phase: 'runtime',
    parse: integer(0, 86_400),
    doc: 'Seconds an idle DogStatsD context is remembered (datadog.yaml `dogstatsd_context_expiry_seconds`); counters are kept through their 300 s of zero-fill on top. The built-in agent keeps a context at least one 10 s bucket.',
  }),
  DD_DOGSTATSD_MAX_SAMPLES_PER_CONTEXT: variable({
    default: 10_000,
    phase: 'runtime',
    parse: integer(1, 2 ** 31 - 1),
    doc: 'Built-in agent (datadog.yaml `dogstatsd_max_samples_per_context`): histogram and timer samples kept per context and 10 s bucket. Past it the histogram goes on in a DDSketch: max, min, avg, count and sum stay exact, median and percentiles within 0.8 % (`histogramSamplesSketched` in `agent status`). Sets refuse new members past it (`setMembersDroppedByLimit`).',
  }),
  DD_DOGSTATSD_MAX_SAMPLES_TOTAL: variable({
    default: 1_000_000,
    phase: 'runtime',
    parse: integer(1, 2 ** 31 - 1),
    doc: 'Built-in agent (datadog.yaml `dogstatsd_max_samples_total`): the same cap over all contexts of the buckets not flushed yet (8 bytes a sample, 16 with `@rate`).',
  }),
  DD_FORWARDER_RETRY_QUEUE_PAYLOADS_MAX_SIZE: variable({
    default: 15 * 1024 * 1024,
    phase: 'runtime',
    parse: integer(1, 2 ** 31 - 1),
    doc: 'Bytes of metric payloads the built-in agent holds for the intake, retry queue and requests in flight together (datadog.yaml `forwarder_retry_queue_payloads_max_size`); past it the oldest queued are evicted and counted.',
  }),
  DD_APM_RECEIVER_PORT: variable({
    default: DEFAULT_APM_RECEIVER_PORT,
    phase: 'runtime',
    parse: integer(0, 65535),
    doc: 'Trace receiver port.',
  }),
  DD_APM_NON_LOCAL_TRAFFIC: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` accepts traces from other hosts (binds all interfaces).',
  }),
  DD_APM_MAX_PAYLOAD_SIZE: variable({
    default: 25 * 1024 * 1024,
    phase: 'runtime',
    parse: integer(1, 2 ** 31 - 1),
    doc: 'Largest trace payload accepted, in bytes; bigger ones get 413.',
  }),
  DD_APM_MAX_TPS: variable({
    default: 10,
    phase: 'runtime',
    parse: integer(0, 1_000_000),
    doc: 'Target traces per second kept by priority sampling, per service and env.',
  }),
  // OpenTelemetry ingest (otlp_config of datadog.yaml): off until an endpoint is set.
  DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: hostPort,
    defaultDoc: 'unset (off)',
    doc: 'OTLP/HTTP receiver (`/v1/metrics`, `/v1/traces`, protobuf or JSON): set it to `localhost:4318`, the OpenTelemetry SDKs’ default. `0.0.0.0:4318` listens on every interface.',
  }),
  DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT: variable({
    default: undefined as string | undefined,
    phase: 'runtime',
    parse: hostPort,
    defaultDoc: 'unset (off)',
    doc: 'OTLP/gRPC receiver: set it to `localhost:4317`, the OpenTelemetry SDKs’ default.',
  }),
  DD_OTLP_CONFIG_METRICS_ENABLED: variable({
    default: true,
    phase: 'runtime',
    parse: boolean,
    doc: '`false` refuses OTLP metrics (answered, dropped, counted) while an OTLP receiver runs.',
  }),
  DD_OTLP_CONFIG_TRACES_ENABLED: variable({
    default: true,
    phase: 'runtime',
    parse: boolean,
    doc: '`false` refuses OTLP traces (answered, dropped, counted) while an OTLP receiver runs. OTLP traces also need `DD_APM_ENABLED`.',
  }),
  DD_OTLP_CONFIG_METRICS_HISTOGRAMS_MODE: variable({
    default: 'distributions' as 'distributions' | 'counters' | 'nobuckets',
    phase: 'runtime',
    parse: oneOf('distributions', 'counters', 'nobuckets'),
    doc: 'OTLP histograms as distributions (`distributions`), as `<name>.bucket` counts tagged `lower_bound`/`upper_bound` (`counters`), or neither (`nobuckets`, with the next variable).',
  }),
  DD_OTLP_CONFIG_METRICS_HISTOGRAMS_SEND_AGGREGATION_METRICS: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` also sends `<name>.count`, `<name>.sum` (and `.min`, `.max` of delta histograms) for OTLP histograms.',
  }),
  DD_OTLP_CONFIG_METRICS_SUMMARIES_MODE: variable({
    default: 'gauges' as 'gauges' | 'noquantiles',
    phase: 'runtime',
    parse: oneOf('gauges', 'noquantiles'),
    doc: 'OTLP summaries: `<name>.sum` and `<name>.count`, plus `<name>.quantile` gauges tagged `quantile` (`gauges`) or not (`noquantiles`).',
  }),
  DD_OTLP_CONFIG_METRICS_SUMS_CUMULATIVE_MONOTONIC_MODE: variable({
    default: 'to_delta' as 'to_delta' | 'raw_value',
    phase: 'runtime',
    parse: oneOf('to_delta', 'raw_value'),
    doc: 'Cumulative monotonic OTLP sums as counts of the increase (`to_delta`) or gauges of the running total (`raw_value`).',
  }),
  DD_OTLP_CONFIG_METRICS_SUMS_INITIAL_CUMULATIVE_MONOTONIC_VALUE: variable({
    default: 'auto' as 'auto' | 'keep' | 'drop',
    phase: 'runtime',
    parse: oneOf('auto', 'keep', 'drop'),
    doc: 'The first point of a cumulative monotonic sum: kept when its series started after the agent (`auto`), always (`keep`) or never (`drop`).',
  }),
  DD_OTLP_CONFIG_METRICS_RESOURCE_ATTRIBUTES_AS_TAGS: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` adds every OTLP resource attribute as a tag (by default only the mapped ones: `service.name` → `service`, `deployment.environment` → `env`…).',
  }),
  DD_OTLP_CONFIG_METRICS_INSTRUMENTATION_SCOPE_METADATA_AS_TAGS: variable({
    default: true,
    phase: 'runtime',
    parse: boolean,
    doc: 'Tags OTLP metrics with `instrumentation_scope` and `instrumentation_scope_version`.',
  }),
  DD_OTLP_CONFIG_METRICS_DELTA_TTL: variable({
    default: 3600,
    phase: 'runtime',
    parse: integer(1, 2 ** 31 - 1),
    doc: 'Seconds a cumulative OTLP series is remembered after its last point, to turn the next one into a delta.',
  }),
  DD_OTLP_CONFIG_TRACES_SPAN_NAME_AS_RESOURCE_NAME: variable({
    default: false,
    phase: 'runtime',
    parse: boolean,
    doc: '`true` uses the OpenTelemetry span name as the operation name of OTLP spans (by default it is derived from the span kind and attributes, as the Datadog Agent does).',
  }),
  DD_OTLP_CONFIG_TRACES_PROBABILISTIC_SAMPLER_SAMPLING_PERCENTAGE: variable({
    default: 100,
    phase: 'runtime',
    parse: decimal(0, 100),
    doc: 'Percent of OTLP traces kept, by trace id, before the agent’s own sampling.',
  }),
  DD_CMD_PORT: variable({
    default: DEFAULT_CMD_PORT,
    phase: 'runtime',
    parse: integer(1, 65535),
    doc: 'Port of the agent IPC API on 127.0.0.1 (`agent status`).',
  }),
} as const;

export type VariableName = keyof typeof variables;
type ValueOf<N extends VariableName> =
  (typeof variables)[N] extends Variable<infer T> & { readonly default: infer D } ? T | Extract<D, undefined> : never;
export type Config = { -readonly [N in VariableName]: ValueOf<N> };

export interface ConfigProblem {
  readonly variable: VariableName;
  readonly message: string;
}

/**
 * Typed values of every variable of `phase` (and `both`) from `env`; a value its parser refuses
 * falls back to the default and is reported in `problems`, so one typo never stops the rest.
 */
export function readConfig(env: NodeJS.ProcessEnv, phase?: 'compile' | 'runtime'): { config: Config; problems: ConfigProblem[] } {
  const config: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, spec] of Object.entries(variables) as [VariableName, Variable<unknown>][]) {
    config[name] = spec.default;
    if (phase !== undefined && spec.phase !== phase && spec.phase !== 'both') continue;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    try {
      config[name] = spec.parse(raw, name);
    } catch (error) {
      problems.push({ variable: name, message: (error as Error).message });
    }
  }
  return { config: config as Config, problems };
}

/** Names of the variables whose values must never be shown. */
export const secretVariables: readonly VariableName[] = (Object.keys(variables) as VariableName[]).filter(
  (name) => (variables[name] as Variable<unknown>).secret === true,
);

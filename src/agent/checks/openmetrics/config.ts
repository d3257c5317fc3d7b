// The settings of one `openmetrics_endpoint` instance, validated the way the v2 OpenMetrics base
// check validates them (datadog_checks_base openmetrics/v2): each error names the setting.
import { readFileSync } from 'node:fs';
import { CheckConfigError, booleanSetting, numberSetting, stringSetting } from '../check.js';
import type { Logger } from '../../../log.js';
import { displayUrl } from './http.js';

/** How a metric is submitted: `native` follows the type the endpoint declares. */
export type TransformerType = 'native' | 'native_dynamic' | 'gauge' | 'counter' | 'histogram' | 'summary' | 'rate';

const TRANSFORMER_TYPES: ReadonlySet<string> = new Set<TransformerType>(['native', 'native_dynamic', 'gauge', 'counter', 'histogram', 'summary', 'rate']);
/** Types the official check has that the built-in one does not. */
const OFFICIAL_ONLY_TYPES: ReadonlySet<string> = new Set(['counter_gauge', 'metadata', 'service_check', 'temporal_percent', 'time_elapsed']);

export interface MetricRule {
  /** The sent name (before the namespace); undefined for a regex, which sends the exposed name. */
  readonly name: string | undefined;
  readonly type: TransformerType;
}

export interface OpenMetricsSettings {
  readonly endpoint: URL;
  /** The endpoint as configured, less any credentials: for the `endpoint:` tag and messages. */
  readonly endpointText: string;
  readonly namespace: string;
  readonly rawMetricPrefix: string;
  readonly exactMetrics: ReadonlyMap<string, MetricRule>;
  readonly metricPatterns: readonly { readonly pattern: RegExp; readonly rule: MetricRule }[];
  readonly cacheMetricWildcards: boolean;
  readonly excludeMetrics: ReadonlySet<string>;
  readonly excludeMetricsPattern: RegExp | undefined;
  readonly excludeMetricsByLabels: ReadonlyMap<string, RegExp | true>;
  readonly excludeLabels: ReadonlySet<string>;
  readonly includeLabels: ReadonlySet<string>;
  readonly renameLabels: ReadonlyMap<string, string>;
  readonly hostnameLabel: string;
  readonly hostnameFormat: string;
  readonly tagByEndpoint: boolean;
  readonly healthServiceCheck: boolean;
  readonly ignoreConnectionErrors: boolean;
  readonly collectHistogramBuckets: boolean;
  readonly rawLineFilter: RegExp | undefined;
  readonly useLatestSpec: boolean;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly tlsVerify: boolean;
  readonly tlsCa: Buffer | undefined;
  readonly tlsCert: Buffer | undefined;
  readonly tlsKey: Buffer | undefined;
  readonly maxReturnedMetrics: number;
}

/** The official v2 base check's default metric limit (DEFAULT_METRIC_LIMIT). */
export const DEFAULT_MAX_RETURNED_METRICS = 2000;
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** Options of the official check that change what it sends, and that the built-in one lacks. */
const UNSUPPORTED_OPTIONS: Readonly<Record<string, string>> = {
  share_labels: 'labels shared across metrics',
  target_info: 'target_info labels',
  non_cumulative_histogram_buckets: 'non-cumulative buckets with lower_bound tags',
  histogram_buckets_as_distributions: 'buckets as distributions',
  collect_counters_with_distributions: 'buckets as distributions',
  collect_histograms_as_distributions: 'histograms as distributions',
  use_process_start_time: 'the first-scrape counter heuristic',
  ignore_tags: 'tag filtering',
  auth_token: 'token readers',
  bearer_token_auth: 'Kubernetes bearer tokens',
  kerberos_auth: 'Kerberos',
  ntlm_domain: 'NTLM',
  aws_host: 'AWS signatures',
  proxy: 'proxies',
};

/** Characters Python's `re.escape` escapes: an entry holding one is a regex, as the official check decides. */
const REGEX_CHARACTERS = /[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/;

/** A Python `re` pattern compiled as a JavaScript one (named groups and leading inline flags translated). */
export function compilePythonRegex(pattern: string, setting: string): RegExp {
  let source = pattern.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>').replace(/\\Z/g, '$').replace(/\\A/g, '^');
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline !== null) {
    source = source.slice(inline[0].length);
    for (const flag of inline[1]!) if ('ims'.includes(flag) && !flags.includes(flag)) flags += flag;
  }
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new CheckConfigError(`${setting}: ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mappingSetting(instance: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> {
  const value = instance[key];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new CheckConfigError(`Setting \`${key}\` must be a mapping`);
  return value;
}

function strictListSetting(instance: Readonly<Record<string, unknown>>, key: string): string[] {
  const value = instance[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new CheckConfigError(`Setting \`${key}\` must be an array`);
  value.forEach((entry, i) => {
    if (typeof entry !== 'string') throw new CheckConfigError(`Entry #${i + 1} of setting \`${key}\` must be a string`);
  });
  return value as string[];
}

function metricType(value: unknown, key: string, option: string): TransformerType {
  if (value === undefined || value === null) return 'native';
  if (typeof value !== 'string') throw new CheckConfigError(`Setting \`${option}\`: field \`type\` of metric \`${key}\` must be a string`);
  if (TRANSFORMER_TYPES.has(value)) return value as TransformerType;
  const supported = [...TRANSFORMER_TYPES].join(', ');
  if (OFFICIAL_ONLY_TYPES.has(value)) throw new CheckConfigError(`Setting \`${option}\`: type \`${value}\` of metric \`${key}\` is not supported by the built-in agent (it supports ${supported}); use DD_AGENT_FLAVOR=official`);
  throw new CheckConfigError(`Setting \`${option}\`: unknown type \`${value}\` of metric \`${key}\` (write one of ${supported})`);
}

/** `metrics` and `extra_metrics` as the official normalize_metric_config reads them: later entries win. */
function metricRules(instance: Readonly<Record<string, unknown>>): Map<string, MetricRule> {
  const rules = new Map<string, MetricRule>();
  for (const option of ['metrics', 'extra_metrics']) {
    const entries = instance[option];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) throw new CheckConfigError(`Setting \`${option}\` must be an array`);
    entries.forEach((entry: unknown, i) => {
      if (typeof entry === 'string') {
        rules.set(entry, { name: entry, type: 'native' });
      } else if (isRecord(entry)) {
        for (const [key, value] of Object.entries(entry)) {
          if (typeof value === 'string') rules.set(key, { name: value, type: 'native' });
          else if (isRecord(value)) {
            if (value.name !== undefined && value.name !== null && typeof value.name !== 'string') throw new CheckConfigError(`Setting \`${option}\`: field \`name\` of metric \`${key}\` must be a string`);
            rules.set(key, { name: typeof value.name === 'string' ? value.name : key, type: metricType(value.type, key, option) });
          } else throw new CheckConfigError(`Value of entry \`${key}\` of setting \`${option}\` must be a string or a mapping`);
        }
      } else throw new CheckConfigError(`Entry #${i + 1} of setting \`${option}\` must be a string or a mapping`);
    });
  }
  return rules;
}

function readFileSetting(instance: Readonly<Record<string, unknown>>, key: string): Buffer | undefined {
  const path = stringSetting(instance, key);
  if (path === undefined || path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CheckConfigError(`${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function headerSetting(instance: Readonly<Record<string, unknown>>, key: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(mappingSetting(instance, key))) {
    if (value === null || typeof value === 'object') throw new CheckConfigError(`Header \`${name}\` of setting \`${key}\` must be a string`);
    headers[name] = String(value);
  }
  return headers;
}

export function readSettings(instance: Readonly<Record<string, unknown>>, logger: Logger): OpenMetricsSettings {
  const endpointText = stringSetting(instance, 'openmetrics_endpoint', '')!;
  if (endpointText === '') {
    if (instance.prometheus_url !== undefined) throw new CheckConfigError('prometheus_url (the legacy OpenMetrics check) is not supported by the built-in agent: write openmetrics_endpoint instead');
    throw new CheckConfigError('The setting `openmetrics_endpoint` is required');
  }
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText);
  } catch {
    throw new CheckConfigError('The setting `openmetrics_endpoint` must be an http:// or https:// URL');
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new CheckConfigError(`The setting \`openmetrics_endpoint\` must be an http:// or https:// URL, not ${endpoint.protocol}//`);

  const namespace = instance.namespace;
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') throw new CheckConfigError('Setting `namespace` must be a string');
  if (typeof namespace !== 'string' || namespace === '') throw new CheckConfigError('Setting `namespace` is required (metrics are sent as <namespace>.<name>)');
  const rawMetricPrefix = instance.raw_metric_prefix ?? '';
  if (typeof rawMetricPrefix !== 'string') throw new CheckConfigError('Setting `raw_metric_prefix` must be a string');

  for (const [option, what] of Object.entries(UNSUPPORTED_OPTIONS)) {
    const value = instance[option];
    const set = isRecord(value) ? Object.keys(value).length > 0 : Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && value !== false && value !== '' && value !== 'false';
    if (set) throw new CheckConfigError(`Setting \`${option}\` (${what}) is not supported by the built-in agent: remove it, or use DD_AGENT_FLAVOR=official`);
  }

  if (instance.metrics === undefined || instance.metrics === null) throw new CheckConfigError('Setting `metrics` is required: list the exposed metrics to collect (names, regexes or {exposed: sent} mappings)');
  const exactMetrics = new Map<string, MetricRule>();
  const metricPatterns: { pattern: RegExp; rule: MetricRule }[] = [];
  for (const [key, rule] of metricRules(instance)) {
    if (REGEX_CHARACTERS.test(key)) metricPatterns.push({ pattern: compilePythonRegex(key, 'metrics'), rule: { name: undefined, type: rule.type } });
    else exactMetrics.set(key, rule);
  }

  const excludeMetrics = new Set<string>();
  const excludePatterns: string[] = [];
  for (const entry of strictListSetting(instance, 'exclude_metrics')) {
    if (REGEX_CHARACTERS.test(entry)) excludePatterns.push(entry);
    else excludeMetrics.add(entry);
  }
  const excludeMetricsPattern = excludePatterns.length > 0 ? compilePythonRegex(excludePatterns.join('|'), 'exclude_metrics') : undefined;

  const excludeMetricsByLabels = new Map<string, RegExp | true>();
  for (const [label, values] of Object.entries(mappingSetting(instance, 'exclude_metrics_by_labels'))) {
    if (values === true) excludeMetricsByLabels.set(label, true);
    else if (Array.isArray(values)) {
      values.forEach((value: unknown, i) => {
        if (typeof value !== 'string') throw new CheckConfigError(`Value #${i + 1} for label \`${label}\` of setting \`exclude_metrics_by_labels\` must be a string`);
      });
      excludeMetricsByLabels.set(label, compilePythonRegex(values.join('|'), 'exclude_metrics_by_labels'));
    } else throw new CheckConfigError(`Label \`${label}\` of setting \`exclude_metrics_by_labels\` must be an array or set to \`true\``);
  }

  const renameLabels = new Map<string, string>();
  for (const [label, renamed] of Object.entries(mappingSetting(instance, 'rename_labels'))) {
    if (typeof renamed !== 'string') throw new CheckConfigError(`Value for label \`${label}\` of setting \`rename_labels\` must be a string`);
    renameLabels.set(label, renamed);
  }

  const hostnameLabel = stringSetting(instance, 'hostname_label', '')!;
  const hostnameFormat = stringSetting(instance, 'hostname_format', '')!;
  if (hostnameLabel !== '' && hostnameFormat !== '' && !hostnameFormat.includes('<HOSTNAME>')) throw new CheckConfigError('Setting `hostname_format` does not contain the placeholder `<HOSTNAME>`');

  const rawLineFilters = strictListSetting(instance, 'raw_line_filters');

  const timeout = numberSetting(instance, 'timeout', DEFAULT_TIMEOUT_SECONDS);
  if (timeout <= 0) throw new CheckConfigError(`timeout must be a number of seconds above 0, not ${timeout}`);

  let maxReturnedMetrics = numberSetting(instance, 'max_returned_metrics', DEFAULT_MAX_RETURNED_METRICS);
  if (maxReturnedMetrics < 0 || !Number.isInteger(maxReturnedMetrics)) throw new CheckConfigError(`max_returned_metrics must be a whole number above 0, not ${maxReturnedMetrics}`);
  if (maxReturnedMetrics === 0) {
    logger.warn(`Setting max_returned_metrics to zero is not allowed, reverting to the default of ${DEFAULT_MAX_RETURNED_METRICS} metrics`);
    maxReturnedMetrics = DEFAULT_MAX_RETURNED_METRICS;
  }

  // requests' `headers` replace its defaults, `extra_headers` add to them; Accept is the check's own.
  const headers: Record<string, string> = { 'User-Agent': 'Datadog Agent/7', ...headerSetting(instance, 'headers'), ...headerSetting(instance, 'extra_headers') };
  const username = stringSetting(instance, 'username');
  const password = stringSetting(instance, 'password');
  if (username !== undefined && password !== undefined) {
    const authType = stringSetting(instance, 'auth_type', 'basic')!;
    if (authType !== 'basic') throw new CheckConfigError(`auth_type ${authType} is not supported by the built-in agent (only basic)`);
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  headers.Accept = booleanSetting(instance, 'use_latest_spec', false) ? 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1' : 'text/plain';

  if (booleanSetting(instance, 'telemetry', false)) logger.warn('openmetrics: `telemetry` is not supported by the built-in agent and is ignored');
  if (instance.metrics !== undefined && Array.isArray(instance.metrics) && instance.metrics.length === 0) logger.warn(`openmetrics: \`metrics\` is empty, nothing is collected from ${endpoint.host}`);

  return {
    endpoint,
    endpointText: endpoint.username === '' && endpoint.password === '' ? endpointText : displayUrl(endpoint),
    namespace,
    rawMetricPrefix,
    exactMetrics,
    metricPatterns,
    cacheMetricWildcards: booleanSetting(instance, 'cache_metric_wildcards', true),
    excludeMetrics,
    excludeMetricsPattern,
    excludeMetricsByLabels,
    excludeLabels: new Set(strictListSetting(instance, 'exclude_labels')),
    includeLabels: new Set(strictListSetting(instance, 'include_labels')),
    renameLabels,
    hostnameLabel,
    hostnameFormat,
    tagByEndpoint: booleanSetting(instance, 'tag_by_endpoint', true),
    healthServiceCheck: booleanSetting(instance, 'enable_health_service_check', true),
    ignoreConnectionErrors: booleanSetting(instance, 'ignore_connection_errors', false),
    collectHistogramBuckets: booleanSetting(instance, 'collect_histogram_buckets', true),
    rawLineFilter: rawLineFilters.length > 0 ? compilePythonRegex(rawLineFilters.join('|'), 'raw_line_filters') : undefined,
    useLatestSpec: booleanSetting(instance, 'use_latest_spec', false),
    timeoutMs: timeout * 1000,
    headers,
    tlsVerify: booleanSetting(instance, 'tls_verify', true),
    tlsCa: readFileSetting(instance, 'tls_ca_cert'),
    tlsCert: readFileSetting(instance, 'tls_cert'),
    tlsKey: readFileSetting(instance, 'tls_private_key'),
    maxReturnedMetrics,
  };
}

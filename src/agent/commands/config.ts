// `agent config`: the effective configuration the agent runs with (datadog.yaml + DD_* overrides),
// printed as the Agent prints its runtime config: YAML with keys sorted, lists unindented
// (yaml.v2), the API key scrubbed to its last five characters and URLs without credentials.
import { stringify } from 'yaml';
import type { Io } from '../../io.js';
import { displayUrl, metricsBaseUrl } from '../forwarder/endpoints.js';
import { loadSettings, maskApiKey, type AgentSettings } from '../settings.js';
import type { AgentArgs } from './args.js';

/** The settings under the Agent's datadog.yaml key names; nothing secret survives. */
export function effectiveConfig(s: AgentSettings): Record<string, unknown> {
  return {
    additional_checksd: s.checksdPath ?? '',
    api_key: maskApiKey(s.apiKey),
    apm_config: {
      apm_dd_url: s.apm.ddUrl !== undefined ? displayUrl(s.apm.ddUrl) : '',
      apm_non_local_traffic: s.apm.nonLocalTraffic,
      enabled: s.apm.enabled,
      max_payload_size: s.apm.maxPayloadSize,
      max_traces_per_second: s.apm.maxTps,
      receiver_port: s.apm.receiverPort,
    },
    auth_token_file_path: s.authTokenPath,
    cmd_port: s.cmdPort,
    confd_path: s.confdPath ?? '',
    dd_url: displayUrl(metricsBaseUrl(s.site, s.ddUrl)),
    // Not an Agent key: the buildpack's DD_DISABLE_HOST_METRICS, which the built-in agent honours.
    disable_host_metrics: s.disableHostMetrics,
    dogstatsd_context_expiry_seconds: s.dogstatsdLimits.contextExpirySeconds,
    dogstatsd_context_limiter: { limit: s.dogstatsdLimits.contextLimit },
    dogstatsd_max_samples_per_context: s.dogstatsdLimits.maxSamplesPerContext,
    dogstatsd_max_samples_total: s.dogstatsdLimits.maxSamplesTotal,
    dogstatsd_non_local_traffic: s.dogstatsdNonLocalTraffic,
    dogstatsd_port: s.dogstatsdPort,
    dogstatsd_so_rcvbuf: s.dogstatsdReceiveBuffer ?? 'rmem_max (at most 4 MiB)',
    dogstatsd_socket: s.dogstatsdSocket ?? '',
    env: s.apm.env ?? '',
    forwarder_retry_queue_payloads_max_size: s.forwarderMaxQueueBytes,
    histogram_aggregates: [...s.histogramAggregates],
    histogram_percentiles: s.histogramPercentiles.map((p) => String(p / 100)),
    hostname: s.hostname,
    log_level: s.logLevel,
    site: s.site,
    tags: [...s.tags],
  };
}

export async function configCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const s = loadSettings(args.configPath, env);
  // The Agent prints its YAML with fmt.Println: one more newline after the document.
  io.stdout.write(`${stringify(effectiveConfig(s), { sortMapEntries: true, indentSeq: false })}\n`);
  for (const problem of s.problems) io.stderr.write(`Warning: ${problem}\n`);
  return 0;
}

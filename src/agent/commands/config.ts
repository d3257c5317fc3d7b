// `agent config`: the settings the agent runs with (datadog.yaml + DD_* overrides), key masked.
import { stringify } from 'yaml';
import type { Io } from '../../io.js';
import { displayUrl, metricsBaseUrl } from '../forwarder/endpoints.js';
import { loadSettings, maskApiKey } from '../settings.js';
import type { AgentArgs } from './args.js';

export async function configCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const s = loadSettings(args.configPath, env);
  const shown = {
    api_key: maskApiKey(s.apiKey),
    site: s.site,
    dd_url: displayUrl(metricsBaseUrl(s.site, s.ddUrl)),
    hostname: s.hostname,
    tags: [...s.tags],
    log_level: s.logLevel,
    dogstatsd_port: s.dogstatsdPort,
    dogstatsd_socket: s.dogstatsdSocket ?? '',
    dogstatsd_non_local_traffic: s.dogstatsdNonLocalTraffic,
    dogstatsd_so_rcvbuf: s.dogstatsdReceiveBuffer ?? 'rmem_max (at most 4 MiB)',
    histogram_aggregates: [...s.histogramAggregates],
    histogram_percentiles: s.histogramPercentiles.map((p) => String(p / 100)),
    cmd_port: s.cmdPort,
    confd_path: s.confdPath ?? '',
    disable_host_metrics: s.disableHostMetrics,
    apm_config: { enabled: s.apm.enabled, receiver_port: s.apm.receiverPort, apm_non_local_traffic: s.apm.nonLocalTraffic },
  };
  io.stdout.write(stringify(shown));
  for (const problem of s.problems) io.stderr.write(`Warning: ${problem}\n`);
  return 0;
}

// The trace agent as `agent run` builds it: from the agent's settings (datadog.yaml + DD_* variables).
import type { Logger } from '../../log.js';
import type { AgentSettings } from '../settings.js';
import { createTraceAgent, type TraceAgent, type TraceAgentOptions } from './index.js';

export function traceAgentFor(
  settings: AgentSettings,
  logger: Logger,
  options: { readonly ephemeralPorts?: boolean } & Partial<TraceAgentOptions> = {},
): TraceAgent {
  const { ephemeralPorts, ...rest } = options;
  return createTraceAgent({
    config: {
      DD_APM_ENABLED: settings.apm.enabled,
      DD_APM_RECEIVER_PORT: ephemeralPorts ? 0 : settings.apm.receiverPort,
      DD_APM_NON_LOCAL_TRAFFIC: settings.apm.nonLocalTraffic,
      DD_APM_MAX_PAYLOAD_SIZE: settings.apm.maxPayloadSize,
      DD_APM_MAX_TPS: settings.apm.maxTps,
      DD_APM_DD_URL: settings.apm.ddUrl,
      DD_SITE: settings.site,
      DD_ENV: settings.apm.env,
      DD_API_KEY: settings.apiKey,
      DD_DOGSTATSD_PORT: settings.dogstatsdPort,
    },
    hostname: settings.hostname,
    tags: settings.tags,
    logger,
    ...rest,
  });
}

// The /info document tracers read to learn the agent's endpoints and features.
import { createHash } from 'node:crypto';

export const ENDPOINTS = ['/v0.3/traces', '/v0.4/traces', '/v0.5/traces', '/v0.6/stats', '/telemetry/proxy/'] as const;

export interface InfoSettings {
  version: string;
  receiverPort: number;
  statsdPort: number;
  defaultEnv: string;
  targetTps: number;
  errorTps: number;
  maxRequestBytes: number;
}

export function infoDocument(s: InfoSettings): Record<string, unknown> {
  return {
    version: s.version,
    git_commit: '',
    endpoints: [...ENDPOINTS],
    feature_flags: [],
    // Tracers that compute stats themselves may drop unsampled traces before sending them.
    client_drop_p0s: true,
    span_meta_structs: true,
    long_running_spans: false,
    evp_proxy_allowed_headers: [],
    config: {
      default_env: s.defaultEnv,
      target_tps: s.targetTps,
      max_eps: 200,
      receiver_port: s.receiverPort,
      receiver_socket: '',
      connection_limit: 0,
      receiver_timeout: 0,
      max_request_bytes: s.maxRequestBytes,
      statsd_port: s.statsdPort,
      max_memory: 0,
      max_cpu: 0,
      analyzed_spans_by_service: {},
      obfuscation: {
        elastic_search: false,
        mongo: false,
        sql_exec_plan: false,
        sql_exec_plan_normalize: false,
        http: { remove_query_string: true, remove_path_digits: false },
        remove_stack_traces: false,
        redis: true,
        memcached: true,
        credit_cards: { enabled: true, luhn: true },
      },
      error_tps: s.errorTps,
    },
  };
}

/** `Datadog-Agent-State`: changes whenever /info would, so tracers know to read it again. */
export function agentState(info: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(info)).digest('hex');
}

// StatsPayload for /api/v0.2/stats: msgpack with the Go field names of pkg/proto/datadog/trace/stats.proto.
import { encode } from '@msgpack/msgpack';
import { STATS_BUCKET_NS, type StatsBucket } from './stats-concentrator.js';

export interface StatsPayloadContext {
  hostname: string;
  env: string;
  agentVersion: string;
}

function count(n: number): bigint {
  return BigInt(Math.max(0, Math.round(n)));
}

/** Agent-computed buckets, one ClientStatsPayload per tracer identity and bucket. */
export function encodeAgentStats(buckets: StatsBucket[], context: StatsPayloadContext): Uint8Array {
  return encode(
    {
      AgentHostname: context.hostname,
      AgentEnv: context.env,
      Stats: buckets.map((b) => ({
        Hostname: '',
        Env: b.identity.env || context.env,
        Version: b.identity.version,
        Stats: [
          {
            Start: b.start,
            Duration: STATS_BUCKET_NS,
            Stats: b.groups.map((g) => ({
              Service: g.service,
              Name: g.name,
              Resource: g.resource,
              HTTPStatusCode: g.httpStatusCode,
              Type: g.type,
              DBType: '',
              Hits: count(g.hits),
              Errors: count(g.errors),
              Duration: count(g.duration),
              OkSummary: g.okSummary.toProto(),
              ErrorSummary: g.errorSummary.toProto(),
              Synthetics: g.synthetics,
              TopLevelHits: count(g.topLevelHits),
              SpanKind: g.spanKind,
            })),
            AgentTimeShift: 0n,
          },
        ],
        Lang: b.identity.lang,
        TracerVersion: b.identity.tracerVersion,
        RuntimeID: b.identity.runtimeId,
        Sequence: 0n,
        AgentAggregation: '',
        Service: '',
        ContainerID: '',
        Tags: [],
      })),
      AgentVersion: context.agentVersion,
      ClientComputed: false,
      SplitPayload: false,
    },
    { useBigInt64: true },
  );
}

/** Tracer-computed stats (/v0.6/stats, one ClientStatsPayload each), passed on as the trace-agent does. */
export function encodeClientStats(clientPayloads: Record<string, unknown>[], context: StatsPayloadContext): Uint8Array {
  return encode(
    {
      AgentHostname: context.hostname,
      AgentEnv: context.env,
      Stats: clientPayloads,
      AgentVersion: context.agentVersion,
      ClientComputed: true,
      SplitPayload: false,
    },
    { useBigInt64: true },
  );
}

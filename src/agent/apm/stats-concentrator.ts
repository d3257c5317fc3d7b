// APM stats as the trace-agent computes them: hits, errors, total duration and latency sketches per
// service/name/resource/type/status code, in 10 s buckets aligned on span end times.
import { LatencySketch } from './latency-sketch.js';
import { MEASURED_KEY, TOP_LEVEL_KEY, type Span } from './span.js';

export const STATS_BUCKET_NS = 10_000_000_000n;
const STATS_SPAN_KINDS = new Set(['server', 'client', 'producer', 'consumer']);
/** Groups kept per bucket (all tracer identities together) before new ones are counted as dropped: memory stays bounded. */
const MAX_GROUPS = 10_000;

/** What a ClientStatsPayload is keyed by: stats of different tracers or envs never mix. */
export interface StatsIdentity {
  env: string;
  version: string;
  lang: string;
  tracerVersion: string;
  runtimeId: string;
}

export interface GroupedStats {
  service: string;
  name: string;
  resource: string;
  type: string;
  httpStatusCode: number;
  synthetics: boolean;
  spanKind: string;
  hits: number;
  errors: number;
  topLevelHits: number;
  duration: number;
  okSummary: LatencySketch;
  errorSummary: LatencySketch;
}

export interface StatsBucket {
  identity: StatsIdentity;
  /** Nanoseconds since the epoch. */
  start: bigint;
  groups: GroupedStats[];
}

function eligible(span: Span): boolean {
  return span.metrics[TOP_LEVEL_KEY] === 1 || span.metrics[MEASURED_KEY] === 1 || STATS_SPAN_KINDS.has(span.meta['span.kind'] ?? '');
}

export class StatsConcentrator {
  /** bucket start → identity key → group key → stats */
  private readonly buckets = new Map<bigint, Map<string, { identity: StatsIdentity; groups: Map<string, GroupedStats> }>>();
  private readonly groupsPerBucket = new Map<bigint, number>();
  droppedGroups = 0;

  /** `nowNs`: the agent's clock; spans ending far from it are counted in the nearest bucket kept. */
  constructor(private readonly nowNs: () => bigint) {}

  /** Adds the eligible spans of one trace; `weight` undoes client-side sampling (1 / _sample_rate). */
  add(spans: Span[], identity: StatsIdentity, origin: string, weight: number): void {
    const now = this.nowNs();
    const current = now - (now % STATS_BUCKET_NS);
    const identityKey = `${identity.env}\u0000${identity.version}\u0000${identity.lang}\u0000${identity.tracerVersion}\u0000${identity.runtimeId}`;
    for (const span of spans) {
      if (!eligible(span)) continue;
      const end = span.start + BigInt(span.duration);
      let start = end - (end % STATS_BUCKET_NS);
      // As the trace-agent: a span older than the buffer goes to its oldest bucket; one from a clock
      // far ahead goes to the current one, so a bad clock cannot open buckets without end.
      if (start < current - STATS_BUCKET_NS) start = current - STATS_BUCKET_NS;
      else if (start > current + STATS_BUCKET_NS) start = current;
      let bucket = this.buckets.get(start);
      if (!bucket) {
        bucket = new Map();
        this.buckets.set(start, bucket);
      }
      let byIdentity = bucket.get(identityKey);
      if (!byIdentity) {
        byIdentity = { identity, groups: new Map() };
        bucket.set(identityKey, byIdentity);
      }
      const status = Number(span.meta['http.status_code'] ?? span.metrics['http.status_code'] ?? 0) || 0;
      const synthetics = origin.startsWith('synthetics');
      const spanKind = span.meta['span.kind'] ?? '';
      const groupKey = `${span.service}\u0000${span.name}\u0000${span.resource}\u0000${span.type}\u0000${status}\u0000${synthetics}\u0000${spanKind}`;
      let group = byIdentity.groups.get(groupKey);
      if (!group) {
        const groups = this.groupsPerBucket.get(start) ?? 0;
        if (groups >= MAX_GROUPS) {
          this.droppedGroups++;
          continue;
        }
        this.groupsPerBucket.set(start, groups + 1);
        group = {
          service: span.service,
          name: span.name,
          resource: span.resource,
          type: span.type,
          httpStatusCode: status,
          synthetics,
          spanKind,
          hits: 0,
          errors: 0,
          topLevelHits: 0,
          duration: 0,
          okSummary: new LatencySketch(),
          errorSummary: new LatencySketch(),
        };
        byIdentity.groups.set(groupKey, group);
      }
      group.hits += weight;
      if (span.metrics[TOP_LEVEL_KEY] === 1) group.topLevelHits += weight;
      group.duration += span.duration * weight;
      if (span.error !== 0) {
        group.errors += weight;
        group.errorSummary.add(span.duration);
      } else group.okSummary.add(span.duration);
    }
  }

  /** Buckets that closed at least one bucket before `nowNs` (late spans still land), or all with `force`. */
  flush(nowNs: bigint, force: boolean): StatsBucket[] {
    const out: StatsBucket[] = [];
    for (const [start, bucket] of [...this.buckets].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!force && start + 2n * STATS_BUCKET_NS > nowNs) continue;
      this.buckets.delete(start);
      this.groupsPerBucket.delete(start);
      for (const { identity, groups } of bucket.values()) out.push({ identity, start, groups: [...groups.values()] });
    }
    return out;
  }
}

// Sends APM stats to /api/v0.2/stats every 10 s: the agent's own buckets and the tracers' (/v0.6/stats).
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from '../../log.js';
import type { StatsConcentrator } from './stats-concentrator.js';
import { encodeAgentStats, encodeClientStats, type StatsPayloadContext } from './stats-payload.js';
import type { PayloadSink } from './writer.js';

const gzipAsync = promisify(gzip);

export const STATS_PATH = '/api/v0.2/stats';
export const DEFAULT_STATS_FLUSH_INTERVAL_MS = 10_000;
/** Tracer stats payloads held between flushes; more are dropped (a tracer sends one per 10 s). */
const MAX_CLIENT_PAYLOADS = 1000;

export class StatsWriter {
  private timer: NodeJS.Timeout | undefined;
  private clientPayloads: Record<string, unknown>[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly counters = { payloads: 0, buckets: 0, clientPayloads: 0, clientPayloadsDropped: 0 };

  constructor(
    private readonly concentrator: StatsConcentrator,
    private readonly sink: PayloadSink,
    private readonly context: StatsPayloadContext,
    private readonly nowNs: () => bigint,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.flush(false), intervalMs);
    this.timer.unref();
  }

  addClientPayload(payload: Record<string, unknown>): void {
    if (this.clientPayloads.length >= MAX_CLIENT_PAYLOADS) {
      this.counters.clientPayloadsDropped++;
      return;
    }
    this.clientPayloads.push(payload);
  }

  /** `force` (at stop) also sends the buckets still open. */
  flush(force: boolean): void {
    const buckets = this.concentrator.flush(this.nowNs(), force);
    if (buckets.length > 0) {
      this.counters.buckets += buckets.length;
      this.post(encodeAgentStats(buckets, this.context));
    }
    if (this.clientPayloads.length > 0) {
      const payloads = this.clientPayloads;
      this.clientPayloads = [];
      this.counters.clientPayloads += payloads.length;
      this.post(encodeClientStats(payloads, this.context));
    }
  }

  async drain(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.flush(true);
    await Promise.all([...this.pending]);
  }

  status(): Record<string, unknown> {
    return { ...this.counters, droppedGroups: this.concentrator.droppedGroups };
  }

  private post(body: Uint8Array): void {
    const job = gzipAsync(body, { level: 1 })
      .then((compressed) => {
        this.sink.submit({ path: STATS_PATH, body: compressed, contentType: 'application/msgpack', contentEncoding: 'gzip', kind: 'apm_stats' });
        this.counters.payloads++;
      })
      .catch((error: unknown) => this.logger.error(`stats writer: ${(error as Error).message}`))
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }
}

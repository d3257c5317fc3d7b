// Steady application traffic with exact bookkeeping: DogStatsD counters over UDP (a known number
// of counters per datagram, datagrams at a fixed tick) and v0.4 msgpack trace requests over HTTP
// at a fixed period, each labelled with what `label()` says when it is sent (a phase, a time
// slot), so that what the intake received can be compared with what was sent, label by label.
import { createSocket, type Socket } from 'node:dgram';
import { Agent, request } from 'node:http';
import { encode } from '@msgpack/msgpack';
import type { Serie } from '../../src/agent/aggregator/payloads.js';
import { decodeAgentPayload } from '../../src/intake/payloads/traces.js';
import type { RecordingIntake } from '../helpers/recording-intake.js';

export interface SteadyTrafficOptions {
  readonly statsdPort: number;
  readonly apmPort?: number;
  /** Metric prefix and trace service name (lowercase letters, digits, dots). */
  readonly prefix: string;
  /** Counters per datagram: `<prefix>.c<i>` incremented by i+1 (default 4). */
  readonly counters?: number;
  readonly datagramsPerTick?: number;
  readonly tickMs?: number;
  /** Period of trace requests (default 100 ms); 0 sends none. */
  readonly traceEveryMs?: number;
  readonly tracesPerRequest?: number;
  readonly spansPerTrace?: number;
  /** Label of what is sent now: a `label:` tag on datagrams, recorded with each trace request. */
  readonly label?: () => string;
}

export interface TraceRequest {
  readonly label: string;
  readonly traceIds: readonly string[];
  readonly spans: number;
  readonly startedAt: number;
  endedAt?: number;
  status?: number;
  error?: string;
  /** Sent on a keep-alive connection opened for an earlier request (Node's `req.reusedSocket`). */
  reused?: boolean;
}

let idBase = 1n << 60n;

export class SteadyTraffic {
  /** Datagrams whose send completed, by label. */
  readonly datagramsByLabel = new Map<string, number>();
  datagramsSent = 0;
  datagramErrors = 0;
  readonly requests: TraceRequest[] = [];
  private readonly socket: Socket = createSocket('udp4');
  private readonly http = new Agent({ keepAlive: true, maxSockets: 4 });
  private readonly pending = new Map<Promise<unknown>, string>();
  private timers: NodeJS.Timeout[] = [];
  private nextTrace: bigint;
  readonly counters: number;
  readonly prefix: string;

  constructor(private readonly options: SteadyTrafficOptions) {
    this.counters = options.counters ?? 4;
    this.prefix = options.prefix;
    idBase += 1n << 40n;
    this.nextTrace = idBase;
    // An unconnected socket: a closed port answers ICMP, which must not fail later sends.
    this.socket.on('error', () => {
      this.datagramErrors++;
    });
  }

  private label(): string {
    return this.options.label?.() ?? 'all';
  }

  /** One datagram now (the tick calls it; tests may too). */
  sendDatagram(): void {
    const label = this.label();
    const lines: string[] = [];
    for (let i = 0; i < this.counters; i++) lines.push(`${this.options.prefix}.c${i}:${i + 1}|c|#label:${label}`);
    const done = new Promise<void>((resolve) => {
      this.socket.send(lines.join('\n'), this.options.statsdPort, '127.0.0.1', (error) => {
        if (error) this.datagramErrors++;
        else {
          this.datagramsSent++;
          this.datagramsByLabel.set(label, (this.datagramsByLabel.get(label) ?? 0) + 1);
        }
        resolve();
      });
    });
    this.track(done, label);
  }

  /** One trace request now. */
  sendTraces(): void {
    const label = this.label();
    const traces: Record<string, unknown>[][] = [];
    const traceIds: string[] = [];
    const spansPerTrace = this.options.spansPerTrace ?? 3;
    const now = BigInt(Date.now()) * 1_000_000n;
    for (let t = 0; t < (this.options.tracesPerRequest ?? 2); t++) {
      const traceId = this.nextTrace++;
      traceIds.push(traceId.toString());
      const spans: Record<string, unknown>[] = [];
      for (let s = 0; s < spansPerTrace; s++) {
        spans.push({
          service: this.options.prefix,
          name: s === 0 ? 'http.request' : 'db.query',
          resource: s === 0 ? 'GET /reliability' : 'SELECT 1',
          trace_id: traceId,
          span_id: s === 0 ? traceId : traceId + BigInt(s) * 7n,
          parent_id: s === 0 ? 0n : traceId,
          start: now,
          duration: 1_000_000n,
          error: 0,
          meta: { env: 'test', label },
          metrics: s === 0 ? { _sampling_priority_v1: 1 } : {},
          type: s === 0 ? 'web' : 'sql',
        });
      }
      traces.push(spans);
    }
    const body = encode(traces, { useBigInt64: true });
    const record: TraceRequest = { label, traceIds, spans: traces.length * spansPerTrace, startedAt: Date.now() };
    this.requests.push(record);
    const done = new Promise<void>((resolve) => {
      const finish = (status: number | undefined, error: string | undefined): void => {
        if (record.endedAt !== undefined) return;
        record.endedAt = Date.now();
        record.reused = req.reusedSocket;
        if (status !== undefined) record.status = status;
        if (error !== undefined) record.error = error;
        resolve();
      };
      const req = request(
        {
          host: '127.0.0.1',
          port: this.options.apmPort,
          path: '/v0.4/traces',
          method: 'POST',
          agent: this.http,
          timeout: 5_000,
          headers: {
            'Content-Type': 'application/msgpack',
            'Content-Length': String(body.length),
            'Datadog-Meta-Lang': 'nodejs',
            'Datadog-Meta-Tracer-Version': '5.0.0',
            'X-Datadog-Trace-Count': String(traces.length),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => finish(res.statusCode, undefined));
          res.on('error', (e: NodeJS.ErrnoException) => finish(undefined, e.code ?? e.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => finish(undefined, e.code ?? e.message));
      req.end(body);
    });
    this.track(done, label);
  }

  private track(p: Promise<unknown>, label: string): void {
    this.pending.set(p, label);
    void p.finally(() => this.pending.delete(p));
  }

  start(): this {
    const { tickMs = 10, datagramsPerTick = 2, traceEveryMs = 100 } = this.options;
    this.timers.push(
      setInterval(() => {
        for (let i = 0; i < datagramsPerTick; i++) this.sendDatagram();
      }, tickMs),
    );
    if (traceEveryMs > 0 && this.options.apmPort !== undefined) this.timers.push(setInterval(() => this.sendTraces(), traceEveryMs));
    return this;
  }

  /** Stops sending; resolves once every datagram and request sent so far has completed. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.settled();
  }

  /** Waits for what is in flight, without stopping. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending.keys()]);
  }

  /** Waits until every datagram and request sent under `label` has completed. */
  async settledLabel(label: string): Promise<void> {
    for (;;) {
      const mine = [...this.pending].filter(([, l]) => l === label).map(([p]) => p);
      if (mine.length === 0) return;
      await Promise.all(mine);
    }
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.socket.close();
    this.http.destroy();
  }

  /** What was sent of counter `i` under `label` (all labels when omitted). */
  sentCount(i: number, label?: string): number {
    let datagrams = 0;
    for (const [l, n] of this.datagramsByLabel) if (label === undefined || l === label) datagrams += n;
    return datagrams * (i + 1);
  }

  /** Trace requests the receiver answered 200, and the rest. */
  accepted(filter: (r: TraceRequest) => boolean = () => true): TraceRequest[] {
    return this.requests.filter((r) => r.status === 200 && filter(r));
  }

  failed(filter: (r: TraceRequest) => boolean = () => true): TraceRequest[] {
    return this.requests.filter((r) => r.endedAt !== undefined && r.status !== 200 && filter(r));
  }
}

/** Sum of what the intake accepted for each `metric|label` of the series starting with `prefix.` (rates × interval). */
export function deliveredCounts(intake: RecordingIntake, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of intake.accepted('/api/v1/series')) {
    for (const s of r.json<{ series: Serie[] }>().series) {
      if (!s.metric.startsWith(`${prefix}.`)) continue;
      const label = s.tags.find((t) => t.startsWith('label:'))?.slice(6) ?? '';
      const factor = s.type === 'rate' ? s.interval || 1 : 1;
      const key = `${s.metric}|${label}`;
      for (const [, v] of s.points) out.set(key, (out.get(key) ?? 0) + v * factor);
    }
  }
  for (const [k, v] of out) out.set(k, Math.round(v * 1e6) / 1e6);
  return out;
}

/** Spans the intake accepted, per trace id, and how many (trace, span) pairs arrived more than once. */
export function deliveredSpans(intake: RecordingIntake): { byTrace: Map<string, number>; duplicates: number; total: number } {
  const byTrace = new Map<string, number>();
  const seen = new Set<string>();
  let duplicates = 0;
  let total = 0;
  for (const r of intake.accepted('/api/v0.2/traces')) {
    for (const span of decodeAgentPayload(r.body)) {
      total++;
      const key = `${span.traceId}/${span.spanId}`;
      if (seen.has(key)) duplicates++;
      seen.add(key);
      byTrace.set(span.traceId, (byTrace.get(span.traceId) ?? 0) + 1);
    }
  }
  return { byTrace, duplicates, total };
}

/** Every `metric|label` where what arrived differs from what was sent, for an assertion's message. */
export function countMismatches(traffic: SteadyTraffic, delivered: Map<string, number>, labels?: readonly string[]): string[] {
  const wanted = labels ?? [...traffic.datagramsByLabel.keys()];
  const problems: string[] = [];
  for (const label of wanted) {
    for (let i = 0; i < traffic.counters; i++) {
      const key = `${traffic.prefix}.c${i}|${label}`;
      const sent = traffic.sentCount(i, label);
      const got = delivered.get(key) ?? 0;
      if (got !== sent) problems.push(`${key}: sent ${sent}, delivered ${got}`);
    }
  }
  return problems;
}

/** Trace ids of `requests` whose spans did not all arrive. */
export function missingTraces(requests: readonly TraceRequest[], byTrace: Map<string, number>, spansPerTrace: number): string[] {
  const missing: string[] = [];
  for (const r of requests) for (const id of r.traceIds) if ((byTrace.get(id) ?? 0) < spansPerTrace) missing.push(id);
  return missing;
}

export { sleep } from './util.js';

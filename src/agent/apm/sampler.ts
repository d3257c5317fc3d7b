// Priority sampling as the trace-agent does it: per service/env rates aiming at a target of traces
// per second, sent back to tracers as rate_by_service; user-kept and error traces are always kept.
import { PRIORITY_AUTO_KEEP, PRIORITY_NONE, type Span } from './span.js';

const WINDOW_SECONDS = 10;
/** Traces with errors kept per second beyond the priority decision (trace-agent `errors_per_second`). */
export const DEFAULT_ERROR_TPS = 10;
const KNUTH_FACTOR = 1111111111111111111n;
const MAX_SIGNATURES = 1000;

export type SamplingDecision = 'priority' | 'error' | 'rate' | 'dropped';

interface Signature {
  /** Traces seen per second, for the last WINDOW_SECONDS seconds, indexed by second mod window. */
  readonly counts: number[];
  readonly seconds: number[];
}

export function signatureKey(service: string, env: string): string {
  return `service:${service},env:${env}`;
}

export class PrioritySampler {
  private readonly signatures = new Map<string, Signature>();
  private errorTokens: number;
  private errorRefilledAt: number;

  constructor(
    private readonly targetTps: number,
    private readonly errorTps: number,
    private readonly now: () => number,
  ) {
    this.errorTokens = errorTps;
    this.errorRefilledAt = now();
  }

  /** Counts one incoming trace of `service`/`env` towards its observed rate. */
  observe(service: string, env: string): void {
    const key = signatureKey(service, env);
    let sig = this.signatures.get(key);
    if (!sig) {
      if (this.signatures.size >= MAX_SIGNATURES) this.signatures.clear();
      sig = { counts: new Array(WINDOW_SECONDS).fill(0), seconds: new Array(WINDOW_SECONDS).fill(-1) };
      this.signatures.set(key, sig);
    }
    const second = Math.floor(this.now() / 1000);
    const slot = second % WINDOW_SECONDS;
    if (sig.seconds[slot] !== second) {
      sig.seconds[slot] = second;
      sig.counts[slot] = 0;
    }
    sig.counts[slot]! += 1;
  }

  private observedTps(sig: Signature): number {
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      if (sig.seconds[i]! > second - WINDOW_SECONDS) total += sig.counts[i]!;
    }
    return total / WINDOW_SECONDS;
  }

  rate(service: string, env: string): number {
    const sig = this.signatures.get(signatureKey(service, env));
    if (!sig) return 1;
    const tps = this.observedTps(sig);
    return tps <= this.targetTps ? 1 : this.targetTps / tps;
  }

  /** The `rate_by_service` map of trace replies, with the default `service:,env:` entry. */
  ratesByService(): Record<string, number> {
    const rates: Record<string, number> = { 'service:,env:': 1 };
    for (const [key, sig] of this.signatures) {
      const tps = this.observedTps(sig);
      rates[key] = tps <= this.targetTps ? 1 : Math.round((this.targetTps / tps) * 1e6) / 1e6;
    }
    return rates;
  }

  private takeErrorToken(): boolean {
    const now = this.now();
    this.errorTokens = Math.min(this.errorTps, this.errorTokens + ((now - this.errorRefilledAt) / 1000) * this.errorTps);
    this.errorRefilledAt = now;
    if (this.errorTokens < 1) return false;
    this.errorTokens -= 1;
    return true;
  }

  /** Whether a trace is kept: the tracer's priority first, then errors, then the agent's own rate. */
  decide(priority: number, spans: Span[], root: Span, env: string): SamplingDecision {
    if (priority >= PRIORITY_AUTO_KEEP) return 'priority';
    if (priority === PRIORITY_NONE && keepByRate(root.traceId, this.rate(root.service, env))) return 'rate';
    if (spans.some((s) => s.error !== 0) && this.takeErrorToken()) return 'error';
    return 'dropped';
  }
}

/** Deterministic by trace id, like every Datadog sampler: the same trace gets the same answer everywhere. */
export function keepByRate(traceId: bigint, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const hashed = BigInt.asUintN(64, traceId * KNUTH_FACTOR);
  return hashed < BigInt(Math.floor(rate * 2 ** 64));
}

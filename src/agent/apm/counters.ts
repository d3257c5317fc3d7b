// What `agent status` shows of the trace agent: what came in per language, what was dropped and why.

export interface LanguageCounters {
  payloads: number;
  traces: number;
  spans: number;
  bytes: number;
}

/** Reasons a payload or trace did not make it to the writer. */
export type DropReason =
  | 'payload_too_large'
  | 'decoding_error'
  | 'overloaded'
  | 'trace_id_zero'
  | 'span_id_zero'
  | 'foreign_span'
  | 'sampled_out'
  /** Spans handed over in-process (OTLP) while APM is disabled or not running. */
  | 'apm_not_running';

/** Languages tracked one by one; more (a client inventing names) are counted together. */
const MAX_LANGUAGES = 32;

export class ApmCounters {
  readonly received = new Map<string, LanguageCounters>();
  readonly dropped: Partial<Record<DropReason, number>> = {};
  readonly kept: Record<string, number> = {};
  clientStatsPayloads = 0;

  language(name: string): LanguageCounters {
    let key = name === '' ? 'unknown' : name;
    if (!this.received.has(key) && this.received.size >= MAX_LANGUAGES) key = 'other';
    let entry = this.received.get(key);
    if (!entry) {
      entry = { payloads: 0, traces: 0, spans: 0, bytes: 0 };
      this.received.set(key, entry);
    }
    return entry;
  }

  drop(reason: DropReason, count = 1): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
  }

  keep(decision: string): void {
    this.kept[decision] = (this.kept[decision] ?? 0) + 1;
  }

  snapshot(): Record<string, unknown> {
    return {
      receivedByLanguage: Object.fromEntries(this.received),
      dropped: { ...this.dropped },
      keptByDecision: { ...this.kept },
      clientStatsPayloads: this.clientStatsPayloads,
    };
  }
}

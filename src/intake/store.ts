// Durable storage: one append-only JSONL file per kind under the data folder, reloaded on open,
// with in-memory indexes the query API reads.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS, type CheckRecord, type EventRecord, type Kind, type MetricType, type PayloadRecord, type RecordsByKind, type SketchRecord, type SpanRecord, type StatsRecord } from './records.js';

/** One metric context: name + host + tag set, as the agent aggregates it. */
export interface SeriesContext {
  readonly metric: string;
  readonly host: string;
  readonly tags: string[];
  type: MetricType;
  interval: number;
  readonly points: [number, number][];
}

export interface SketchContext {
  readonly metric: string;
  readonly host: string;
  readonly tags: string[];
  readonly sketches: SketchRecord[];
}

export function contextKey(metric: string, host: string, tags: readonly string[]): string {
  return `${metric}\u0000${host}\u0000${[...new Set(tags)].sort().join(',')}`;
}

type Listener = <K extends Kind>(kind: K, records: RecordsByKind[K][]) => void;

export class Store {
  readonly series = new Map<string, Map<string, SeriesContext>>();
  readonly sketches = new Map<string, Map<string, SketchContext>>();
  /** Spans by trace id, traces in the order they were first seen. */
  readonly traces = new Map<string, SpanRecord[]>();
  readonly checks: CheckRecord[] = [];
  readonly events: EventRecord[] = [];
  readonly stats: StatsRecord[] = [];
  readonly payloads: PayloadRecord[] = [];
  /** Lines of the data files that could not be read back (a crash mid-write leaves at most one per file). */
  skippedLines = 0;
  private readonly listeners = new Set<Listener>();

  /** `dir` undefined keeps everything in memory only. */
  constructor(readonly dir: string | undefined) {
    if (dir === undefined) return;
    mkdirSync(dir, { recursive: true });
    for (const kind of KINDS) this.load(kind);
  }

  private file(kind: Kind): string {
    return join(this.dir!, `${kind}.jsonl`);
  }

  private load(kind: Kind): void {
    const file = this.file(kind);
    if (!existsSync(file)) return;
    const records: unknown[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        this.skippedLines++;
      }
    }
    this.index(kind, records as RecordsByKind[typeof kind][]);
  }

  append<K extends Kind>(kind: K, records: RecordsByKind[K][]): void {
    if (records.length === 0) return;
    if (this.dir !== undefined) appendFileSync(this.file(kind), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    this.index(kind, records);
    for (const listener of this.listeners) listener(kind, records);
  }

  /** Calls `listener` after every append; returns the function that unsubscribes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // Loops, not push(...list): a reload hands over whole files, too many arguments for a spread.
  private index<K extends Kind>(kind: K, records: RecordsByKind[K][]): void {
    switch (kind) {
      case 'series':
        for (const r of records as RecordsByKind['series'][]) {
          const key = contextKey(r.metric, r.host, r.tags);
          const byContext = this.series.get(r.metric) ?? new Map<string, SeriesContext>();
          this.series.set(r.metric, byContext);
          const context = byContext.get(key) ?? { metric: r.metric, host: r.host, tags: [...new Set(r.tags)].sort(), type: r.type, interval: r.interval, points: [] };
          byContext.set(key, context);
          context.type = r.type;
          context.interval = r.interval;
          for (const p of r.points) context.points.push(p);
        }
        return;
      case 'sketches':
        for (const r of records as SketchRecord[]) {
          const key = contextKey(r.metric, r.host, r.tags);
          const byContext = this.sketches.get(r.metric) ?? new Map<string, SketchContext>();
          this.sketches.set(r.metric, byContext);
          const context = byContext.get(key) ?? { metric: r.metric, host: r.host, tags: [...new Set(r.tags)].sort(), sketches: [] };
          byContext.set(key, context);
          context.sketches.push(r);
        }
        return;
      case 'spans':
        for (const r of records as SpanRecord[]) {
          const spans = this.traces.get(r.traceId) ?? [];
          this.traces.set(r.traceId, spans);
          spans.push(r);
        }
        return;
      case 'checks':
        for (const r of records as CheckRecord[]) this.checks.push(r);
        return;
      case 'events':
        for (const r of records as EventRecord[]) this.events.push(r);
        return;
      case 'stats':
        for (const r of records as StatsRecord[]) this.stats.push(r);
        return;
      case 'payloads':
        for (const r of records as PayloadRecord[]) this.payloads.push(r);
        return;
    }
  }
}

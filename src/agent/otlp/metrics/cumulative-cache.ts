// Cumulative-to-delta memory, with the mapping's rules (ttlcache.go): the last point of each series
// (value, start time, time); a delta is reported only between two points of one unbroken sequence
// (same non-zero start time, or start time 0: unknown, assumed unbroken), a point not newer than the
// remembered one is dropped, a drop in value or a new start time is a reset. Bounded: entries live
// delta_ttl seconds after their last point, at most `maxEntries` of them (the least recently
// written is forgotten first); both losses are counted.
import type { MetricsCounters } from './counters.js';
import type { SeriesDimensions } from './dimensions.js';

interface Remembered {
  readonly startTs: bigint;
  readonly ts: bigint;
  readonly value: number;
  /** Milliseconds since epoch after which the entry is forgotten. */
  readonly expiresAt: number;
}

export interface MonotonicDiff {
  readonly delta: number;
  /** The first point of its series, or the first after a reset: remembered, no delta. */
  readonly firstPoint: boolean;
  /** Older than (or as old as) the remembered point: dropped, the remembered one kept. */
  readonly drop: boolean;
}

/** Not the first point of a sequence (OTLP data model, "Resets and gaps"). */
function continuesSequence(startTs: bigint, ts: bigint, previousStartTs: bigint): boolean {
  if (startTs === 0n) return true;
  return startTs !== ts && startTs === previousStartTs;
}

export class CumulativeCache {
  /** Key → last point; Map order is write order, so the oldest write is first. */
  private readonly entries = new Map<string, Remembered>();
  private readonly ttlMs: number;
  private readonly sweepEveryMs: number;
  private lastSweep: number;

  constructor(
    ttlSeconds: number,
    private readonly maxEntries: number,
    private readonly clock: () => number,
    private readonly counters: MetricsCounters,
  ) {
    this.ttlMs = ttlSeconds * 1000;
    // As the mapping's go-cache janitor: sweep every half TTL.
    this.sweepEveryMs = Math.max(1000, this.ttlMs / 2);
    this.lastSweep = clock();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Forgets expired entries when a sweep is due; cheap otherwise (expired ones are at the front). */
  sweep(): void {
    const now = this.clock();
    if (now - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
      this.counters.cumulativeSeriesExpired++;
    }
    this.counters.cumulativeSeriesHeld = this.entries.size;
  }

  private get(key: string): Remembered | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.entries.delete(key);
      this.counters.cumulativeSeriesExpired++;
      return undefined;
    }
    return entry;
  }

  private set(key: string, startTs: bigint, ts: bigint, value: number): void {
    this.entries.delete(key);
    this.entries.set(key, { startTs, ts, value, expiresAt: this.clock() + this.ttlMs });
    while (this.entries.size > Math.max(1, this.maxEntries)) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.counters.cumulativeSeriesEvicted++;
    }
    this.counters.cumulativeSeriesHeld = this.entries.size;
  }

  /** A cumulative monotonic sum (or summary count): delta since the last point (per second with `perSecond`), unless first or reset. */
  monotonicDiff(dims: SeriesDimensions, startTs: bigint, ts: bigint, value: number, perSecond = false): MonotonicDiff {
    const key = dims.cacheKey();
    const previous = this.get(key);
    let delta = 0;
    let firstPoint = true;
    if (previous !== undefined) {
      if (previous.ts >= ts) return { delta: 0, firstPoint: false, drop: true };
      delta = value - previous.value;
      // Rate-as-gauge metrics: the delta per second since the remembered point.
      if (perSecond) delta /= Number(ts - previous.ts) / 1e9;
      firstPoint = !continuesSequence(startTs, ts, previous.startTs) || delta < 0;
    }
    this.set(key, startTs, ts, value);
    return { delta, firstPoint, drop: false };
  }

  /** A cumulative value that may go down (histogram count, sum, buckets): the delta, or undefined when there is none. */
  diff(dims: SeriesDimensions, startTs: bigint, ts: bigint, value: number): number | undefined {
    const key = dims.cacheKey();
    const previous = this.get(key);
    if (previous !== undefined && previous.ts > ts) return undefined;
    this.set(key, startTs, ts, value);
    if (previous === undefined || !continuesSequence(startTs, ts, previous.startTs)) return undefined;
    return value - previous.value;
  }

  /** Stores a cumulative histogram's min (or max): whether it was reached in the last interval. */
  extremumFromLastWindow(dims: SeriesDimensions, startTs: bigint, ts: bigint, value: number, isMin: boolean): boolean {
    const key = dims.cacheKey();
    const previous = this.get(key);
    let fromLastWindow = false;
    if (previous !== undefined) {
      if (previous.ts > ts) return false;
      const continues = continuesSequence(startTs, ts, previous.startTs);
      fromLastWindow = isMin
        ? (continues && value < previous.value) || value > previous.value
        : (continues && value > previous.value) || value < previous.value;
    }
    this.set(key, startTs, ts, value);
    return fromLastWindow;
  }
}

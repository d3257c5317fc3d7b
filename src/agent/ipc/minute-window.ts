// "Previous minute" figures (the trace-agent's Receiver and Writer blocks): cumulative counters
// read once a minute; the window is the difference between the last two readings.

/** Counters, nested: `{ receiver: { ruby: { traces: 3 } } }`. */
export interface CounterTree {
  readonly [key: string]: number | CounterTree;
}

export interface MinuteFigures {
  /** ISO dates of the two readings. */
  readonly from: string;
  readonly to: string;
  readonly counters: CounterTree;
}

/** now − before, key by key; a key absent before counts from 0 (it appeared in the window). */
export function difference(now: CounterTree, before: CounterTree | undefined): CounterTree {
  const out: Record<string, number | CounterTree> = {};
  for (const [key, value] of Object.entries(now)) {
    const previous = before?.[key];
    if (typeof value === 'number') out[key] = value - (typeof previous === 'number' ? previous : 0);
    else out[key] = difference(value, typeof previous === 'object' ? previous : undefined);
  }
  return out;
}

export class MinuteWindow {
  private last: { at: number; counters: CounterTree };
  private figures: MinuteFigures | undefined;

  /** `read` returns cumulative counters that start at zero with the agent. */
  constructor(
    private readonly read: () => CounterTree,
    private readonly clock: () => number = Date.now,
  ) {
    this.last = { at: clock(), counters: {} };
  }

  /** Closes the current minute: its figures become the previous minute's. */
  roll(): void {
    const at = this.clock();
    const counters = this.read();
    this.figures = { from: new Date(this.last.at).toISOString(), to: new Date(at).toISOString(), counters: difference(counters, this.last.counters) };
    this.last = { at, counters };
  }

  /** Undefined until a first minute has closed. */
  previous(): MinuteFigures | undefined {
    return this.figures;
  }
}

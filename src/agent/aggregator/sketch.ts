// The agent's DDSketch (pkg/quantile): gamma 1 + 2/128, min value 1e-9, keys = round-half-even
// of log_gamma(v) plus a bias, mirrored for negatives, at most 4096 bins (lowest collapsed).
// @datadog/sketches-js maps with gamma (1+a)/(1-a) and no bias, which is not the agent's mapping.
// While aggregating, at most 2 × 4096 distinct keys are kept: past that the lowest are merged down
// to 4096 (amortized), so a sketch is bounded in memory whatever values it is fed.

const EPS = 1 / 128;
const GAMMA_LN = Math.log1p(2 * EPS);
const MIN_VALUE = 1e-9;
export const SKETCH_BIAS = -Math.floor(Math.log(MIN_VALUE) / GAMMA_LN) + 1;
const MAX_KEY = 32766;
export const BIN_LIMIT = 4096;
export const MAX_BIN_WIDTH = 65535;
/** Distinct keys held before the lowest are merged down to BIN_LIMIT. */
const MAX_LIVE_BINS = 2 * BIN_LIMIT;
/** Relative accuracy of a value read back from a bin: gamma^0.5 - 1 (≈ 0.78 %). */
export const SKETCH_RELATIVE_ACCURACY = Math.sqrt(1 + 2 * EPS) - 1;

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function sketchKey(value: number): number {
  if (value < 0) return -sketchKey(-value);
  if (value < MIN_VALUE) return 0;
  const key = roundHalfEven(Math.log(value) / GAMMA_LN) + SKETCH_BIAS;
  if (key > MAX_KEY) return MAX_KEY;
  return key < 1 ? 1 : key;
}

/** The value a key stands for: gamma^(key - bias), mirrored for negative keys, 0 for key 0. */
export function keyValue(key: number): number {
  if (key === 0) return 0;
  if (key < 0) return -keyValue(-key);
  return Math.exp((key - SKETCH_BIAS) * GAMMA_LN);
}

export class AgentSketch {
  private readonly bins = new Map<number, number>();
  /** Keys ascending, computed on demand for rank queries; dropped by the next insert. */
  private sortedKeys: number[] | undefined;
  cnt = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;

  insert(value: number, weight: number): void {
    const key = sketchKey(value);
    const before = this.bins.get(key);
    this.bins.set(key, (before ?? 0) + weight);
    if (before === undefined) {
      this.sortedKeys = undefined;
      if (this.bins.size > MAX_LIVE_BINS) this.collapse();
    }
    this.cnt += weight;
    this.sum += value * weight;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get binCount(): number {
    return this.bins.size;
  }

  /** Merges the lowest keys into one so BIN_LIMIT keys remain, as the agent trims from the low end. */
  private collapse(): void {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const keep = keys.length - BIN_LIMIT;
    let merged = 0;
    for (let i = 0; i <= keep; i++) {
      merged += this.bins.get(keys[i]!)!;
      this.bins.delete(keys[i]!);
    }
    this.bins.set(keys[keep]!, merged);
  }

  /**
   * The value of the first bin, keys ascending, whose cumulative count exceeds `target` (a
   * 0-based weighted rank), clamped to the exact min and max: within SKETCH_RELATIVE_ACCURACY
   * of the sample of that rank.
   */
  valueAtRank(target: number): number {
    if (this.cnt === 0) return NaN;
    const keys = (this.sortedKeys ??= [...this.bins.keys()].sort((a, b) => a - b));
    let seen = 0;
    let value = this.max;
    for (const key of keys) {
      seen += this.bins.get(key)!;
      if (seen > target) {
        value = keyValue(key);
        break;
      }
    }
    return Math.min(this.max, Math.max(this.min, value));
  }

  /** Keys ascending with their counts, bins wider than 65535 split, lowest collapsed past the limit. */
  binsOut(): { k: number[]; n: number[] } {
    return binsOf(this.bins);
  }
}

/** Bins as the intake takes them: keys ascending, each at most 65535 wide, the lowest merged upward past 4096. */
export function binsOf(bins: ReadonlyMap<number, number>): { k: number[]; n: number[] } {
  const k: number[] = [];
  const n: number[] = [];
  for (const key of [...bins.keys()].sort((a, b) => a - b)) {
    let count = bins.get(key)!;
    while (count > 0) {
      const width = Math.min(count, MAX_BIN_WIDTH);
      k.push(key);
      n.push(width);
      count -= width;
    }
  }
  // Merge the lowest bins upward while past the limit, as the agent trims from the low end.
  let drop = 0;
  while (k.length - drop > BIN_LIMIT) {
    const merged = n[drop]! + n[drop + 1]!;
    if (merged > MAX_BIN_WIDTH) break;
    n[drop + 1] = merged;
    drop++;
  }
  return drop > 0 ? { k: k.slice(drop), n: n.slice(drop) } : { k, n };
}

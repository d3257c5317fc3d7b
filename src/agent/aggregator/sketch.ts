// The agent's DDSketch (pkg/quantile): gamma 1 + 2/128, min value 1e-9, keys = round-half-even
// of log_gamma(v) plus a bias, mirrored for negatives, at most 4096 bins (lowest collapsed).
// @datadog/sketches-js maps with gamma (1+a)/(1-a) and no bias, which is not the agent's mapping.

const EPS = 1 / 128;
const GAMMA_LN = Math.log1p(2 * EPS);
const MIN_VALUE = 1e-9;
export const SKETCH_BIAS = -Math.floor(Math.log(MIN_VALUE) / GAMMA_LN) + 1;
const MAX_KEY = 32766;
const BIN_LIMIT = 4096;
const MAX_BIN_WIDTH = 65535;

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

export class AgentSketch {
  private readonly bins = new Map<number, number>();
  cnt = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;

  insert(value: number, weight: number): void {
    const key = sketchKey(value);
    this.bins.set(key, (this.bins.get(key) ?? 0) + weight);
    this.cnt += weight;
    this.sum += value * weight;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Keys ascending with their counts, bins wider than 65535 split, lowest collapsed past the limit. */
  binsOut(): { k: number[]; n: number[] } {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const k: number[] = [];
    const n: number[] = [];
    for (const key of keys) {
      let count = this.bins.get(key)!;
      while (count > 0) {
        const width = Math.min(count, MAX_BIN_WIDTH);
        k.push(key);
        n.push(width);
        count -= width;
      }
    }
    while (k.length > BIN_LIMIT) {
      // Merge the two lowest bins into the second, as the agent trims from the low end.
      const merged = n[0]! + n[1]!;
      if (merged > MAX_BIN_WIDTH) break;
      k.shift();
      n.shift();
      n[0] = merged;
    }
    return { k, n };
  }
}

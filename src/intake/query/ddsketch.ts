// Percentiles of the agent's DDSketches: keys map back to values with gamma = 1 + 2/128 and
// the agent's bias for a minimum value of 1e-9 (pkg/quantile's default config).

export const GAMMA = 1 + 2 / 128;
const LN_GAMMA = Math.log1p(2 / 128);
export const BIAS = -Math.floor(Math.log(1e-9) / LN_GAMMA) + 1;

/** The lower bound of bin `key`; 0 for key 0, mirrored for negative keys. */
export function keyToValue(key: number): number {
  if (key === 0) return 0;
  if (key < 0) return -keyToValue(-key);
  return Math.exp((key - BIAS) * LN_GAMMA);
}

/** The key the agent gives a value (round half to even of log_gamma(v), plus the bias). */
export function valueToKey(value: number): number {
  if (Math.abs(value) < 1e-9) return 0;
  if (value < 0) return -valueToKey(-value);
  const x = Math.log(value) / LN_GAMMA;
  const floor = Math.floor(x);
  const diff = x - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded + BIAS;
}

export interface Bins {
  readonly cnt: number;
  readonly min: number;
  readonly max: number;
  /** key → count, any order. */
  readonly bins: Map<number, number>;
}

/** The q-quantile (0..1) of a sketch, interpolated inside its bin and clamped to [min, max]. */
export function quantile(sketch: Bins, q: number): number {
  if (sketch.cnt === 0) return 0;
  if (q <= 0) return sketch.min;
  if (q >= 1) return sketch.max;
  const rank = q * (sketch.cnt - 1);
  let seen = 0;
  const keys = [...sketch.bins.keys()].sort((a, b) => a - b);
  for (const key of keys) {
    const n = sketch.bins.get(key)!;
    seen += n;
    if (seen <= rank) continue;
    const low = keyToValue(key);
    const high = key > 0 ? low * GAMMA : key < 0 ? low / GAMMA : 0;
    const weight = (seen - rank) / n;
    const value = low * weight + high * (1 - weight);
    return Math.min(sketch.max, Math.max(sketch.min, value));
  }
  return sketch.max;
}

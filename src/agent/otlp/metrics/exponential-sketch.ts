// An exponential histogram as an agent sketch, the way the mapping converts it (a DDSketch with
// gamma 2^(2^-scale), re-mapped onto the agent's gamma with ChangeMapping, then
// ConvertDDSketchIntoSketch): each bucket's count is spread over the agent bins its value range
// overlaps, in proportion to the overlap; values the agent maps to key 0 or below join the zero
// bin; float counts are rounded keeping the running total exact.
import { SKETCH_BIAS } from '../../aggregator/sketch.js';
import type { ExponentialBuckets } from '../model.js';
import { MAX_KEY, SketchBuilder } from './sketch-builder.js';

const AGENT_GAMMA = 1 + 2 / 128;
const AGENT_LN_GAMMA = Math.log1p(2 / 128);
/** The agent's mapping as a DDSketch LogarithmicMapping: floor instead of round, hence the half. */
const AGENT_OFFSET = SKETCH_BIAS + 0.5;
/** DDSketch's Value(): a bin's lower bound times (1 + relative accuracy). */
const AGENT_VALUE_FACTOR = 1 + (1 - 2 / (1 + AGENT_GAMMA));

/** Index in the agent-compatible DDSketch mapping. */
function agentIndex(value: number): number {
  return Math.floor(Math.log(value) / AGENT_LN_GAMMA + AGENT_OFFSET);
}

function agentLowerBound(index: number): number {
  return Math.exp((index - AGENT_OFFSET) * AGENT_LN_GAMMA);
}

function agentValue(index: number): number {
  return agentLowerBound(index) * AGENT_VALUE_FACTOR;
}

export type ExponentialConversion =
  | { readonly ok: true; readonly sketch: SketchBuilder; readonly total: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'empty' };

interface FloatBins {
  /** Agent key (negative for negative values) → fractional count. */
  readonly byKey: Map<number, number>;
  zeros: number;
}

/**
 * Spreads one side's buckets over agent keys. False when a populated bucket lies beyond the
 * largest agent key (the mapping's "index exceeds the maximum supported index value").
 */
function spread(buckets: ExponentialBuckets, lnBase: number, sign: 1 | -1, out: FloatBins): boolean {
  const counts = buckets.bucketCounts;
  for (let j = 0; j < counts.length; j++) {
    const count = counts[j]!;
    if (!(count > 0)) continue;
    const index = buckets.offset + j;
    const inLower = Math.exp(index * lnBase);
    const inUpper = Math.exp((index + 1) * lnBase);
    if (!Number.isFinite(inUpper) || agentIndex(inUpper) > MAX_KEY + 1) return false;
    const firstAgentBound = agentLowerBound(1);
    if (inUpper <= firstAgentBound) {
      out.zeros += count;
      continue;
    }
    if (!(inUpper > inLower)) {
      // A bucket narrower than a double can tell: all of it in the agent bin of its bound.
      const index = agentIndex(inLower);
      if (index > MAX_KEY) return false;
      if (index < 1) {
        out.zeros += count;
        continue;
      }
      const key = sign * index;
      out.byKey.set(key, (out.byKey.get(key) ?? 0) + count);
      continue;
    }
    const inSize = inUpper - inLower;
    let outIndex = agentIndex(inLower);
    if (outIndex < 1) {
      // Every agent index below 1 stands for the zero bin: their share in one go.
      out.zeros += ((firstAgentBound - inLower) / inSize) * count;
      outIndex = 1;
    }
    for (; agentLowerBound(outIndex) < inUpper; outIndex++) {
      if (outIndex >= MAX_KEY + 1) return false;
      const lower = Math.max(agentLowerBound(outIndex), inLower);
      const upper = Math.min(agentLowerBound(outIndex + 1), inUpper);
      const share = ((upper - lower) / inSize) * count;
      if (share > 0) out.byKey.set(sign * outIndex, (out.byKey.get(sign * outIndex) ?? 0) + share);
    }
  }
  return true;
}

/**
 * The sketch of one delta exponential histogram point (min, max, sum approximated from the bins,
 * as the mapping does before the exact values override them).
 */
export function exponentialToSketch(
  scale: number,
  zeroCount: number,
  positive: ExponentialBuckets,
  negative: ExponentialBuckets,
): ExponentialConversion {
  const lnBase = Math.pow(2, -scale) * Math.LN2;
  // gamma must exceed 1 and be finite, as NewLogarithmicMappingWithGamma demands.
  const gamma = Math.pow(2, Math.pow(2, -scale));
  if (!Number.isFinite(scale) || !(gamma > 1) || !Number.isFinite(gamma)) return { ok: false, reason: 'malformed' };
  const bins: FloatBins = { byKey: new Map(), zeros: 0 };
  if (!spread(positive, lnBase, 1, bins) || !spread(negative, lnBase, -1, bins)) return { ok: false, reason: 'malformed' };
  bins.zeros += zeroCount > 0 ? zeroCount : 0;

  let inputTotal = bins.zeros;
  for (const c of positive.bucketCounts) if (c > 0) inputTotal += c;
  for (const c of negative.bucketCounts) if (c > 0) inputTotal += c;
  if (inputTotal === 0) return { ok: false, reason: 'empty' };

  const sketch = new SketchBuilder();
  if (inputTotal === 1) {
    // One observation is placed, not spread (createDDSketchWithSketchMapping), at the value the
    // input sketch reports for it: its bucket's DDSketch Value(), the exact sum coming later.
    const value = singleValue(positive, negative, lnBase, gamma);
    const magnitude = Math.abs(value);
    const index = magnitude === 0 ? 0 : agentIndex(magnitude);
    const key = index < 1 ? 0 : Math.sign(value) * Math.min(index, MAX_KEY);
    sketch.add(key, value, 1);
    return { ok: true, sketch, total: 1 };
  }

  if (bins.zeros > 0) bins.byKey.set(0, (bins.byKey.get(0) ?? 0) + bins.zeros);
  const keys = [...bins.byKey.keys()].sort((a, b) => a - b);
  let floatTotal = 0;
  let intTotal = 0;
  for (const key of keys) {
    floatTotal += bins.byKey.get(key)!;
    const rounded = Math.round(floatTotal) - intTotal;
    intTotal += rounded;
    if (rounded > 0) sketch.add(key, key === 0 ? 0 : key > 0 ? agentValue(key) : -agentValue(-key), rounded);
  }
  if (sketch.empty) return { ok: false, reason: 'empty' };
  return { ok: true, sketch, total: intTotal };
}

/** The one observation of a point holding one: its bucket's lower bound times (1 + relative accuracy), or 0. */
function singleValue(positive: ExponentialBuckets, negative: ExponentialBuckets, lnBase: number, gamma: number): number {
  const factor = 1 + (1 - 2 / (1 + gamma));
  for (const [buckets, sign] of [[positive, 1], [negative, -1]] as const) {
    const j = buckets.bucketCounts.findIndex((c) => c > 0);
    if (j >= 0) return sign * Math.exp((buckets.offset + j) * lnBase) * factor;
  }
  return 0;
}

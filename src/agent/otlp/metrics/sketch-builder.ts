// Agent sketches (the aggregator's DDSketch mapping: gamma 1 + 1/64, bias 1338) filled from
// bucket counts rather than samples: by key, with the summary the agent's sketch keeps (count,
// sum, min, max of the values the bins stand for), out as the `k`/`n` bins of a SketchPoint.
import { BIN_LIMIT, binsOf, keyValue, MAX_BIN_WIDTH, sketchKey } from '../../aggregator/sketch.js';
import type { SketchData } from '../consumer.js';

/** Keys span [-MAX_KEY, MAX_KEY] (pkg/util/quantile: maxKey = uvinf - 1). */
export const MAX_KEY = 32766;
/** Observations one sketch can hold once out (its bins are 16-bit counts, at most BIN_LIMIT of them). */
export const MAX_SKETCH_COUNT = BIN_LIMIT * MAX_BIN_WIDTH;

/**
 * The agent's key for `v`. Go converts an infinite log to an integer out of range, which lands on
 * key ±1 (the mapping's fixture single-bucket-delta-no-min-max shows key -1): kept here.
 */
export function agentKey(v: number): number {
  if (v === Infinity) return 1;
  if (v === -Infinity) return -1;
  return sketchKey(v);
}

/** The lower bound of a key's bin (pkg/util/quantile binLow). */
export function binLow(key: number): number {
  return keyValue(key);
}

export class SketchBuilder {
  private readonly bins = new Map<number, number>();
  cnt = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  /** `count` observations of `value` in the bin `key`. */
  add(key: number, value: number, count: number): void {
    if (count <= 0) return;
    this.bins.set(key, (this.bins.get(key) ?? 0) + count);
    this.cnt += count;
    this.sum += value * count;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get empty(): boolean {
    return this.cnt === 0;
  }

  /**
   * The agent's InsertInterpolate: `count` spread over the keys from key(lower) to key(upper) in
   * proportion to the width of each bin, remainders carried. False when the bounds decrease.
   */
  insertInterpolate(lower: number, upper: number, count: number): boolean {
    const start = agentKey(lower);
    const end = agentKey(upper);
    if (!(end >= start)) return false;
    let whatsLeft = count;
    const distance = upper - lower;
    let startKey = start;
    let lowerB = binLow(start);
    let remainder = 0;
    for (let endKey = start + 1; endKey <= end && whatsLeft > 0; endKey++) {
      const upperB = binLow(endKey);
      const fkn = ((upperB - lowerB) / distance) * count;
      if (fkn > 1) remainder += fkn - Math.trunc(fkn);
      let kn = Math.trunc(fkn);
      if (remainder > 1) {
        kn++;
        remainder--;
      }
      if (kn > 0) {
        if (kn > whatsLeft) kn = whatsLeft;
        this.add(startKey, lowerB, kn);
        whatsLeft -= kn;
        startKey = endKey;
        lowerB = upperB;
      }
    }
    if (whatsLeft > 0) this.add(startKey, binLow(startKey), whatsLeft);
    return true;
  }

  /** Bins ascending, each at most 65535 wide, lowest merged past 4096 (callers keep cnt under MAX_SKETCH_COUNT). */
  finish(): SketchData {
    return { cnt: this.cnt, min: this.min, max: this.max, sum: this.sum, avg: this.sum / this.cnt, ...binsOf(this.bins) };
  }
}

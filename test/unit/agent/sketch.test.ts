import { describe, expect, it } from 'vitest';
import { AgentSketch, SKETCH_BIAS, sketchKey } from '../../../src/agent/aggregator/sketch.js';
import { BIAS, valueToKey } from '../../../src/intake/query/ddsketch.js';

describe('agent DDSketch mapping', () => {
  it('uses gamma 1 + 2/128, min 1e-9 and the agent bias (1338)', () => {
    expect(SKETCH_BIAS).toBe(1338);
    expect(sketchKey(1)).toBe(1338);
    expect(sketchKey(0)).toBe(0);
    expect(sketchKey(1e-10)).toBe(0);
    expect(sketchKey(-1)).toBe(-1338);
    // gamma^44 ≈ 1.98: key of 2 is bias + round(ln 2 / ln gamma) = 1338 + 45
    expect(sketchKey(2)).toBe(1338 + Math.round(Math.log(2) / Math.log1p(1 / 64)));
  });

  it('agrees with the intake decoder on every key', () => {
    expect(BIAS).toBe(SKETCH_BIAS);
    for (let v = 1e-6; v < 1e9; v *= 1.37) expect(sketchKey(v)).toBe(valueToKey(v));
  });

  it('keeps count, min, max and sum exact and weights samples', () => {
    const sketch = new AgentSketch();
    sketch.insert(3, 1);
    sketch.insert(10, 4);
    expect([sketch.cnt, sketch.min, sketch.max, sketch.sum]).toEqual([5, 3, 10, 43]);
    const { k, n } = sketch.binsOut();
    expect(k).toEqual([sketchKey(3), sketchKey(10)]);
    expect(n).toEqual([1, 4]);
  });
});

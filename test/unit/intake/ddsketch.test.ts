import { describe, expect, it } from 'vitest';
import { BIAS, GAMMA, keyToValue, quantile, valueToKey } from '../../../src/intake/query/ddsketch.js';

describe('DDSketch keys of the agent (gamma 1 + 1/64, min value 1e-9)', () => {
  it('has the bias of the agent default config', () => {
    expect(GAMMA).toBe(1.015625);
    expect(BIAS).toBe(1338);
    expect(valueToKey(1)).toBe(BIAS);
    expect(valueToKey(0)).toBe(0);
    expect(valueToKey(-1)).toBe(-BIAS);
  });

  it('maps a key back within the relative accuracy', () => {
    for (const v of [1e-6, 0.003, 1, 2.5, 100, 12345.678, 1e9]) {
      for (const sign of [1, -1]) {
        const back = keyToValue(valueToKey(sign * v));
        expect(Math.abs(back - sign * v) / v).toBeLessThan(1 / 64);
      }
    }
  });

  it('reads percentiles of 1..1000 within the accuracy, clamped to min and max', () => {
    const bins = new Map<number, number>();
    for (let v = 1; v <= 1000; v++) bins.set(valueToKey(v), (bins.get(valueToKey(v)) ?? 0) + 1);
    const sketch = { cnt: 1000, min: 1, max: 1000, bins };
    for (const [q, exact] of [[0.5, 500.5], [0.95, 950.05], [0.99, 990.01]] as const) {
      expect(Math.abs(quantile(sketch, q) - exact) / exact).toBeLessThan(2 / 64);
    }
    expect(quantile(sketch, 0)).toBe(1);
    expect(quantile(sketch, 1)).toBe(1000);
    expect(quantile({ cnt: 0, min: 0, max: 0, bins: new Map() }, 0.5)).toBe(0);
  });
});

// The aggregator's memory caps: live contexts, histogram samples (typed arrays, then a sketch),
// set members, pending timestamped samples / events / service checks, sketch bins.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Aggregator, type AggregatorLimits } from '../../../src/agent/aggregator/aggregator.js';
import { flushHistogram, HistogramSamples, type HistogramSettings } from '../../../src/agent/aggregator/histogram.js';
import type { FlushBatch, Serie } from '../../../src/agent/aggregator/payloads.js';
import { AgentSketch, SKETCH_RELATIVE_ACCURACY } from '../../../src/agent/aggregator/sketch.js';
import { DogStatsdCounters } from '../../../src/agent/dogstatsd/counters.js';
import { parseDatagram } from '../../../src/agent/dogstatsd/parser.js';

/** The storage and flush before the caps (number[] samples), kept here as the reference. */
class ReferenceSamples {
  values: number[] = [];
  weights: number[] | undefined;
  sum = 0;
  count = 0;
  add(value: number, weight: number): void {
    if (weight !== 1 && this.weights === undefined) this.weights = this.values.map(() => 1);
    this.values.push(value);
    this.weights?.push(weight);
    this.sum += value * weight;
    this.count += weight;
  }
}

function referenceFlush(h: ReferenceSamples, settings: HistogramSettings, interval: number): { suffix: string; value: number; type: string }[] {
  if (h.values.length === 0) return [];
  let values: ArrayLike<number>;
  let weights: ArrayLike<number> | undefined;
  if (h.weights === undefined) values = Float64Array.from(h.values).sort();
  else {
    const order = h.values.map((_, i) => i).sort((a, b) => h.values[a]! - h.values[b]!);
    values = order.map((i) => h.values[i]!);
    weights = order.map((i) => h.weights![i]!);
  }
  const at = (target: number): number => {
    if (weights === undefined) return values[Math.min(Math.max(target + 1, 1), values.length) - 1]!;
    let w = 0;
    for (let i = 0; i < values.length; i++) {
      w += weights[i]!;
      if (w > target) return values[i]!;
    }
    return values[values.length - 1]!;
  };
  const points: { suffix: string; value: number; type: string }[] = [];
  for (const a of settings.aggregates) {
    if (a === 'max') points.push({ suffix: '.max', value: values[values.length - 1]!, type: 'gauge' });
    if (a === 'min') points.push({ suffix: '.min', value: values[0]!, type: 'gauge' });
    if (a === 'median') points.push({ suffix: '.median', value: at(Math.trunc((h.count - 1) / 2)), type: 'gauge' });
    if (a === 'avg') points.push({ suffix: '.avg', value: h.sum / h.count, type: 'gauge' });
    if (a === 'sum') points.push({ suffix: '.sum', value: h.sum, type: 'gauge' });
    if (a === 'count') points.push({ suffix: '.count', value: h.count / interval, type: 'rate' });
  }
  for (const p of settings.percentiles) points.push({ suffix: `.${p}percentile`, value: at(Math.trunc((p * h.count - 1) / 100)), type: 'gauge' });
  return points;
}

const ALL: HistogramSettings = { aggregates: ['max', 'min', 'median', 'avg', 'sum', 'count'], percentiles: [25, 50, 75, 95, 99] };

function harness(limits: AggregatorLimits, histogram: HistogramSettings = ALL) {
  let now = 1_700_000_001_000;
  const aggregator = new Aggregator({ hostname: 'h', globalTags: [], histogram, clock: () => now, limits });
  const counters = new DogStatsdCounters();
  return {
    aggregator,
    send(text: string) {
      const buf = Buffer.from(text);
      parseDatagram(buf, buf.length, aggregator, counters);
    },
    advance(seconds: number) {
      now += seconds * 1000;
    },
    status: () => aggregator.status() as Record<string, number>,
  };
}

const byName = (batch: FlushBatch): Map<string, Serie> => new Map(batch.series.map((s) => [`${s.metric}|${s.tags.join(',')}`, s]));
const valueOf = (batch: FlushBatch, metric: string, tags = ''): number | undefined => byName(batch).get(`${metric}|${tags}`)?.points[0]![1];

describe('context cap (dogstatsd_context_limiter.limit)', () => {
  it('a flood of unique contexts stays at the cap, its samples counted; known contexts stay exact', async () => {
    const h = harness({ contextLimit: 100 });
    h.send('known.count:1|c|#a:1,b:2\nknown.gauge:5|g\nknown.hist:10|h');
    for (let i = 0; i < 5_000; i++) {
      h.send(`flood.m${i}:1|c|#u:${i}\nknown.count:1|c|#a:1,b:2\nknown.hist:${i % 7}|h`);
    }
    h.send('known.count:1|c|#b:2,a:1'); // another spelling of a known context: still accepted
    const s = h.status();
    expect(s.contexts).toBe(100);
    expect(s.contextLimit).toBe(100);
    expect(s.samplesDroppedByContextLimit).toBe(5_000 - 97);
    expect(s.contextSpellings).toBeLessThanOrEqual(200);
    h.advance(10);
    const batch = await h.aggregator.flush();
    expect(valueOf(batch, 'known.count', 'a:1,b:2')).toBe(5_002 / 10);
    expect(valueOf(batch, 'known.gauge')).toBe(5);
    expect(valueOf(batch, 'known.hist.count')).toBe(5_001 / 10);
    expect(valueOf(batch, 'known.hist.max')).toBe(10);
    expect(batch.series.filter((x) => x.metric.startsWith('flood.')).length).toBe(97);
  });

  it('idle contexts leave after dogstatsd_context_expiry_seconds (counters after their zero-fill), making room', async () => {
    const h = harness({ contextLimit: 3, contextExpirySeconds: 20 });
    h.send('g1:1|g\ng2:1|g\nc1:1|c\ng3:1|g');
    expect(h.status()).toMatchObject({ contexts: 3, samplesDroppedByContextLimit: 1 });
    for (let i = 0; i < 4; i++) {
      h.advance(10);
      await h.aggregator.flush();
    }
    expect(h.status().contexts).toBe(1); // the counter, zero-filled for 300 s
    h.send('g3:1|g\ng4:1|g');
    expect(h.status()).toMatchObject({ contexts: 3, samplesDroppedByContextLimit: 1 });
  });

  it('0 means no limit', () => {
    const h = harness({ contextLimit: 0 });
    for (let i = 0; i < 2_000; i++) h.send(`m${i}:1|g`);
    expect(h.status()).toMatchObject({ contexts: 2_000, samplesDroppedByContextLimit: 0 });
  });

  it('bounds the timestamped samples, events and service checks waiting for a flush', async () => {
    const h = harness({ contextLimit: 10 });
    for (let i = 0; i < 50; i++) h.send(`ts.g:${i}|g|T1700000000\n_e{1,1}:t|x\n_sc|chk|0`);
    expect(h.status()).toMatchObject({ timestampedSamplesDroppedByLimit: 40, eventsDroppedByLimit: 40, serviceChecksDroppedByLimit: 40 });
    const batch = await h.aggregator.flush();
    expect(batch.events).toHaveLength(10);
    expect(batch.serviceChecks.filter((c) => c.check === 'chk')).toHaveLength(10);
    expect(batch.series.filter((x) => x.metric === 'ts.g')).toHaveLength(10);
  });
});

describe('histogram storage', () => {
  const sample = fc.record({
    value: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -5, max: 5 })),
    weight: fc.oneof(fc.constant(1), fc.constant(1), fc.integer({ min: 1, max: 10 })),
  });

  it('typed arrays flush exactly what number[] storage flushed (weighted or not)', () => {
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 300 }), fc.boolean(), (samples, unweighted) => {
        const now = new HistogramSamples();
        const before = new ReferenceSamples();
        for (const { value, weight } of samples) {
          now.add(value, unweighted ? 1 : weight);
          before.add(value, unweighted ? 1 : weight);
        }
        expect(flushHistogram(now, ALL, 10)).toEqual(referenceFlush(before, ALL, 10));
      }),
      { numRuns: 300 },
    );
  });

  it('through the aggregator under the caps: the default aggregates and percentiles are unchanged', async () => {
    const settings: HistogramSettings = { aggregates: ['max', 'median', 'avg', 'count'], percentiles: [95] };
    const h = harness({ maxSamplesPerContext: 5_000 }, settings);
    const reference = new ReferenceSamples();
    for (let i = 0; i < 4_000; i++) {
      const value = Math.round(Math.exp(Math.sin(i) * 5) * 1000) / 1000;
      const rate = i % 3 === 0 ? 0.25 : 1;
      h.send(`lat:${value}|ms${rate === 1 ? '' : `|@${rate}`}`);
      reference.add(value, rate === 1 ? 1 : 4);
    }
    h.advance(10);
    const batch = await h.aggregator.flush();
    const got = batch.series.filter((s) => s.metric.startsWith('lat.')).map((s) => ({ suffix: s.metric.slice(3), value: s.points[0]![1], type: s.type }));
    expect(got).toEqual(referenceFlush(reference, settings, 10));
    expect(h.status()).toMatchObject({ histogramsSketched: 0, histogramSamplesSketched: 0, samplesHeld: 0 });
  });

  it('past the per-context cap: max/min/avg/count/sum exact, percentiles within the sketch accuracy', async () => {
    const h = harness({ maxSamplesPerContext: 1_000 });
    const reference = new ReferenceSamples();
    let seed = 7;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 30_000; i++) {
      const value = Math.exp(random() * 12 - 4) * (random() < 0.05 ? -1 : 1); // 6 decades, some negative
      const rate = i % 5 === 0 ? 0.5 : 1;
      h.send(`big:${value}|h${rate === 1 ? '' : `|@${rate}`}`);
      reference.add(value, rate === 1 ? 1 : 2);
    }
    expect(h.status()).toMatchObject({ histogramsSketched: 1, histogramSamplesSketched: 30_000, samplesHeld: 0 });
    h.advance(10);
    const batch = await h.aggregator.flush();
    const expected = new Map(referenceFlush(reference, ALL, 10).map((p) => [p.suffix, p.value]));
    expect(valueOf(batch, 'big.sum')).toBeCloseTo(expected.get('.sum')!, 6);
    expect(valueOf(batch, 'big.avg')).toBeCloseTo(expected.get('.avg')!, 9);
    for (const suffix of ['.median', '.25percentile', '.50percentile', '.75percentile', '.95percentile', '.99percentile']) {
      const exact = expected.get(suffix)!;
      const approx = valueOf(batch, `big${suffix}`)!;
      expect(Math.abs(approx - exact) / Math.abs(exact)).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY + 1e-12);
    }
  });

  it('the total cap sketches whichever histogram takes a sample past it, and frees the samples at flush', async () => {
    const h = harness({ maxSamplesPerContext: 10_000, maxSamplesTotal: 2_000 });
    for (let round = 0; round < 100; round++) {
      const lines = Array.from({ length: 50 }, (_, c) => `hist.c${c}:${round + c}|h`);
      h.send(lines.join('\n'));
    }
    const s = h.status();
    expect(s.samplesHeld).toBeLessThanOrEqual(2_000);
    expect(s.histogramsSketched).toBeGreaterThan(0);
    expect(s.samplesHeld + s.histogramSamplesSketched).toBe(5_000);
    h.advance(10);
    const batch = await h.aggregator.flush();
    expect(h.status().samplesHeld).toBe(0);
    for (let c = 0; c < 50; c++) {
      expect(valueOf(batch, `hist.c${c}.max`)).toBe(99 + c);
      expect(valueOf(batch, `hist.c${c}.min`)).toBe(c);
      expect(valueOf(batch, `hist.c${c}.count`)).toBe(10);
    }
  });

  it('sets keep at most the cap of members, the others counted', async () => {
    const h = harness({ maxSamplesPerContext: 100 });
    for (let i = 0; i < 1_000; i++) h.send(`users:u${i % 300}|s`);
    expect(h.status()).toMatchObject({ samplesHeld: 100, setMembersDroppedByLimit: 600 });
    h.advance(10);
    expect(valueOf(await h.aggregator.flush(), 'users')).toBe(100);
  });
});

describe('sketch bins', () => {
  it('hold at most 2 × 4096 keys whatever the values, counts kept', () => {
    const sketch = new AgentSketch();
    let total = 0;
    for (let i = 0; i < 40_000; i++) {
      sketch.insert(1.016 ** (i - 20_000), 1 + (i % 3));
      total += 1 + (i % 3);
      expect(sketch.binCount).toBeLessThanOrEqual(8_192);
    }
    const { k, n } = sketch.binsOut();
    expect(n.reduce((a, b) => a + b, 0)).toBe(total);
    expect(k.length).toBeLessThanOrEqual(8_192);
    expect(sketch.cnt).toBe(total);
  });
});

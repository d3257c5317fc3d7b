// Memory bounded by design: over real UDP, a flood of unique contexts and histogram samples
// grows the heap by no more than the caps allow; with the intake down, the forwarder never
// holds more payload bytes than its bound, in flight included.
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fault } from '../helpers/recording-intake.js';
import { startHarness, until, type Harness } from './agent-harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function sendAll(harness: Harness, datagrams: string[]): Promise<void> {
  for (let i = 0; i < datagrams.length; i += 100) await harness.send(...datagrams.slice(i, i + 100));
}

describe('agent memory bounds', () => {
  it('a flood of unique contexts and histogram samples grows the heap within the budget of the caps', async () => {
    const CONTEXT_LIMIT = 1_000;
    const SAMPLES_TOTAL = 20_000;
    h = await startHarness({
      env: {
        DD_DOGSTATSD_CONTEXT_LIMITER_LIMIT: String(CONTEXT_LIMIT),
        DD_DOGSTATSD_MAX_SAMPLES_PER_CONTEXT: '500',
        DD_DOGSTATSD_MAX_SAMPLES_TOTAL: String(SAMPLES_TOTAL),
      },
    });
    // The known contexts first: 100 histograms and a counter.
    await h.send(Array.from({ length: 100 }, (_, c) => `bounds.latency:1|ms|#route:r${c}`).join('\n'), 'bounds.known:1|c|#a:1');
    const UNIQUE = 40_000;
    const flood: string[] = [];
    for (let d = 0; d < UNIQUE / 20; d++) {
      const lines = Array.from({ length: 20 }, (_, i) => `hostile.${randomBytes(6).toString('hex')}.${d}_${i}:1|g|#user:${randomBytes(8).toString('hex')},session:${randomBytes(8).toString('hex')},pod:p${d}`);
      flood.push(`${lines.join('\n')}\nbounds.known:1|c|#a:1`);
    }
    const HISTOGRAM_SAMPLES = 200_000;
    for (let d = 0; d < HISTOGRAM_SAMPLES / 40; d++) {
      flood.push(Array.from({ length: 40 }, (_, i) => `bounds.latency:${((d * 40 + i) % 997) + 1}|ms|#route:r${(d * 40 + i) % 100}`).join('\n'));
    }
    const before = heapUsed(); // the datagrams built above are the test's, not the agent's
    await sendAll(h, flood);
    const grown = heapUsed() - before;

    const status = h.agent.aggregator.status() as Record<string, number>;
    expect(status.contexts).toBeLessThanOrEqual(CONTEXT_LIMIT);
    expect(status.samplesDroppedByContextLimit).toBe(UNIQUE - (CONTEXT_LIMIT - 101));
    expect(status.samplesHeld).toBeLessThanOrEqual(SAMPLES_TOTAL);
    expect(status.histogramSamplesSketched).toBeGreaterThan(0);
    // Per context: its strings, tags, spellings and bucket entry (≤ 2 KiB with these tags); per
    // sample 16 bytes; 4 MiB for the harness itself (sockets, logs, the intake). Unbounded, the
    // 40,000 contexts alone take ~30 MB.
    const budget = CONTEXT_LIMIT * 2048 + SAMPLES_TOTAL * 16 + 4 * 1024 * 1024;
    expect(grown).toBeLessThan(budget);

    h.closeBucket();
    await h.flush();
    const series = h.series();
    const point = (metric: string, tag: string): number | undefined => series.find((s) => s.metric === metric && s.tags.includes(tag))?.points[0]![1];
    expect(point('bounds.known', 'a:1')).toBe((1 + UNIQUE / 20) / 10);
    for (const route of [0, 42, 99]) {
      expect(point('bounds.latency.count', `route:r${route}`)).toBe((1 + HISTOGRAM_SAMPLES / 100) / 10);
      expect(point('bounds.latency.max', `route:r${route}`)).toBe(997);
    }
    const shown = h.agent.status().components.aggregator as Record<string, number>;
    expect(shown).toMatchObject({ contextLimit: CONTEXT_LIMIT, samplesDroppedByContextLimit: status.samplesDroppedByContextLimit });
    expect(h.logs.some((line) => line.includes('dogstatsd_context_limiter.limit'))).toBe(true);
  });

  const outages: [string, Fault][] = [
    ['answers 500 slowly', { delayMs: 150, status: 500 }],
    ['drops every connection', 'close'],
  ];
  it.each(outages)('intake down (%s): queued and in-flight payloads never exceed the byte bound', async (_, fault) => {
    const MAX = 60_000;
    h = await startHarness({
      env: { DD_FORWARDER_RETRY_QUEUE_PAYLOADS_MAX_SIZE: String(MAX) },
      options: { limits: { maxRawBytes: 20_000, maxCompressedBytes: 8_000 } },
    });
    const harness = h;
    harness.intake.always('*', fault);
    let observed = 0;
    let sawInFlight = false;
    const watch = setInterval(() => {
      const s = harness.agent.transport.status() as Record<string, number> & { bound: Record<string, number> };
      observed = Math.max(observed, s.queuedBytes! + s.bound.inFlightBytes!);
      if (s.inFlight! > 0) sawInFlight = true;
    }, 2);
    try {
      for (let flush = 0; flush < 25; flush++) {
        const lines = Array.from({ length: 300 }, (_, i) => `outage.${randomBytes(8).toString('hex')}.m${i}:${i}|g|#k:${randomBytes(8).toString('hex')}`);
        for (let i = 0; i < lines.length; i += 30) await harness.send(lines.slice(i, i + 30).join('\n'));
        harness.closeBucket();
        await harness.agent.flusher.flush(false);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await until(() => (harness.agent.transport.status().retries as number) > 10, 5_000, 'retries');
    } finally {
      clearInterval(watch);
    }
    const status = harness.agent.transport.status() as Record<string, number> & { bound: Record<string, number> };
    expect(status.bound.maxBytes).toBe(MAX);
    expect(status.evicted).toBeGreaterThan(0);
    expect(status.payloadsSent).toBe(0);
    expect(observed).toBeGreaterThan(MAX / 2);
    expect(observed).toBeLessThanOrEqual(MAX);
    expect(status.bound.peakHeldBytes).toBeLessThanOrEqual(MAX);
    expect(status.bound.peakHeldBytes).toBeGreaterThanOrEqual(observed);
    expect(sawInFlight).toBe(true);
    harness.intake.clearFaults();
  });
});

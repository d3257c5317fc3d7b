// The forwarder against an intake that fails: retries deliver once, 403 is one log line,
// 400/413 are dropped and counted, big flushes are split, the queue is bounded, stop is bounded.
import { afterEach, describe, expect, it } from 'vitest';
import type { Serie } from '../../src/agent/aggregator/payloads.js';
import { API_KEY, startHarness, type Harness } from './agent-harness.js';

describe('forwarder faults', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('500 twice then 202: the payload is delivered exactly once, retries counted', async () => {
    h = await startHarness();
    h.intake.fail('/api/v1/series', 500, 500);
    await h.send('retry.me:5|g');
    h.closeBucket();
    await h.flush();
    const delivered = h.series().filter((s) => s.metric === 'retry.me');
    expect(delivered).toHaveLength(1);
    expect(h.intake.requests.filter((r) => r.path === '/api/v1/series').map((r) => r.status)).toEqual([500, 500, 202]);
    expect(h.agent.transport.status()).toMatchObject({ retries: 2, queuedPayloads: 0 });
  });

  it('a dropped connection is retried like a 5xx', async () => {
    h = await startHarness();
    h.intake.fail('/api/v1/series', 'close');
    await h.send('conn.drop:1|g');
    h.closeBucket();
    await h.flush();
    expect(h.series().filter((s) => s.metric === 'conn.drop')).toHaveLength(1);
  });

  it('403 on every endpoint: one clear log line, payloads dropped and counted, key never logged', async () => {
    h = await startHarness();
    h.intake.always('*', 403);
    for (let i = 0; i < 3; i++) {
      await h.send(`k${i}:1|g`);
      h.closeBucket();
      await h.flush();
    }
    const keyLines = h.logs.filter((l) => /API key invalid/.test(l));
    expect(keyLines).toHaveLength(1);
    expect(keyLines[0]).toMatch(/\| CORE \| ERROR \| API key invalid: the intake answered 403 .*DD_API_KEY/);
    expect(h.logs.join('')).not.toContain(API_KEY);
    const dropped = h.agent.transport.status().droppedByStatus as Record<string, number>;
    expect(dropped['403']).toBe(h.intake.requests.length);
  });

  it('413 and 400 are dropped and counted, not retried', async () => {
    h = await startHarness();
    h.intake.fail('/api/v1/series', 413);
    h.intake.fail('/api/v1/check_run', 400);
    await h.send('too.big:1|g');
    h.closeBucket();
    await h.flush();
    expect(h.agent.transport.status().droppedByStatus).toEqual({ 400: 1, 413: 1 });
    expect(h.intake.requests.filter((r) => r.path === '/api/v1/series')).toHaveLength(1);
  });

  it('splits a flush into payloads under the size limits; each series arrives once', async () => {
    h = await startHarness({ options: { limits: { maxRawBytes: 4_000, maxCompressedBytes: 1_000 } } });
    await h.send(...Array.from({ length: 20 }, (_, d) => Array.from({ length: 20 }, (_, i) => `split.m${d}_${i}:${i}|g|#shard:${d}`).join('\n')));
    h.closeBucket();
    await h.flush();
    const posts = h.intake.accepted('/api/v1/series');
    expect(posts.length).toBeGreaterThan(3);
    for (const post of posts) {
      expect(post.body.length).toBeLessThanOrEqual(4_000);
      expect(post.rawBody.length).toBeLessThanOrEqual(1_000);
    }
    const names = h.series().map((s: Serie) => s.metric).filter((m) => m.startsWith('split.'));
    expect(names).toHaveLength(400);
    expect(new Set(names).size).toBe(400);
  });

  it('keeps at most maxQueueBytes waiting while the intake is down, evicting the oldest', async () => {
    h = await startHarness({ options: { maxQueueBytes: 2_000, backoff: { baseMs: 60_000, capMs: 60_000 } } });
    h.intake.always('*', 503);
    for (let i = 0; i < 10; i++) {
      await h.send(Array.from({ length: 30 }, (_, j) => `q${i}.m${j}:${j}|g`).join('\n'));
      h.closeBucket();
      await h.agent.flusher.flush(false);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const status = h.agent.transport.status();
    expect(status.queuedBytes as number).toBeLessThanOrEqual(2_000);
    expect(status.evicted as number).toBeGreaterThan(0);
    h.intake.clearFaults();
  });

  it('intake down during stop: the stop ends at the deadline and counts what was not delivered', async () => {
    h = await startHarness();
    h.intake.always('*', 'close');
    await h.send('last.words:1|c');
    const deadline = Date.now() + 1_500;
    await h.agent.stop(deadline);
    const status = h.agent.transport.status();
    expect(status.payloadsSent).toBe(0);
    expect(status.droppedAtDeadline as number).toBeGreaterThan(0);
    expect(status.retries as number).toBeGreaterThan(0);
    expect(h.intake.requests.every((r) => r.status === undefined)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { keepByRate, PrioritySampler } from '../../../src/agent/apm/sampler.js';
import { PRIORITY_AUTO_DROP, PRIORITY_NONE, PRIORITY_USER_DROP, PRIORITY_USER_KEEP, type Span } from '../../../src/agent/apm/span.js';

function s(fields: Partial<Span> = {}): Span {
  return { service: 'web', name: 'op', resource: 'r', traceId: 1n, spanId: 1n, parentId: 0n, start: 1n, duration: 1, error: 0, meta: {}, metrics: {}, type: '', ...fields };
}

describe('PrioritySampler', () => {
  it('rates each service/env down to the target rate and reports them as rate_by_service', () => {
    let now = 1_000_000;
    const sampler = new PrioritySampler(10, 10, () => now);
    for (let i = 0; i < 400; i++) sampler.observe('busy', 'prod'); // 40 traces/s over the 10 s window
    sampler.observe('quiet', 'prod');
    expect(sampler.rate('busy', 'prod')).toBeCloseTo(0.25);
    expect(sampler.rate('quiet', 'prod')).toBe(1);
    expect(sampler.ratesByService()).toEqual({ 'service:,env:': 1, 'service:busy,env:prod': 0.25, 'service:quiet,env:prod': 1 });
    now += 11_000; // the window slid past every observation
    expect(sampler.rate('busy', 'prod')).toBe(1);
  });

  it('keeps tracer-kept traces, errors up to the error budget, and drops the rest', () => {
    const now = 5_000_000;
    const sampler = new PrioritySampler(10, 2, () => now);
    const ok = [s()];
    const failed = [s({ error: 1 })];
    expect(sampler.decide(PRIORITY_USER_KEEP, ok, ok[0]!, 'prod')).toBe('priority');
    expect(sampler.decide(1, ok, ok[0]!, 'prod')).toBe('priority');
    expect(sampler.decide(PRIORITY_AUTO_DROP, ok, ok[0]!, 'prod')).toBe('dropped');
    expect(sampler.decide(PRIORITY_USER_DROP, ok, ok[0]!, 'prod')).toBe('dropped');
    expect(sampler.decide(PRIORITY_AUTO_DROP, failed, failed[0]!, 'prod')).toBe('error');
    expect(sampler.decide(PRIORITY_AUTO_DROP, failed, failed[0]!, 'prod')).toBe('error');
    expect(sampler.decide(PRIORITY_AUTO_DROP, failed, failed[0]!, 'prod')).toBe('dropped'); // budget of 2/s used
    expect(sampler.decide(PRIORITY_NONE, ok, ok[0]!, 'prod')).toBe('rate'); // unseen service: rate 1
  });
});

describe('keepByRate', () => {
  it('is deterministic per trace id and keeps about `rate` of them', () => {
    let kept = 0;
    for (let id = 1n; id <= 20_000n; id++) if (keepByRate(id * 7919n, 0.3)) kept++;
    expect(kept / 20_000).toBeGreaterThan(0.27);
    expect(kept / 20_000).toBeLessThan(0.33);
    expect(keepByRate(123n, 0.3)).toBe(keepByRate(123n, 0.3));
    expect(keepByRate(123n, 1)).toBe(true);
    expect(keepByRate(123n, 0)).toBe(false);
  });
});

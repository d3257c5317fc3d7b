import { describe, expect, it } from 'vitest';
import { normalizeName, normalizeService, normalizeTag } from '../../../src/agent/apm/normalize-names.js';
import { findRoot, markTopLevel, normalizeSpan, normalizeTrace } from '../../../src/agent/apm/normalize-trace.js';
import type { Span } from '../../../src/agent/apm/span.js';

const NOW = 1_700_000_000_000_000_000n;

function s(fields: Partial<Span> = {}): Span {
  return { service: 'svc', name: 'op', resource: 'res', traceId: 1n, spanId: 1n, parentId: 0n, start: NOW, duration: 10, error: 0, meta: {}, metrics: {}, type: 'web', ...fields };
}

describe('names', () => {
  it.each([
    ['Hello World', 'hello_world'],
    ['  leading', 'leading'],
    ['1abc', 'abc'],
    ['A:B', 'a:b'],
    ['a--b__c', 'a--b_c'],
    ['Ünïcödé Śtring!', 'ünïcödé_śtring'],
    ['env/prod-1', 'env/prod-1'],
    ['a\uFFFDb', 'a_b'],
  ])('tag %j → %j', (input, expected) => {
    expect(normalizeTag(input)).toBe(expected);
  });

  it.each([
    ['GET /users', 'GET_users'],
    ['http.request', 'http.request'],
    ['...', 'unnamed_operation'],
    ['', 'unnamed_operation'],
    ['a_.b', 'a.b'],
    ['1foo', 'foo'],
    ['Foo Bar!', 'Foo_Bar'],
  ])('name %j → %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('caps names and services at 100 bytes and falls back to unnamed-<lang>-service', () => {
    expect(normalizeName('x'.repeat(150))).toHaveLength(100);
    expect(normalizeService('s'.repeat(150), 'go')).toHaveLength(100);
    expect(normalizeService('', 'ruby')).toBe('unnamed-ruby-service');
    expect(normalizeService('!!!', '')).toBe('unnamed-service');
    expect(normalizeService('My Service', '')).toBe('my_service');
  });
});

describe('spans', () => {
  it('refuses zero ids', () => {
    expect(normalizeSpan(s({ traceId: 0n }), '', () => NOW)).toBe('trace_id_zero');
    expect(normalizeSpan(s({ spanId: 0n }), '', () => NOW)).toBe('span_id_zero');
  });

  it('applies defaults, fixes times, truncates long values and drops bad status codes', () => {
    const span = s({ service: '', name: '', resource: '', start: 5n, duration: -3, type: 't'.repeat(150), meta: { env: 'Prod Env', 'http.status_code': '999', ['k'.repeat(250)]: 'v'.repeat(30_000) } });
    expect(normalizeSpan(span, 'dotnet', () => NOW)).toBeUndefined();
    expect(span).toMatchObject({ service: 'unnamed-dotnet-service', name: 'unnamed_operation', resource: 'unnamed_operation', duration: 0, start: NOW });
    expect(span.type).toHaveLength(100);
    expect(span.meta.env).toBe('prod_env');
    expect(span.meta['http.status_code']).toBeUndefined();
    const [key, value] = Object.entries(span.meta).find(([k]) => k.startsWith('kkk'))!;
    expect(key).toBe(`${'k'.repeat(200)}...`);
    expect(value).toBe(`${'v'.repeat(25_000)}...`);
  });

  it('clears a parent id equal to the trace and span ids (old tracers)', () => {
    const span = s({ traceId: 7n, spanId: 7n, parentId: 7n });
    normalizeSpan(span, '', () => NOW);
    expect(span.parentId).toBe(0n);
  });
});

describe('traces', () => {
  it('drops a trace holding a span of another trace', () => {
    expect(normalizeTrace([s(), s({ traceId: 2n, spanId: 2n })], '', () => NOW)).toBe('foreign_span');
  });

  it('finds the root and marks top-level spans by service boundary', () => {
    const root = s({ spanId: 1n, service: 'web' });
    const sameService = s({ spanId: 2n, parentId: 1n, service: 'web' });
    const otherService = s({ spanId: 3n, parentId: 2n, service: 'db' });
    const orphan = s({ spanId: 4n, parentId: 99n, service: 'web' });
    markTopLevel([otherService, sameService, root, orphan]);
    expect(findRoot([otherService, sameService, root, orphan])).toBe(root);
    expect([root, sameService, otherService, orphan].map((x) => x.metrics._top_level)).toEqual([1, undefined, 1, 1]);
    expect(findRoot([otherService, sameService])).toBe(sameService);
  });
});

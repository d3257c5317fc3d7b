import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { encodeAgentPayload } from '../../../src/agent/apm/agent-payload.js';
import { DecodeError } from '../../../src/agent/apm/decode-error.js';
import { decodeV04, decodeV05 } from '../../../src/agent/apm/decode-traces.js';
import { LatencySketch } from '../../../src/agent/apm/latency-sketch.js';
import { StatsConcentrator } from '../../../src/agent/apm/stats-concentrator.js';
import { encodeAgentStats } from '../../../src/agent/apm/stats-payload.js';
import type { Span } from '../../../src/agent/apm/span.js';
import { decodeAgentPayload } from '../../../src/intake/payloads/traces.js';
import { decodeStats } from '../../../src/intake/payloads/stats.js';

const START = 1_700_000_000_123_456_789n;

function s(fields: Partial<Span> = {}): Span {
  return { service: 'web', name: 'op', resource: 'r', traceId: 1n, spanId: 1n, parentId: 0n, start: START, duration: 1000, error: 0, meta: {}, metrics: {}, type: 'web', ...fields };
}

describe('AgentPayload', () => {
  it('encodes every field the intake reads, with uint64 ids and int64 starts exact', () => {
    const span = s({ traceId: 2n ** 64n - 1n, spanId: 2n ** 53n + 1n, parentId: 2n ** 63n, meta: { env: 'prod', 'é': 'ü' }, metrics: { x: 1.5, _top_level: 1 }, metaStruct: { appsec: Uint8Array.from([0x80]) } });
    const bytes = encodeAgentPayload(
      { hostName: 'h', env: 'prod', tags: { dyno: 'web.1' }, agentVersion: '0.1.0', targetTps: 10, errorTps: 10 },
      [{ containerId: '', languageName: 'ruby', languageVersion: '3.3', tracerVersion: '2.0', runtimeId: 'rt', env: 'prod', appVersion: '9', chunks: [{ priority: 2, origin: 'synthetics', spans: [span], droppedTrace: false }] }],
    );
    const [record] = decodeAgentPayload(bytes);
    expect(record).toMatchObject({
      traceId: (2n ** 64n - 1n).toString(),
      spanId: (2n ** 53n + 1n).toString(),
      parentId: (2n ** 63n).toString(),
      start: START.toString(),
      duration: 1000,
      host: 'h',
      env: 'prod',
      language: 'ruby',
      tracerVersion: '2.0',
      priority: 2,
      origin: 'synthetics',
      meta: { env: 'prod', 'é': 'ü' },
      metrics: { x: 1.5, _top_level: 1 },
    });
  });
});

describe('decoders', () => {
  it('keeps 64-bit ids exact from msgpack and JSON', () => {
    const body = encode([[{ trace_id: 2n ** 64n - 1n, span_id: 2n ** 53n + 1n, start: START, duration: 5 }]], { useBigInt64: true });
    expect(decodeV04(body, 'application/msgpack')[0]![0]).toMatchObject({ traceId: 2n ** 64n - 1n, spanId: 2n ** 53n + 1n, start: START });
    const json = Buffer.from('[[{"trace_id":18446744073709551615,"span_id":9007199254740993,"parent_id":1,"start":1700000000123456789,"duration":5,"resource":"a\\"trace_id\\":12345678901234567"}]]');
    const [span] = decodeV04(json, 'application/json')[0]!;
    expect(span).toMatchObject({ traceId: 2n ** 64n - 1n, spanId: 2n ** 53n + 1n, start: START, resource: 'a"trace_id":12345678901234567' });
  });

  it('replaces invalid UTF-8 in values and keys with U+FFFD', () => {
    // {"meta": {"k\xff": "v\xc3"}} with a raw msgpack map: fixmap 1, fixstr "meta", fixmap 1, fixstr(2), fixstr(2).
    const body = Uint8Array.from([0x91, 0x91, 0x82, 0xa4, ...Buffer.from('meta'), 0x81, 0xa2, 0x6b, 0xff, 0xa2, 0x76, 0xc3, 0xa7, ...Buffer.from('span_id'), 0x01]);
    expect(decodeV04(body, undefined)[0]![0]!.meta).toEqual({ 'k\uFFFD': 'v\uFFFD' });
  });

  it('wraps negative ids as unsigned, as Go does', () => {
    const body = encode([[{ trace_id: -1, span_id: 3 }]]);
    expect(decodeV04(body, undefined)[0]![0]!.traceId).toBe(2n ** 64n - 1n);
  });

  it('refuses structurally wrong payloads with DecodeError', () => {
    expect(() => decodeV04(Uint8Array.from([0xc1]), undefined)).toThrow(DecodeError);
    expect(() => decodeV04(encode([[{ trace_id: 'abc' }]]), undefined)).toThrow(DecodeError);
    expect(() => decodeV04(encode([[{ meta: [1, 2] }]]), undefined)).toThrow(DecodeError);
    expect(() => decodeV05(encode([['a'], [[[0, 0, 0, 1, 1, 0, 1, 1, 0, { 0: 5 }, {}, 0]]]]))).toThrow(DecodeError);
    expect(() => decodeV05(encode([['a'], [[[0, 0, 0]]]]))).toThrow(/array of 12/);
    expect(decodeV04(encode([[], [{ span_id: 1 }]]), undefined)).toHaveLength(1);
  });
});

describe('stats', () => {
  it('sketches durations within 1%', () => {
    const sketch = new LatencySketch();
    for (let i = 1; i <= 1000; i++) sketch.add(i * 1_000_000);
    expect(sketch.quantile(0.5) / 500_000_000).toBeCloseTo(1, 1);
    expect(Math.abs(sketch.quantile(0.99) / 990_000_000 - 1)).toBeLessThan(0.02);
    const reader = new BinaryReader(sketch.toProto());
    const [field, wire] = reader.tag();
    expect([field, wire]).toEqual([1, WireType.LengthDelimited]);
    const mapping = new BinaryReader(reader.bytes());
    mapping.tag();
    expect(mapping.double()).toBeCloseTo(1.01 / 0.99, 10);
  });

  it('aggregates eligible spans per group into 10 s buckets and encodes them as the intake expects', () => {
    const c = new StatsConcentrator(() => START);
    const identity = { env: 'prod', version: '3', lang: 'go', tracerVersion: '1', runtimeId: '' };
    const top = { _top_level: 1 };
    c.add([s({ metrics: top, meta: { 'http.status_code': '200' } }), s({ metrics: top, error: 1, meta: { 'http.status_code': '500' } })], identity, '', 1);
    c.add([s({ metrics: top, meta: { 'http.status_code': '200' } })], identity, '', 4); // sampled at 25%: weighs 4
    c.add([s({ name: 'inner' })], identity, '', 1); // neither top-level nor measured: no stats
    c.add([s({ name: 'ancient', metrics: top, start: START - 3_600_000_000_000n })], identity, '', 1); // lands in the oldest bucket kept
    c.add([s({ name: 'future', metrics: top, start: START + 3_600_000_000_000n })], identity, '', 1); // lands in the current bucket
    expect(c.flush(START, false)).toEqual([]); // buckets still open for late spans
    const flushed = c.flush(START + 30_000_000_000n, false);
    expect(flushed.map((b) => [b.start, b.groups.map((g) => g.name).sort()])).toEqual([
      [1_699_999_990_000_000_000n, ['ancient']],
      [1_700_000_000_000_000_000n, ['future', 'op', 'op']],
    ]);
    const buckets = flushed.slice(1);
    buckets[0]!.groups = buckets[0]!.groups.filter((g) => g.name === 'op');
    const records = decodeStats(encodeAgentStats(buckets, { hostname: 'h', env: 'prod', agentVersion: '0.1.0' }));
    const ok = records.find((r) => r.httpStatusCode === 200)!;
    const failed = records.find((r) => r.httpStatusCode === 500)!;
    expect(ok).toMatchObject({ hits: 5, errors: 0, topLevelHits: 5, duration: 5000, env: 'prod', version: '3', hostname: 'h', start: 1_700_000_000_000_000_000 });
    expect(failed).toMatchObject({ hits: 1, errors: 1 });
    const raw = decode(encodeAgentStats(buckets, { hostname: 'h', env: 'prod', agentVersion: '0.1.0' }), { useBigInt64: true }) as { Stats: { Stats: { Start: bigint; Stats: { OkSummary: Uint8Array }[] }[] }[] };
    expect(raw.Stats[0]!.Stats[0]!.Start).toBe(1_700_000_000_000_000_000n);
    expect(raw.Stats[0]!.Stats[0]!.Stats[0]!.OkSummary).toBeInstanceOf(Uint8Array);
  });
});

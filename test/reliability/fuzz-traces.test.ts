// Fuzzing the trace intake (issue 11, point 4): the v0.4/v0.5 msgpack decoders directly (volume),
// then the real receiver over HTTP on 127.0.0.1 (arbitrary bodies, hostile framing, gzip bombs,
// lying Content-Length, chunked bodies). Properties: a DecodeError (never another exception) for
// bad input; over HTTP only 200/400/413 (never 500, never a crash or unhandled rejection); a payload
// is taken or refused whole (README: "unreadable ones 400"), and the bytes held stay within the
// receiver's documented bounds (DD_APM_MAX_PAYLOAD_SIZE per body, 64 MiB / 64 requests overall).
import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/agent/apm/decode-error.js';
import { decodeV04, decodeV05 } from '../../src/agent/apm/decode-traces.js';
import type { TraceAgent } from '../../src/agent/apm/index.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { post, span, startTraceAgent, until } from '../integration/apm-harness.js';

const SEED = 0x11_04;
const msgpack = (value: unknown): Uint8Array => encode(value, { useBigInt64: true, ignoreUndefined: true });
const SPAN_FIELDS = ['service', 'name', 'resource', 'trace_id', 'span_id', 'parent_id', 'start', 'duration', 'error', 'meta', 'metrics', 'type', 'meta_struct'] as const;

/** Runs `decode`: it must return an array of non-empty span arrays or throw a DecodeError. */
function decodesOrRefuses(decode: () => unknown[][]): 'ok' | 'refused' {
  let traces: unknown[][];
  try {
    traces = decode();
  } catch (error) {
    if (error instanceof DecodeError) return 'refused';
    throw new Error(`the decoder threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
  }
  expect(Array.isArray(traces)).toBe(true);
  for (const t of traces) expect(t.length).toBeGreaterThan(0);
  return 'ok';
}

// Any msgpack-encodable value: what a hostile tracer may put in place of a field.
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.string(),
    fc.uint8Array({ maxLength: 32 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

function v05Span(strings: number, fields: Partial<Record<number, unknown>> = {}): unknown[] {
  const s: unknown[] = [1 % strings, 1 % strings, 1 % strings, 7n, 8n, 0n, 1_700_000_000_000_000_000n, 1000n, 0, {}, {}, 0];
  for (const [i, v] of Object.entries(fields)) s[Number(i)] = v;
  return s;
}

describe('trace decoders, directly', () => {
  it('arbitrary bytes: a DecodeError or traces, never another exception (v0.4 msgpack, v0.4 JSON, v0.5)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodesOrRefuses(() => decodeV04(bytes, 'application/msgpack'));
        decodesOrRefuses(() => decodeV04(bytes, 'application/json'));
        decodesOrRefuses(() => decodeV05(bytes));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('mutated valid payloads (bit flips, truncation, splices): a DecodeError or traces', () => {
    const v04 = msgpack([[span({ trace_id: 2n ** 64n - 1n, meta: { a: 'b', 'http.url': 'http://u:p@h/?q=1' } }), span({ span_id: 2n })], [span({ trace_id: 3n })]]);
    const v05 = msgpack([['', 'svc', 'op', 'res', 'env', 'prod'], [[v05Span(6, { 9: { 4: 5 }, 10: { 4: 1.5 } })], [v05Span(6)]]]);
    const mutate = (base: Uint8Array) =>
      fc.tuple(fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat({ max: base.length }), fc.uint8Array({ maxLength: 8 })).map(([flips, cut, tail]) => {
        const b = Uint8Array.from(base);
        for (const [at, v] of flips) b[at] = v;
        return Uint8Array.from([...b.subarray(0, cut), ...tail]);
      });
    fc.assert(fc.property(mutate(v04), (b) => void decodesOrRefuses(() => decodeV04(b, undefined))), { seed: SEED, numRuns: 2000 });
    fc.assert(fc.property(mutate(v05), (b) => void decodesOrRefuses(() => decodeV05(b))), { seed: SEED, numRuns: 2000 });
  });

  it('v0.4: a wrong type in any span field is read leniently or refused, never thrown as something else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPAN_FIELDS), anyValue, (field, value) => {
        const payload = msgpack([[span({ [field]: value })]]);
        const result = decodesOrRefuses(() => decodeV04(payload, 'application/msgpack'));
        if (result === 'ok') {
          const [[s]] = decodeV04(payload, 'application/msgpack') as unknown as [[Record<string, unknown>]];
          // Whatever came in, what goes on is of the span model's types.
          for (const text of ['service', 'name', 'resource', 'type']) expect(typeof s[text]).toBe('string');
          for (const id of ['traceId', 'spanId', 'parentId', 'start']) expect(typeof s[id]).toBe('bigint');
          expect(typeof s.duration).toBe('number');
          expect(Number.isInteger(s.error)).toBe(true);
          expect(Object.values(s.meta as object).every((v) => typeof v === 'string')).toBe(true);
          expect(Object.values(s.metrics as object).every((v) => typeof v === 'number')).toBe(true);
        }
        // The same in JSON (a JSON tracer sends the same fields).
        const json = JSON.stringify([[{ ...span(), trace_id: 1, span_id: 1, parent_id: 0, start: 1, duration: 1, [field]: value }]], (_k, v) =>
          typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? [...v] : v,
        );
        decodesOrRefuses(() => decodeV04(Buffer.from(json), 'application/json'));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('v0.5: a wrong type in any of the 12 span slots, or a string table of non-strings, is read or refused', () => {
    fc.assert(
      fc.property(fc.nat({ max: 11 }), anyValue, fc.array(anyValue, { minLength: 1, maxLength: 5 }), (slot, value, table) => {
        decodesOrRefuses(() => decodeV05(msgpack([['', 'a', 'b'], [[v05Span(3, { [slot]: value })]]])));
        decodesOrRefuses(() => decodeV05(msgpack([table, [[v05Span(table.length)]]])));
        decodesOrRefuses(() => decodeV05(msgpack([['', 'a'], [[v05Span(2).slice(0, slot)]]])));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('v0.5: every string index outside the table (negative, too big, fractional, huge, a string) is a DecodeError', () => {
    const outside = (n: number) =>
      fc.oneof(fc.integer({ min: n, max: 2 ** 31 }), fc.integer({ min: -(2 ** 31), max: -1 }), fc.double({ noInteger: true, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 53, 2n ** 64n - 1n, -(2n ** 63n)), fc.string());
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(0, 1, 2, 11), fc.nat(), (table, slot, seed) => {
        const index = fc.sample(outside(table.length), { seed, numRuns: 1 })[0];
        expect(() => decodeV05(msgpack([table, [[v05Span(table.length, { [slot]: index })]]]))).toThrow(DecodeError);
        // In meta, as a key or a value.
        expect(() => decodeV05(msgpack([table, [[v05Span(table.length, { 9: { [String(table.length + 3)]: 0 } })]]]))).toThrow(DecodeError);
        expect(() => decodeV05(msgpack([table, [[v05Span(table.length, { 9: { 0: index } })]]]))).toThrow(DecodeError);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('deep nesting (10^5 nested arrays and maps, msgpack and JSON) is refused without a stack overflow', () => {
    const depth = 100_000;
    const arrays = Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);
    const maps = Buffer.concat([Buffer.alloc(depth * 3, 0), Buffer.from([0xc0])]);
    for (let i = 0; i < depth; i++) maps.set([0x81, 0xa1, 0x6b], i * 3); // {"k": {"k": … nil}}
    for (const body of [arrays, maps]) {
      expect(decodesOrRefuses(() => decodeV04(body, undefined))).toBe('refused');
      expect(decodesOrRefuses(() => decodeV05(body))).toBe('refused');
    }
    // [[{k: {k: …}}]] is one span with an unknown (deep) field: read, the field ignored.
    expect(decodesOrRefuses(() => decodeV04(Buffer.concat([Buffer.from([0x91, 0x91]), maps]), undefined))).toBe('ok');
    expect(decodesOrRefuses(() => decodeV05(Buffer.concat([Buffer.from([0x92, 0x90, 0x91, 0x91]), arrays])))).toBe('refused');
    // Valid nesting inside a span's meta value (a tracer may send anything there).
    const placeholder = Buffer.from(msgpack('Q'.repeat(10)));
    const withPlaceholder = Buffer.from(msgpack([[span({ meta: { deep: 'Q'.repeat(10) } })]]));
    const at = withPlaceholder.indexOf(placeholder);
    const inMeta = Buffer.concat([withPlaceholder.subarray(0, at), Buffer.alloc(depth, 0x91), Buffer.from([0xc0]), withPlaceholder.subarray(at + placeholder.length)]);
    expect(decodesOrRefuses(() => decodeV04(inMeta, undefined))).toBe('refused');
    expect(decodesOrRefuses(() => decodeV04(Buffer.from('['.repeat(depth) + ']'.repeat(depth)), 'application/json'))).toBe('refused');
    expect(decodesOrRefuses(() => decodeV04(Buffer.from('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)), 'application/json'))).toBe('refused');
  });

  it('huge declared lengths (array32/map32/str32/bin32 of 2^32-1 with a few bytes) are refused at once, with no allocation', () => {
    const heads = [0xdd, 0xdf, 0xdb, 0xc6].map((h) => Buffer.from([h, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]));
    const inside = [0xdd, 0xdf, 0xdb, 0xc6].map((h) => Buffer.concat([Buffer.from([0x91, 0x91, 0x81, 0xa4]), Buffer.from('meta'), Buffer.from([h, 0xff, 0xff, 0xff, 0xfe])]));
    const before = process.memoryUsage().rss;
    const started = Date.now();
    for (const body of [...heads, ...inside]) {
      expect(decodesOrRefuses(() => decodeV04(body, undefined))).toBe('refused');
      expect(decodesOrRefuses(() => decodeV05(body))).toBe('refused');
    }
    expect(Date.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });

  it('huge real maps and arrays (10^5 meta entries, 10^5 empty traces, 10^4 spans) decode', () => {
    const meta: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) meta[`k${i}`] = 'v';
    const [[s]] = decodeV04(msgpack([[span({ meta })]]), undefined);
    expect(Object.keys(s!.meta)).toHaveLength(100_000);
    expect(decodeV04(msgpack(Array.from({ length: 100_000 }, () => [])), undefined)).toEqual([]);
    expect(decodeV04(msgpack([Array.from({ length: 10_000 }, (_, i) => span({ span_id: BigInt(i + 1) }))]), undefined)[0]).toHaveLength(10_000);
  });

  it('a bad span anywhere refuses the whole payload (never half of it)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 20 }), fc.nat({ max: 20 }), fc.constantFrom<unknown>('a string', 1, [1, 2], Uint8Array.from([1]), true), (good, at, bad) => {
        const traces: unknown[][] = Array.from({ length: good }, (_, i) => [span({ trace_id: BigInt(i + 1) })]);
        traces.splice(Math.min(at, traces.length), 0, [bad]);
        expect(() => decodeV04(msgpack(traces), undefined)).toThrow(DecodeError);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Over HTTP, through the real receiver.

interface Raw {
  /** Status of each response on the connection, in order. */
  statuses: number[];
  /** What the server sent back, whole. */
  text: string;
}

/** Sends `bytes` as they are on one connection, half-closes, and reads until the server closes (or `waitMs`). */
function raw(port: number, bytes: Buffer | string, { waitMs = 3000, halfClose = true }: { waitMs?: number; halfClose?: boolean } = {}): Promise<Raw> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ statuses: [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])), text });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', done);
    socket.on('connect', () => {
      socket.write(bytes);
      if (halfClose) socket.end();
    });
  });
}

const head = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/msgpack\r\nDatadog-Meta-Lang: fuzz\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

describe('the receiver over HTTP', () => {
  const MAX_PAYLOAD = 1024 * 1024;
  const MAX_BUFFERED = 4 * 1024 * 1024;
  let intake: RecordingIntake;
  let agent: TraceAgent;
  let logs: string[];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  /** Traces of the payloads answered 200 by the receiver, which its counters must match. */
  let acceptedTraces = 0;

  const status = () =>
    agent.status() as {
      receiver: { bufferedBytes: number; peakBufferedBytes: number; activeRequests: number };
      receivedByLanguage: Record<string, { traces: number; payloads: number }>;
      dropped: Record<string, number>;
    };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    intake = await startRecordingIntake();
    ({ agent, logs } = startTraceAgent(intake, { DD_APM_MAX_PAYLOAD_SIZE: String(MAX_PAYLOAD) }, { maxBufferedBytes: MAX_BUFFERED, maxConcurrentRequests: 16, flushIntervalMs: 60_000 }));
    await agent.start();
  });

  afterAll(async () => {
    await agent?.stop(Date.now() + 2000);
    await intake?.close();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  /** After every property: nothing held, nothing in flight, no 500 logged, the receiver still serves. */
  async function settledAndServing(): Promise<void> {
    await until(() => status().receiver.activeRequests === 0 && status().receiver.bufferedBytes === 0, 10_000);
    expect(status().receiver.peakBufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED + MAX_PAYLOAD);
    const ok = await post(agent.port, '/v0.4/traces', msgpack([[span({ trace_id: 99n, span_id: 99n })]]), { 'Datadog-Meta-Lang': 'probe' });
    expect(ok.status).toBe(200);
    expect(logs.filter((l) => /trace receiver: (?!cannot decode|a payload over)/.test(l))).toEqual([]);
    expect(unhandled).toEqual([]);
  }

  it('arbitrary bodies on /v0.4, /v0.5, /v0.3 (msgpack and JSON): 200 or 400, and the counters match what was accepted', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.array(fc.array(fc.record({ trace_id: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), span_id: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), service: anyValue, meta: anyValue, start: anyValue }, { requiredKeys: ['trace_id', 'span_id'] }), { minLength: 1, maxLength: 3 }), { maxLength: 4 }).map((t) => msgpack(t)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v0.3/traces', '/v0.4/traces', '/v0.5/traces'), fc.constantFrom('application/msgpack', 'application/json'), body, async (path, type, bytes) => {
        const reply = await post(agent.port, path, bytes, { 'Content-Type': type, 'Datadog-Meta-Lang': 'fuzz' });
        expect([200, 400]).toContain(reply.status);
        if (reply.status === 200) {
          // Accepted: exactly what the decoder reads.
          const traces = path === '/v0.5/traces' ? decodeV05(bytes) : decodeV04(bytes, type);
          acceptedTraces += traces.length;
        } else {
          expect(() => (path === '/v0.5/traces' ? decodeV05(bytes) : decodeV04(bytes, type))).toThrow(DecodeError);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(status().receivedByLanguage.fuzz?.traces ?? 0).toBe(acceptedTraces);
    await settledAndServing();
  });

  it('valid traces beside a bad span in one payload: the payload is refused whole with 400, none of its traces counted', async () => {
    const before = status().receivedByLanguage.fuzz?.traces ?? 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 10 }), fc.constantFrom<unknown>('x', 7, [1], null), async (good, bad) => {
        const traces: unknown[][] = Array.from({ length: good }, (_, i) => [span({ trace_id: BigInt(i + 1), span_id: 1n })]);
        traces.push([bad === null ? span({ meta: 'not a map' }) : bad]);
        const reply = await post(agent.port, '/v0.4/traces', msgpack(traces), { 'Datadog-Meta-Lang': 'fuzz' });
        expect(reply.status).toBe(400);
        const v05 = msgpack([['', 'a'], [...Array.from({ length: good }, () => [v05Span(2)]), [v05Span(2, { 0: 5 })]]]);
        expect((await post(agent.port, '/v0.5/traces', v05, { 'Datadog-Meta-Lang': 'fuzz' })).status).toBe(400);
      }),
      { seed: SEED, numRuns: 30 },
    );
    expect(status().receivedByLanguage.fuzz?.traces ?? 0).toBe(before);
    await settledAndServing();
  });

  it('deep nesting and huge declared lengths over HTTP: 400, the receiver alive', async () => {
    const depth = 100_000;
    const bodies = [
      Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]),
      Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x90]),
      Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61]),
      Buffer.from([0x92, 0xdd, 0xff, 0xff, 0xff, 0xff]),
    ];
    for (const path of ['/v0.4/traces', '/v0.5/traces']) {
      for (const body of bodies) expect((await post(agent.port, path, body)).status, `${path} ${body.subarray(0, 6).toString('hex')}`).toBe(400);
    }
    expect((await post(agent.port, '/v0.4/traces', '['.repeat(depth) + ']'.repeat(depth), { 'Content-Type': 'application/json' })).status).toBe(400);
    await settledAndServing();
  });

  it('gzip bombs (a small body inflating far past DD_APM_MAX_PAYLOAD_SIZE): refused with 400/413, never inflated', async () => {
    // 256 MiB of a valid-looking msgpack prefix then zeros: ~250 KB gzipped, well under the cap.
    const inflated = Buffer.alloc(256 * 1024 * 1024);
    inflated.set(msgpack([[span()]]).subarray(0, 20));
    const bomb = gzipSync(inflated, { level: 9 });
    inflated.fill(0, 0, 1); // let it go
    expect(bomb.length).toBeLessThan(MAX_PAYLOAD);
    const rssBefore = process.memoryUsage().rss;
    for (const path of ['/v0.4/traces', '/v0.5/traces', '/v0.6/stats']) {
      for (const encoding of ['gzip', 'x-gzip', 'deflate', 'GZIP']) {
        const reply = await post(agent.port, path, bomb, { 'Content-Encoding': encoding });
        expect([400, 413], `${path} ${encoding}`).toContain(reply.status);
      }
    }
    // A double-gzipped bomb: the outer layer is tiny.
    const double = gzipSync(bomb, { level: 9 });
    expect([400, 413]).toContain((await post(agent.port, '/v0.4/traces', double, { 'Content-Encoding': 'gzip, gzip' })).status);
    // The receiver (in this process) never held more than the cap.
    expect(status().receiver.peakBufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED + MAX_PAYLOAD);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    await settledAndServing();
  });

  it('Content-Length over the cap: 413 at once, whatever the body', async () => {
    const before = status().dropped.payload_too_large ?? 0;
    const reply = await raw(agent.port, head('/v0.4/traces', { 'Content-Length': MAX_PAYLOAD + 1 }) + 'x'.repeat(100));
    expect(reply.statuses[0]).toBe(413);
    const huge = await raw(agent.port, head('/v0.5/traces', { 'Content-Length': '99999999999999999999' }));
    expect([400, 413]).toContain(huge.statuses[0]);
    // A chunked body that grows past the cap, with no Content-Length.
    const chunk = 'x'.repeat(64 * 1024);
    const chunked = head('/v0.4/traces', { 'Transfer-Encoding': 'chunked' }) + `${(chunk.length).toString(16)}\r\n${chunk}\r\n`.repeat(20) + '0\r\n\r\n';
    expect((await raw(agent.port, chunked)).statuses[0]).toBe(413);
    expect(status().dropped.payload_too_large).toBeGreaterThanOrEqual(before + 2);
    await settledAndServing();
  });

  it('lying framing (Content-Length shorter or longer than the body, absent, chunked, malformed): no crash, 200/400/413 or a closed connection', async () => {
    const good = Buffer.from(msgpack([[span({ trace_id: 5n, span_id: 5n })]]));
    const framing = fc.record({
      path: fc.constantFrom('/v0.4/traces', '/v0.5/traces', '/v0.6/stats', '/v0.3/traces'),
      body: fc.oneof(fc.constant(good), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))),
      // How the length is told: a lie of `delta` bytes, none at all, chunked (maybe with bad sizes), both, or junk.
      length: fc.oneof(
        fc.record({ kind: fc.constant('lie' as const), delta: fc.integer({ min: -50, max: 50 }) }),
        fc.record({ kind: fc.constantFrom('none' as const, 'both' as const, 'junk' as const, 'negative' as const, 'twice' as const) }),
        fc.record({ kind: fc.constant('chunked' as const), badSize: fc.boolean(), split: fc.nat({ max: 300 }) }),
      ),
      halfClose: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(framing, async ({ path, body, length, halfClose }) => {
        let bytes: Buffer;
        switch (length.kind) {
          case 'lie':
            bytes = Buffer.concat([Buffer.from(head(path, { 'Content-Length': Math.max(0, body.length + length.delta) })), body]);
            break;
          case 'none':
            bytes = Buffer.concat([Buffer.from(head(path, {})), body]);
            break;
          case 'both':
            bytes = Buffer.concat([Buffer.from(head(path, { 'Content-Length': body.length, 'Transfer-Encoding': 'chunked' })), body]);
            break;
          case 'junk':
            bytes = Buffer.concat([Buffer.from(head(path, { 'Content-Length': '12abc' })), body]);
            break;
          case 'negative':
            bytes = Buffer.concat([Buffer.from(head(path, { 'Content-Length': -5 })), body]);
            break;
          case 'twice':
            bytes = Buffer.concat([Buffer.from(head(path, { 'Content-Length': body.length }).replace('\r\n\r\n', `\r\nContent-Length: ${body.length + 3}\r\n\r\n`)), body]);
            break;
          case 'chunked': {
            const at = Math.min(length.split, body.length);
            const parts = [body.subarray(0, at), body.subarray(at)].filter((p) => p.length > 0);
            const size = (n: number) => (length.badSize ? `${(n + 7).toString(16)}` : n.toString(16));
            bytes = Buffer.concat([Buffer.from(head(path, { 'Transfer-Encoding': 'chunked' })), ...parts.flatMap((p) => [Buffer.from(`${size(p.length)}\r\n`), p, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')]);
            break;
          }
        }
        const reply = await raw(agent.port, bytes, { halfClose, waitMs: halfClose ? 1500 : 250 });
        for (const s of reply.statuses) expect([200, 400, 413]).toContain(s);
      }),
      { seed: SEED, numRuns: 100 },
    );
    await settledAndServing();
  });

  it('a body cut short (Content-Length longer than what comes, then the client leaves) is released', async () => {
    for (let i = 0; i < 20; i++) {
      const reply = await raw(agent.port, head('/v0.4/traces', { 'Content-Length': 500_000 }) + 'x'.repeat(1000 * i), { halfClose: true, waitMs: 500 });
      expect(reply.statuses.filter((s) => s === 500)).toEqual([]);
    }
    await settledAndServing();
  });

  it('a flood of slow, lying requests stays within the documented bounds (bytes held, requests at once)', async () => {
    // 64 connections each declaring 900 KB and sending 600 KB before stalling: more than the 4 MiB bound.
    const sockets = Array.from({ length: 64 }, () => {
      const socket = connect(agent.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('connect', () => socket.write(head('/v0.4/traces', { 'Content-Length': 900_000, 'Datadog-Send-Real-Http-Status': 'true' }) + 'y'.repeat(600_000)));
      return socket;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const mid = status().receiver;
    expect(mid.activeRequests).toBeLessThanOrEqual(16);
    expect(mid.bufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED + MAX_PAYLOAD);
    for (const s of sockets) s.destroy();
    expect(status().receiver.peakBufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED + MAX_PAYLOAD);
    await settledAndServing();
  });
});

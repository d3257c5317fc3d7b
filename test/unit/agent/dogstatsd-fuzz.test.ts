// Property tests of the DogStatsD parser (fast-check, pinned seed so a failure replays): arbitrary
// bytes never make it throw and every non-empty line is accounted for exactly once; generated
// valid lines interleaved with garbage lines deliver exactly their samples, and the error counters
// grow by exactly the number of invalid lines of each kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DogStatsdCounters } from '../../../src/agent/dogstatsd/counters.js';
import type { DogStatsdEvent, DogStatsdServiceCheck, DogStatsdSink, MetricKind } from '../../../src/agent/dogstatsd/messages.js';
import { parseDatagram } from '../../../src/agent/dogstatsd/parser.js';

const SEED = 20261123;
const KINDS = new Set<MetricKind>(['counter', 'gauge', 'histogram', 'timer', 'distribution', 'set']);

interface Sample {
  line: number;
  name: string;
  tags: string;
  kind: MetricKind;
  value: number;
  setValue: string | undefined;
  rate: number;
  timestamp: number;
}

/** Runs the parser over buf[0, length) and records what it delivers. */
function run(buf: Buffer, length = buf.length) {
  const samples: Sample[] = [];
  const events: DogStatsdEvent[] = [];
  const checks: DogStatsdServiceCheck[] = [];
  const sink: DogStatsdSink = {
    datagram: () => {},
    metric: (key, kind, value, setValue, rate, timestamp) =>
      samples.push({ line: key.nameStart, name: key.name(), tags: key.tags(), kind, value, setValue, rate, timestamp }),
    event: (e) => events.push(e),
    serviceCheck: (c) => checks.push(c),
  };
  const counters = new DogStatsdCounters();
  parseDatagram(buf, length, sink, counters);
  return { samples, events, checks, counters };
}

/** Lines as the parser splits them: on \n, a trailing \r dropped, empty ones skipped. */
function nonEmptyLines(buf: Buffer, length: number): number {
  let count = 0;
  let start = 0;
  while (start < length) {
    let end = buf.indexOf(10, start);
    if (end === -1 || end > length) end = length;
    const lineEnd = end > start && buf[end - 1] === 13 ? end - 1 : end;
    if (lineEnd > start) count++;
    start = end + 1;
  }
  return count;
}

// Bytes that matter to the format, so random input reaches deep into the parser.
const FORMAT_BYTES = [...Buffer.from(':|#@T,{}_esc\n\r0123456789.-+eEcghdsm ktpx')];
const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FORMAT_BYTES) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }), { maxLength: 400 }).map((a) => Uint8Array.from(a)),
);

describe('DogStatsD parser properties', () => {
  it('never throws on arbitrary bytes, and accounts for every non-empty line exactly once', () => {
    fc.assert(
      fc.property(anyBytes, fc.nat(), (bytes, cut) => {
        const buf = Buffer.from(bytes);
        const length = buf.length === 0 ? 0 : cut % (buf.length + 1);
        const { samples, events, checks, counters } = run(buf, length);
        const metricLines = new Set(samples.map((s) => s.line)).size;
        const errors = counters.metricParseErrors + counters.eventParseErrors + counters.serviceCheckParseErrors;
        expect(metricLines + events.length + checks.length + errors).toBe(nonEmptyLines(buf, length));
        expect(counters.metricSamples).toBe(samples.length);
        expect(counters.events).toBe(events.length);
        expect(counters.serviceChecks).toBe(checks.length);
        for (const s of samples) {
          expect(KINDS.has(s.kind)).toBe(true);
          expect(Number.isFinite(s.value)).toBe(true);
          expect(s.rate > 0 && s.rate <= 1).toBe(true);
          expect(s.timestamp >= 0).toBe(true);
        }
        // Only buf[0, length) counts: the bytes after it change nothing.
        const alone = run(Buffer.from(buf.subarray(0, length)));
        expect(alone.samples).toEqual(samples);
        expect(alone.events).toEqual(events);
        expect(alone.checks).toEqual(checks);
        expect(alone.counters.snapshot()).toEqual(counters.snapshot());
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  // ---- Structured input: valid metric lines (with their expected samples) and garbage lines ----

  type Line = { text: string; samples: Omit<Sample, 'line'>[]; events: number; checks: number; metricErrors: number; eventErrors: number; checkErrors: number };
  const valid = (text: string, samples: Omit<Sample, 'line'>[] = [], events = 0, checks = 0): Line => ({ text, samples, events, checks, metricErrors: 0, eventErrors: 0, checkErrors: 0 });
  const invalid = (text: string, kind: 'metric' | 'event' | 'serviceCheck'): Line => ({
    text, samples: [], events: 0, checks: 0,
    metricErrors: kind === 'metric' ? 1 : 0, eventErrors: kind === 'event' ? 1 : 0, checkErrors: kind === 'serviceCheck' ? 1 : 0,
  });

  const name = fc.oneof(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9._-]{0,24}$/), fc.constantFrom('café.hits', '名前', 'a'));
  const tagText = fc.stringMatching(/^[a-zA-Z0-9_.:\/-]{0,12}$/);
  const tags = fc.array(tagText, { minLength: 1, maxLength: 4 }).map((t) => t.join(','));
  const numberText = fc.oneof(
    fc.integer({ min: -1e9, max: 1e9 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v.toFixed(3)),
    fc.constantFrom('0', '-0', '.5', '5.', '+4', '1e3', '1E-7', '123456789012345678', '0.1'),
  );
  const kindSymbol = fc.constantFrom<[string, MetricKind]>(['c', 'counter'], ['g', 'gauge'], ['h', 'histogram'], ['ms', 'timer'], ['d', 'distribution']);
  const rateText = fc.double({ min: 1e-6, max: 1, noNaN: true }).map(String);
  const extraField = fc.constantFrom('c:abc123', 'c:ci-1,in-2', 'e:it-false,cn-x', 'card:high', 'x:unknown', 'zzz', '');

  /** Optional fields in any order: at most one rate, tags and timestamp, any unknown ones. */
  const fields = fc
    .record({ rate: fc.option(rateText), tags: fc.option(tags), ts: fc.option(fc.integer({ min: 1, max: 4e9 })), extras: fc.array(extraField, { maxLength: 2 }) })
    .chain((f) => {
      const list = [
        ...(f.rate === null ? [] : [`@${f.rate}`]),
        ...(f.tags === null ? [] : [`#${f.tags}`]),
        ...(f.ts === null ? [] : [`T${f.ts}`]),
        ...f.extras,
      ];
      return fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }).map((order) => ({
        text: order.map((x) => `|${x}`).join(''),
        rate: f.rate === null ? 1 : Number(f.rate),
        tags: f.tags ?? '',
        timestamp: f.ts ?? 0,
      }));
    });

  const numericLine = fc
    .record({
      name,
      kind: kindSymbol,
      // Each value may be preceded by empty values (`::`), and the list may end with colons.
      values: fc.array(fc.record({ empties: fc.integer({ min: 0, max: 2 }), text: numberText }), { minLength: 1, maxLength: 5 }),
      trailing: fc.integer({ min: 0, max: 2 }),
      fields,
    })
    .map(({ name, kind, values, trailing, fields }): Line => {
      // The first value sits right after the name's colon; a lone value takes no extra colons
      // (`a:1:|c` is fine, but keep the single-value path exercised too).
      const parts = values.map((v, i) => ':'.repeat(i === 0 ? 0 : 1 + v.empties) + v.text);
      const leading = values.length > 1 ? ':'.repeat(values[0]!.empties) : '';
      const text = `${name}:${leading}${parts.join('')}${values.length > 1 ? ':'.repeat(trailing) : ''}|${kind[0]}${fields.text}`;
      return valid(text, values.map((v) => ({ name, tags: fields.tags, kind: kind[1], value: Number(v.text), setValue: undefined, rate: fields.rate, timestamp: fields.timestamp })));
    });

  const setLine = fc.record({ name, member: fc.stringMatching(/^[a-zA-Z0-9:.@#-]{1,16}$/), fields }).map(({ name, member, fields }) =>
    valid(`${name}:${member}|s${fields.text}`, [{ name, tags: fields.tags, kind: 'set', value: 0, setValue: member, rate: fields.rate, timestamp: fields.timestamp }]),
  );

  const eventLine = fc.record({ title: fc.stringMatching(/^[a-zA-Z0-9 é|]{1,12}$/), text: fc.stringMatching(/^[a-zA-Z0-9 ü|]{0,12}$/), extra: fc.constantFrom('', '|c:abc', '|x:unknown|#a,b', '|p:low|t:error') }).map(({ title, text, extra }) =>
    valid(`_e{${Buffer.byteLength(title)},${Buffer.byteLength(text)}}:${title}|${text}${extra}`, [], 1),
  );
  const checkLine = fc.record({ name, status: fc.integer({ min: 0, max: 3 }), extra: fc.constantFrom('', '|m:hello|#a', '|d:notanumber', '|h:box|d:1700000000') }).map(({ name, status, extra }) =>
    valid(`_sc|${name}|${status}${extra}`, [], 0, 1),
  );

  // Lines that every parser must refuse, each with the error it counts.
  const junk = fc.stringMatching(/^[a-zA-Z0-9 .,#@{}\t-]{1,40}$/); // no ':' '|' '_', so never a metric, event or check
  const garbageLine = fc.oneof(
    junk.map((t) => invalid(t, 'metric')),
    name.map((n) => invalid(`${n}:1|zz`, 'metric')),
    name.map((n) => invalid(`${n}:NaN|g`, 'metric')),
    name.map((n) => invalid(`${n}:Infinity|g`, 'metric')),
    name.map((n) => invalid(`${n}:0x10|c`, 'metric')),
    name.map((n) => invalid(`${n}:1`, 'metric')),
    name.map((n) => invalid(`${n}:|c`, 'metric')),
    name.map((n) => invalid(`${n}:::|c`, 'metric')),
    name.map((n) => invalid(`${n}:1:x:2|h`, 'metric')),
    name.map((n) => invalid(`${n}:1|c|@0`, 'metric')),
    name.map((n) => invalid(`${n}:1|c|@1.5`, 'metric')),
    name.map((n) => invalid(`${n}:1|g|Tnow`, 'metric')),
    fc.constantFrom(':1|c', '::', ':::', '|', '||c').map((t) => invalid(t, 'metric')),
    fc.constantFrom('_e{9,3}:short|x', '_e{0,1}:|x', '_e{2}:ab', '_e{a,b}:ab|cd').map((t) => invalid(t, 'event')),
    fc.constantFrom('_sc|x|9', '_sc||0', '_sc|x', '_sc|x|', '_sc|x|01').map((t) => invalid(t, 'serviceCheck')),
  );

  const stream = fc.record({
    lines: fc.array(fc.oneof({ weight: 3, arbitrary: numericLine }, setLine, eventLine, checkLine, { weight: 3, arbitrary: garbageLine }), { maxLength: 30 }),
    separators: fc.array(fc.constantFrom('\n', '\r\n', '\n\n', '\n\r\n'), { minLength: 30, maxLength: 30 }),
    trailing: fc.constantFrom('', '\n', '\r\n'),
  });

  it('delivers every valid line\'s samples exactly, and counts each garbage line once, by kind', () => {
    fc.assert(
      fc.property(stream, ({ lines, separators, trailing }) => {
        const text = lines.map((l, i) => (i === 0 ? '' : separators[i]!) + l.text).join('') + trailing;
        const { samples, events, checks, counters } = run(Buffer.from(text));
        const sum = (f: (l: Line) => number) => lines.reduce((n, l) => n + f(l), 0);
        const received = samples.map(({ line: _, ...s }) => s);
        expect(received).toEqual(lines.flatMap((l) => l.samples));
        // toEqual tells -0 from 0 only through Object.is; check it for every value.
        received.forEach((s, i) => expect(Object.is(s.value, lines.flatMap((l) => l.samples)[i]!.value)).toBe(true));
        expect(counters.metricSamples).toBe(sum((l) => l.samples.length));
        expect(events.length).toBe(sum((l) => l.events));
        expect(checks.length).toBe(sum((l) => l.checks));
        expect(counters.metricParseErrors).toBe(sum((l) => l.metricErrors));
        expect(counters.eventParseErrors).toBe(sum((l) => l.eventErrors));
        expect(counters.serviceCheckParseErrors).toBe(sum((l) => l.checkErrors));
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});

// 10^6 hostile datagrams over real UDP (random bytes, truncated lines, huge tags, NaN and other
// bad values, bad sample rates, bad events and service checks, CR/NUL/unicode noise, datagrams
// over the 8192-byte buffer), good counters interleaved at a known count: the agent keeps
// serving, the good counters arrive exact, and every parse error is counted — exactly as many as
// the parser finds in those same bytes, so no datagram was lost, cut or read twice on the way.
import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { DogStatsdCounters } from '../../src/agent/dogstatsd/counters.js';
import type { DogStatsdSink, MetricKey } from '../../src/agent/dogstatsd/messages.js';
import { parseDatagram } from '../../src/agent/dogstatsd/parser.js';
import { DOGSTATSD_BUFFER_SIZE } from '../../src/agent/dogstatsd/server.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { startInProcessAgent, type InProcessAgent } from './in-process-agent.js';
import { deliveredCounts } from './traffic.js';
import { sleep, until } from './util.js';

const SEED = 20261124;
const TOTAL = 1_000_000;
const POOL = 40_000;
const BATCH = 1_000;
const GOOD = ['hostile.good.c0', 'hostile.good.c1', 'hostile.good.c2'];

let intake: RecordingIntake | undefined;
let agent: InProcessAgent | undefined;

afterAll(async () => {
  await agent?.close();
  await intake?.close();
});

/** mulberry32, pinned: which pool entry goes next. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Up to a line longer than the whole buffer.
const HUGE_TAGS = [200, 1_000, 3_000, 6_000, 9_000].map((n, i) => `huge${i}:${'x'.repeat(n)}`);

/** One hostile line (no newline of its own unless the generator put raw bytes there). */
const hostileLine: fc.Arbitrary<Buffer> = fc.oneof(
  // Random bytes, newlines and all.
  fc.uint8Array({ minLength: 1, maxLength: 400 }).map((b) => Buffer.from(b)),
  // A valid line cut anywhere.
  fc.tuple(fc.constantFrom('hostile.trunc:12|c|#env:prod,team:core', 'hostile.trunc:1.5|h|@0.5|#a:b', '_e{5,4}:title|text|#t:1', '_sc|hostile.check|1|#t:2|m:msg'), fc.nat(60)).map(([l, n]) => Buffer.from(l.slice(0, n % l.length))),
  // Huge tags (few distinct ones: a bounded number of contexts).
  fc.constantFrom(...HUGE_TAGS).map((t) => Buffer.from(`hostile.huge:1|c|#${t}`)),
  // Values that are not numbers, or not finite.
  fc.constantFrom('NaN', 'nan', 'Infinity', '-Infinity', '1e400', '--1', '', '0x10', '1,5', ' 1', '1 ', '١').chain((v) => fc.constantFrom('c', 'g', 'h', 'ms', 'd').map((t) => Buffer.from(`hostile.value:${v}|${t}`))),
  // Sample rates out of (0, 1] or unreadable.
  fc.constantFrom('0', '-1', '2', '1.5', 'x', 'NaN', '', '1e-400', 'Infinity').map((r) => Buffer.from(`hostile.rate:1|c|@${r}`)),
  // Events with wrong lengths or fields.
  fc.constantFrom('_e{5,3}:short|x', '_e{-1,2}:ab|cd', '_e{99999999999,1}:a|b', '_e{a,b}:title|text', '_e{3,3}:abc', '_e{0,0}:|', '_e{2,2}:ab|cd|p:urgent', '_e{2,2}:ab|cd|t:catastrophe', '_e{2,2}:ab|cd|d:yesterday', '_e').map((l) => Buffer.from(l)),
  // Service checks with bad statuses and fields.
  fc.constantFrom('_sc|hostile.check|7', '_sc||0', '_sc|hostile.check|0|d:abc', '_sc|hostile.check', '_sc|hostile.check|-1', '_sc|hostile.check|0|m:fine|extra').map((l) => Buffer.from(l)),
  // Types, separators and names that are wrong.
  fc.constantFrom('hostile.type:1|zz', 'hostile.type:1|', ':1|c', 'hostile.type|c', 'hostile.type:1||c', 'hostile.type:1|c|#', 'hostile.type:1|c|T', 'hostile.type:1|c|Tnope', 'hostile.multi:1::2|h', 'hostile.set:|s').map((l) => Buffer.from(l)),
  // Control bytes and unicode noise in otherwise plain lines.
  fc.constantFrom('\r', '\0', '\u00e9', '\u{1F680}', '\t', '\uFFFD').map((c) => Buffer.from(`hostile.noise${c}:1|c|#k${c}:v`)),
);

/** A whole datagram: hostile lines, good counter lines between them, sometimes over 8192 bytes. */
const datagram: fc.Arbitrary<{ bytes: Buffer; good: number[] }> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 3, arbitrary: hostileLine.map((b) => ({ b, good: -1 })) }, { weight: 1, arbitrary: fc.nat(GOOD.length - 1).map((i) => ({ b: Buffer.from(`${GOOD[i]}:1|c`), good: i })) }), { minLength: 1, maxLength: 6 }),
    fc.constantFrom('\n', '\r\n'),
    fc.nat(39).map((n) => n === 0),
  )
  .map(([parts, sep, oversized]) => {
    const good = GOOD.map(() => 0);
    for (const p of parts) if (p.good >= 0) good[p.good]!++;
    const join = (list: typeof parts): Buffer => Buffer.concat(list.flatMap((p, i) => (i === 0 ? [p.b] : [Buffer.from(sep), p.b])));
    let body = join(parts);
    // Past the buffer the agent keeps the whole lines that fit: good lines go first then.
    if (body.length > DOGSTATSD_BUFFER_SIZE) body = join([...parts.filter((p) => p.good >= 0), ...parts.filter((p) => p.good < 0)]);
    // An oversized datagram: good lines first, then junk past the buffer (cut by the agent).
    if (oversized && body.length < DOGSTATSD_BUFFER_SIZE && parts.every((p) => p.good < 0)) {
      return { bytes: Buffer.concat([body, Buffer.from('\nhostile.tail:1|c|#'), Buffer.alloc(DOGSTATSD_BUFFER_SIZE, 0x61)]), good };
    }
    return { bytes: body, good };
  });

interface Expected {
  packets: number;
  truncatedPackets: number;
  metricSamples: number;
  metricParseErrors: number;
  events: number;
  eventParseErrors: number;
  serviceChecks: number;
  serviceCheckParseErrors: number;
}

/** What the parser finds in `bytes` as the agent reads it (8192-byte buffer, whole messages kept). */
function oracle(bytes: Buffer): { counters: Expected; goodSeen: number[] } {
  const counters = new DogStatsdCounters();
  const goodSeen = GOOD.map(() => 0);
  const sink: DogStatsdSink = {
    datagram: () => {},
    metric: (key: MetricKey) => {
      const i = GOOD.indexOf(key.name());
      if (i >= 0) goodSeen[i]!++;
    },
    event: () => {},
    serviceCheck: () => {},
  };
  let length = bytes.length;
  let truncated = 0;
  if (length > DOGSTATSD_BUFFER_SIZE) {
    truncated = 1;
    length = bytes.lastIndexOf(10, DOGSTATSD_BUFFER_SIZE - 1);
  }
  if (length > 0) parseDatagram(bytes, length, sink, counters);
  return {
    counters: {
      packets: 1,
      truncatedPackets: truncated,
      metricSamples: counters.metricSamples,
      metricParseErrors: counters.metricParseErrors,
      events: counters.events,
      eventParseErrors: counters.eventParseErrors,
      serviceChecks: counters.serviceChecks,
      serviceCheckParseErrors: counters.serviceCheckParseErrors,
    },
    goodSeen,
  };
}

it('10^6 hostile datagrams over UDP: still serving, good counters exact, every parse error counted', { timeout: 90_000 }, async () => {
  const began = Date.now();
  intake = await startRecordingIntake();
  agent = await startInProcessAgent({ intakeUrl: intake.url, env: { DD_APM_ENABLED: 'false' } });
  const status = () => agent!.agent.dogstatsd.status() as Record<string, number | string>;
  const relayPid = status().udpRelayPid;

  // The pool: generated once with a pinned seed, each entry's effect known from the parser.
  const pool = fc.sample(datagram, { numRuns: POOL, seed: SEED });
  const effects = pool.map((d) => oracle(d.bytes));
  for (let i = 0; i < pool.length; i++) expect(effects[i]!.goodSeen, `pool entry ${i}: its good lines parse: ${JSON.stringify(pool[i]!.bytes.toString('latin1').slice(0, 200))}… (${pool[i]!.bytes.length} bytes)`).toEqual(pool[i]!.good);
  const generated = Date.now();

  const expected: Expected = { packets: 0, truncatedPackets: 0, metricSamples: 0, metricParseErrors: 0, events: 0, eventParseErrors: 0, serviceChecks: 0, serviceCheckParseErrors: 0 };
  const good = GOOD.map(() => 0);
  const add = (i: number): void => {
    const e = effects[i]!.counters;
    for (const k of Object.keys(expected) as (keyof Expected)[]) expected[k] += e[k];
    for (let g = 0; g < GOOD.length; g++) good[g]! += pool[i]!.good[g]!;
  };

  const socket = createSocket('udp4');
  const pick = prng(SEED);
  const port = agent.statsdPort;
  // The good counters' contexts exist before any hostile line: no cap on contexts can refuse them.
  socket.send(GOOD.map((g) => `${g}:1|c`).join('\n'), port, '127.0.0.1');
  for (let g = 0; g < GOOD.length; g++) good[g]!++;
  expected.packets++;
  expected.metricSamples += GOOD.length;
  try {
    for (let sent = 0; sent < TOTAL; ) {
      const n = Math.min(BATCH, TOTAL - sent);
      for (let j = 0; j < n; j++) {
        const i = Math.floor(pick() * pool.length);
        add(i);
        socket.send(pool[i]!.bytes, port, '127.0.0.1');
      }
      sent += n;
      // Read before sending more: loopback drops what overflows the socket's buffer.
      const target = sent + 1;
      const waitStart = Date.now();
      while ((status().packets as number) < target) {
        if (Date.now() - waitStart > 10_000) throw new Error(`the agent read ${String(status().packets)} of ${target} datagrams`);
        await sleep(1);
      }
    }
  } finally {
    socket.close();
  }
  const flooded = Date.now();

  const after = status();
  console.log(
    `hostile datagrams: ${TOTAL} sent in ${((flooded - generated) / 1000).toFixed(1)} s (pool of ${POOL} generated in ${((generated - began) / 1000).toFixed(1)} s); agent counted ${JSON.stringify(Object.fromEntries(Object.keys(expected).map((k) => [k, after[k]])))}`,
  );
  expect(Object.fromEntries(Object.keys(expected).map((k) => [k, after[k]]))).toEqual(expected);
  expect(after.readErrors).toBe(0);
  expect(expected.metricParseErrors + expected.eventParseErrors + expected.serviceCheckParseErrors).toBeGreaterThan(TOTAL / 2);
  expect(expected.truncatedPackets).toBeGreaterThan(1_000);

  // Still the same relay, still serving: a last datagram arrives and the good counters are exact.
  expect(after.udpRelayPid).toBe(relayPid);
  expect(after.udpRelayRestarts).toBe(0);
  const last = createSocket('udp4');
  await new Promise<void>((resolve, reject) => last.send('hostile.after:1|c', port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  last.close();
  await until(() => (status().packets as number) >= expected.packets + 1, 5_000, 'the datagram sent after the flood');
  await agent.agent.flusher.flush(true);
  await agent.agent.transport.idle();
  const delivered = deliveredCounts(intake, 'hostile.good');
  const byName = (name: string): number => [...delivered].filter(([k]) => k.startsWith(`${name}|`)).reduce((n, [, v]) => n + v, 0);
  expect(GOOD.map(byName)).toEqual(good);
  expect(deliveredCounts(intake, 'hostile').get('hostile.after|')).toBe(1);
  expect(agent.logs.filter((l) => /\| (ERROR|CRITICAL) \|/.test(l))).toEqual([]);
});

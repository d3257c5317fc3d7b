// Hostile input over real UDP: oversized packets, and 10^5 random and malformed datagrams whose
// expected counters are known by construction; the agent keeps serving and counts exactly.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pointOf, startHarness, until, type Harness } from './agent-harness.js';

/** mulberry32: a pinned PRNG so a failure replays. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('dogstatsd hostile input', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { DD_DOGSTATSD_SO_RCVBUF: String(4 * 1024 * 1024) } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('plain `nc -u`: CRLF, empty lines, unicode tags, NaN and a bad rate beside good lines', async () => {
    const datagram = 'nc.hits:1|c|#名前:値,emoji:🚀\r\n\n\nnc.temp:NaN|g\nnc.rate:1|c|@-1\nnc.multi:1:2|h\r\n';
    execFileSync('nc', ['-u', '-w0', '127.0.0.1', String(h.agent.dogstatsd.port)], { input: datagram });
    await h.waitPackets(1);
    expect(h.agent.dogstatsd.status()).toMatchObject({ metricSamples: 3, metricParseErrors: 2 });
    h.closeBucket();
    await h.flush();
    const hits = h.series().find((s) => s.metric === 'nc.hits')!;
    expect(hits.tags).toEqual(['emoji:🚀', '名前:値']);
    expect(h.series().find((s) => s.metric === 'nc.multi.count')!.points[0]![1]).toBe(0.2);
  });

  it('a datagram over 8192 bytes keeps its whole messages within the buffer and is counted', async () => {
    const line = 'big.count:1|c\n';
    const datagram = line.repeat(Math.ceil(9000 / line.length));
    await h.send(datagram);
    const fit = Math.floor(8192 / line.length);
    const status = h.agent.dogstatsd.status();
    expect(status.truncatedPackets).toBe(1);
    expect(status.metricSamples).toBe(fit);
    expect(status.metricParseErrors).toBe(0);
  });

  it('10^5 random and malformed datagrams: no crash, counters exact, good lines beside bad ones kept', async () => {
    const random = prng(20261123);
    // Bytes that cannot form a metric, event or check: no ':' '|' '_' '\n' '\r'.
    const junkAlphabet = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789.,#@ \t{}éλ🚀', 'utf8').filter((b) => ![58, 124, 95, 10, 13].includes(b));
    const kinds: { datagram: () => string | Buffer; metrics: number; metricErrors: number; eventErrors: number; checkErrors: number }[] = [
      { datagram: () => Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => junkAlphabet[Math.floor(random() * junkAlphabet.length)]!)), metrics: 0, metricErrors: 1, eventErrors: 0, checkErrors: 0 },
      { datagram: () => `fuzz.ok:${Math.floor(random() * 100)}|c\nbroken|c\nfuzz.ok:1|c|@0.5`, metrics: 2, metricErrors: 1, eventErrors: 0, checkErrors: 0 },
      { datagram: () => 'fuzz.nan:NaN|g', metrics: 0, metricErrors: 1, eventErrors: 0, checkErrors: 0 },
      { datagram: () => 'fuzz.rate:1|c|@x', metrics: 0, metricErrors: 1, eventErrors: 0, checkErrors: 0 },
      { datagram: () => 'fuzz.type:1|zz', metrics: 0, metricErrors: 1, eventErrors: 0, checkErrors: 0 },
      { datagram: () => '_e{9,3}:short|x', metrics: 0, metricErrors: 0, eventErrors: 1, checkErrors: 0 },
      { datagram: () => '_sc|check|9|m:no', metrics: 0, metricErrors: 0, eventErrors: 0, checkErrors: 1 },
      { datagram: () => '\n\r\n\n', metrics: 0, metricErrors: 0, eventErrors: 0, checkErrors: 0 },
    ];
    const expected = { metrics: 0, metricErrors: 0, eventErrors: 0, checkErrors: 0, okSamples: 0 };
    const socket = createSocket('udp4');
    const total = 100_000;
    const batch = 100;
    try {
      for (let sent = 0; sent < total; sent += batch) {
        for (let i = 0; i < batch; i++) {
          const kind = kinds[Math.floor(random() * kinds.length)]!;
          expected.metrics += kind.metrics;
          expected.metricErrors += kind.metricErrors;
          expected.eventErrors += kind.eventErrors;
          expected.checkErrors += kind.checkErrors;
          if (kind.metrics === 2) expected.okSamples++;
          socket.send(kind.datagram(), h.agent.dogstatsd.port, '127.0.0.1');
        }
        // Let the agent read each batch before the next: loopback drops what overflows its buffer.
        await h.waitPackets(sent + batch);
      }
    } finally {
      socket.close();
    }
    await until(() => (h.agent.dogstatsd.status().packets as number) >= total);
    const status = h.agent.dogstatsd.status();
    expect(status.packets).toBe(total);
    expect(status.metricSamples).toBe(expected.metrics);
    expect(status.metricParseErrors).toBe(expected.metricErrors);
    expect(status.eventParseErrors).toBe(expected.eventErrors);
    expect(status.serviceCheckParseErrors).toBe(expected.checkErrors);
    expect(status.events).toBe(0);
    expect(status.serviceChecks).toBe(0);
    // Still serving, and the good lines sent beside bad ones were aggregated.
    await h.send('after.fuzz:1|g');
    h.closeBucket();
    await h.flush(true);
    expect(pointOf(h.series(), 'after.fuzz')).toBe(1);
    expect(h.series().filter((s) => s.metric === 'fuzz.ok').length).toBe(1);
  }, 120_000);
});

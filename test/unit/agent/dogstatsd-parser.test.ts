import { describe, expect, it } from 'vitest';
import { DogStatsdCounters } from '../../../src/agent/dogstatsd/counters.js';
import type { DogStatsdEvent, DogStatsdServiceCheck, DogStatsdSink } from '../../../src/agent/dogstatsd/messages.js';
import { parseNumber } from '../../../src/agent/dogstatsd/numbers.js';
import { parseDatagram } from '../../../src/agent/dogstatsd/parser.js';

function parse(text: string | Buffer) {
  const metrics: unknown[][] = [];
  const events: DogStatsdEvent[] = [];
  const checks: DogStatsdServiceCheck[] = [];
  const sink: DogStatsdSink = {
    datagram: () => {},
    metric: (key, ...rest) => metrics.push([key.name(), key.tags(), ...rest]),
    event: (e) => events.push(e),
    serviceCheck: (c) => checks.push(c),
  };
  const counters = new DogStatsdCounters();
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  parseDatagram(buf, buf.length, sink, counters);
  return { metrics, events, checks, counters };
}

describe('DogStatsD parser', () => {
  it('parses every metric type with rate, tags, container and timestamp fields in any order', () => {
    const { metrics, counters } = parse('a:1|c\nb:2.5|g|#x:1,y\nc:3|h|@0.5\nd:4|ms|c:abc|#t\ne:-5|d|T1700000000|@1\nf:user-1|s\ng:1e3|g|e:ext|unknown');
    expect(metrics).toEqual([
      ['a', '', 'counter', 1, undefined, 1, 0],
      ['b', 'x:1,y', 'gauge', 2.5, undefined, 1, 0],
      ['c', '', 'histogram', 3, undefined, 0.5, 0],
      ['d', 't', 'timer', 4, undefined, 1, 0],
      ['e', '', 'distribution', -5, undefined, 1, 1700000000],
      ['f', '', 'set', 0, 'user-1', 1, 0],
      ['g', '', 'gauge', 1000, undefined, 1, 0],
    ]);
    expect(counters.metricSamples).toBe(7);
    expect(counters.metricParseErrors).toBe(0);
  });

  it('handles multi-values, CRLF, empty lines and a bad line beside good ones', () => {
    const { metrics, counters } = parse('m:1:2:3|d\r\n\n\r\nbad line\nok:7|c\n\n');
    expect(metrics.map((m) => [m[0], m[3]])).toEqual([['m', 1], ['m', 2], ['m', 3], ['ok', 7]]);
    expect(counters.metricSamples).toBe(4);
    expect(counters.metricParseErrors).toBe(1);
  });

  it.each([
    ['NaN value', 'a:NaN|g'],
    ['Infinity', 'a:Infinity|g'],
    ['hex', 'a:0x10|c'],
    ['empty value', 'a:|c'],
    ['bad multi-value', 'a:1:x:2|c'],
    ['only colons as values', 'a:::|c'],
    ['one colon as value', 'a::|c'],
    ['a line of colons', '::'],
    ['colons and a type', ':::|c'],
    ['unknown type', 'a:1|x'],
    ['no type', 'a:1'],
    ['empty name', ':1|c'],
    ['bad rate', 'a:1|c|@abc'],
    ['zero rate', 'a:1|c|@0'],
    ['rate above 1', 'a:1|c|@1.5'],
    ['bad timestamp', 'a:1|g|Tnow'],
  ])('refuses %s and counts one metric error', (_, line) => {
    const { metrics, counters } = parse(line);
    expect(metrics).toEqual([]);
    expect(counters.metricParseErrors).toBe(1);
  });

  it('hashes each sample key over name, newline, tags, wherever it sits (the last #tags field wins)', () => {
    const bytes = (text: string) => [...Buffer.from(text)];
    const lane1 = (text: string) => bytes(text).reduce((h, b) => Math.imul(h ^ b, 0x01000193), 0x811c9dc5);
    const lane2 = (text: string) => bytes(text).reduce((h, b) => Math.imul(((h << 5) | (h >>> 27)) ^ b, 0x9e3779b1), 0x2545f491);
    const hashes: [number, number][] = [];
    const sink: DogStatsdSink = { datagram: () => {}, metric: (key) => hashes.push([key.hash, key.hash2]), event: () => {}, serviceCheck: () => {} };
    const buf = Buffer.from('a.b:1|c|#x:1,y\nzz:2|g\n  pad\na.b:3|c|@0.5|#x:1,y\nq:1:2|h|#old|#new|T5\népée:1|c|#ß');
    parseDatagram(buf, buf.length, sink, new DogStatsdCounters());
    const keys = ['a.b\nx:1,y', 'zz\n', 'a.b\nx:1,y', 'q\nnew', 'q\nnew', 'épée\nß'];
    expect(hashes).toEqual(keys.map((k) => [lane1(k), lane2(k)]));
  });

  it('keeps unicode names and tags intact', () => {
    const { metrics } = parse('café.hits:1|c|#名前:値,emoji:🚀');
    expect(metrics[0]!.slice(0, 2)).toEqual(['café.hits', '名前:値,emoji:🚀']);
  });

  it('parses events with every field and escaped newlines; refuses wrong lengths', () => {
    const { events, counters } = parse('_e{5,5}:Title|te\\nx|d:1700000000|h:box|k:key|p:low|s:src|t:error|#a,b\n_e{5,3}:ab|c\n_e{2,2}:ab|cd|p:urgent');
    expect(events).toEqual([{ title: 'Title', text: 'te\nx', timestamp: 1700000000, host: 'box', aggregationKey: 'key', priority: 'low', sourceType: 'src', alertType: 'error', tags: 'a,b' }]);
    expect(counters.events).toBe(1);
    expect(counters.eventParseErrors).toBe(2);
  });

  it('parses service checks with every field; refuses bad statuses and empty names', () => {
    const { checks, counters } = parse('_sc|db.up|1|d:1700000000|h:db|#role:primary|m:slow\\nvery\n_sc|x|7\n_sc||0\n_sc|x\n_sc|x|');
    expect(checks).toEqual([{ name: 'db.up', status: 1, timestamp: 1700000000, host: 'db', message: 'slow\nvery', tags: 'role:primary' }]);
    expect(counters.serviceChecks).toBe(1);
    expect(counters.serviceCheckParseErrors).toBe(4);
  });

  it('ends a service check message at the next | field, which is parsed (official parser)', () => {
    const { checks, counters } = parse('_sc|web|0|m:hello|#env:prod,team:a|h:box\n_sc|web|2|m:slow | very');
    expect(checks).toEqual([
      { name: 'web', status: 0, timestamp: 0, host: 'box', message: 'hello', tags: 'env:prod,team:a' },
      { name: 'web', status: 2, timestamp: 0, host: undefined, message: 'slow ', tags: '' },
    ]);
    expect(counters.serviceCheckParseErrors).toBe(0);
  });

  it('keeps a service check with a bad d: timestamp, at the current time (0), its other fields parsed', () => {
    const { checks, counters } = parse('_sc|web|1|d:notanumber|#a|m:x\n_sc|web|1|d:1700000000|d:-5\n_sc|web|1|d:|h:h');
    expect(checks.map((c) => [c.timestamp, c.tags, c.message, c.host])).toEqual([
      [0, 'a', 'x', undefined],
      [1700000000, '', '', undefined],
      [0, '', '', 'h'],
    ]);
    expect(counters.serviceChecks).toBe(3);
    expect(counters.serviceCheckParseErrors).toBe(0);
  });

  it('skips empty values between colons of a multi-value packet (official parser)', () => {
    const { metrics, counters } = parse('name::1::2|c\ntrail:1::|g\nlead:::3|h|#t\none:1:|d');
    expect(metrics.map((m) => [m[0], m[1], m[2], m[3]])).toEqual([
      ['name', '', 'counter', 1],
      ['name', '', 'counter', 2],
      ['trail', '', 'gauge', 1],
      ['lead', 't', 'histogram', 3],
      ['one', '', 'distribution', 1],
    ]);
    expect(counters.metricSamples).toBe(5);
    expect(counters.metricParseErrors).toBe(0);
  });

  it('keeps a set member with colons whole', () => {
    const { metrics } = parse('users:a::b|s');
    expect(metrics).toEqual([['users', '', 'set', 0, 'a::b', 1, 0]]);
  });

  it('keeps an event with a container (c:) or unknown field after its text', () => {
    const { events, counters } = parse('_e{5,4}:Title|text|c:abc|#a\n_e{5,4}:Title|text|x:unknown|p:low\n_e{5,4}:Title|text|c:ci-1,in-2|e:it-false|card:high');
    expect(events.map((e) => [e.title, e.text, e.tags, e.priority])).toEqual([
      ['Title', 'text', 'a', 'normal'],
      ['Title', 'text', '', 'low'],
      ['Title', 'text', '', 'normal'],
    ]);
    expect(counters.events).toBe(3);
    expect(counters.eventParseErrors).toBe(0);
  });

  it('reads numbers from bytes exactly as Number() does', () => {
    for (const text of ['0', '-0.5', '123456789012345', '3.14159', '0.1', '1.1', '-2.675', '1e-7', '+4', '.5', '5.']) {
      const buf = Buffer.from(text);
      expect(parseNumber(buf, 0, buf.length)).toBe(Number(text));
    }
  });
});

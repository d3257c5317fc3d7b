import { describe, expect, it } from 'vitest';
import { ContextResolver } from '../../../src/agent/aggregator/context.js';
import { MetricKey } from '../../../src/agent/dogstatsd/messages.js';

const COUNTER = 99;
const GAUGE = 103;

/** A key over `name|#tags` as the parser leaves it, with hashes standing for the parser's or forced by the test. */
function keyOf(name: string, tags: string, hash?: number): MetricKey {
  const key = new MetricKey();
  key.buf = Buffer.from(`${name}:1|c|#${tags}`);
  key.nameStart = 0;
  key.nameEnd = Buffer.byteLength(name);
  key.tagsStart = key.nameEnd + 6; // past `:1|c|#`
  key.tagsEnd = key.buf.length;
  const text = `${name}\n${tags}`;
  key.hash = hash ?? [...text].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5);
  key.hash2 = [...text].reduce((h, c) => Math.imul(h * 31 + c.charCodeAt(0), 0x9e3779b1), 7);
  return key;
}

describe('ContextResolver', () => {
  it('spellings of one tag set share a context; kinds, names and hosts keep theirs apart', () => {
    const contexts = new ContextResolver('dyno-host', ['dyno:web.1']);
    const a = contexts.resolve(COUNTER, keyOf('req', 'b:2,a:1'), 100);
    expect(a).toMatchObject({ name: 'req', host: 'dyno-host', tags: ['a:1', 'b:2', 'dyno:web.1'] });
    expect(contexts.resolve(COUNTER, keyOf('req', 'a:1,b:2,a:1,dyno:web.1'), 101)).toBe(a);
    expect(contexts.resolve(COUNTER, keyOf('req', 'b:2,a:1'), 102)).toBe(a);
    expect(contexts.resolve(GAUGE, keyOf('req', 'b:2,a:1'), 102)).not.toBe(a);
    expect(contexts.resolve(COUNTER, keyOf('req2', 'b:2,a:1'), 102)).not.toBe(a);
    expect(contexts.resolve(COUNTER, keyOf('req', 'a:1,b:2,host:other'), 102)).toMatchObject({ host: 'other', tags: ['a:1', 'b:2', 'dyno:web.1'] });
    expect(contexts.size).toBe(4);
    expect(a!.lastSeen).toBe(102);
  });

  it('keys sharing the first hash lane are told apart by the second, and expire one by one', () => {
    const contexts = new ContextResolver('h', []);
    const x = contexts.resolve(COUNTER, keyOf('x', 't:1', 7), 100);
    const y = contexts.resolve(COUNTER, keyOf('y', 't:1', 7), 200);
    const ab = contexts.resolve(COUNTER, keyOf('ab', 'c', 7), 200);
    const a = contexts.resolve(COUNTER, keyOf('a', 'bc', 7), 200); // the same characters, split elsewhere
    expect(new Set([x, y, ab, a]).size).toBe(4);
    expect(a).toMatchObject({ name: 'a', tags: ['bc'] });
    expect(contexts.resolve(COUNTER, keyOf('x', 't:1', 7), 100)).toBe(x);
    expect(contexts.resolve(COUNTER, keyOf('y', 't:1', 7), 200)).toBe(y);

    expect(contexts.expire(150)).toBe(1);
    expect(contexts.size).toBe(3);
    expect(contexts.resolve(COUNTER, keyOf('y', 't:1', 7), 300)).toBe(y);
    expect(contexts.resolve(COUNTER, keyOf('ab', 'c', 7), 300)).toBe(ab);
    const again = contexts.resolve(COUNTER, keyOf('x', 't:1', 7), 300);
    expect(again).not.toBe(x);
    expect(again).toMatchObject({ name: 'x', tags: ['t:1'], lastSeen: 300 });
    expect(contexts.size).toBe(4);
  });
});

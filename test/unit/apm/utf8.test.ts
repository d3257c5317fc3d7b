import { expect, it } from 'vitest';
import { decodeUtf8, truncateUtf8 } from '../../../src/agent/apm/utf8.js';

const bytes = (...parts: (string | number)[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : [p])));

it('turns each run of invalid bytes into one U+FFFD, as Go strings.ToValidUTF8 does', () => {
  expect(decodeUtf8(bytes('GET ', 0xff, 0xfe, '/'))).toBe('GET \uFFFD/');
  expect(decodeUtf8(bytes('a', 0xe2, 0x82))).toBe('a\uFFFD'); // truncated sequence at the end
  expect(decodeUtf8(bytes(0xed, 0xa0, 0x80, 'x'))).toBe('\uFFFDx'); // encoded surrogate
  expect(decodeUtf8(bytes(0xc0, 0xaf))).toBe('\uFFFD'); // overlong
  expect(decodeUtf8(bytes('x', 0xef, 0xbf, 0xbd, 0xff))).toBe('x\uFFFD\uFFFD'); // a real U+FFFD stays, then one for the bad byte
  expect(decodeUtf8(bytes('h\u00e9 ', 0xf0, 0x9f, 0x8d, 0xa3))).toBe('h\u00e9 \u{1F363}');
  expect(decodeUtf8(new Uint8Array(0))).toBe('');
});

it('truncates on character boundaries', () => {
  expect(truncateUtf8('h\u00e9llo', 2)).toBe('h');
  expect(truncateUtf8('\u{1F363}\u{1F363}', 5)).toBe('\u{1F363}');
  expect(truncateUtf8('short', 100)).toBe('short');
});

it('decodes map keys through a cache without mixing keys up', async () => {
  const { decodeKey } = await import('../../../src/agent/apm/utf8.js');
  const keys = Array.from({ length: 5000 }, (_, i) => `key.${i}`);
  for (let round = 0; round < 2; round++) {
    for (const key of keys) {
      const b = Buffer.from(`xx${key}yy`);
      expect(decodeKey(b, 2, 2 + Buffer.byteLength(key))).toBe(key);
    }
  }
  expect(decodeKey(bytes('k', 0xff), 0, 2)).toBe('k\uFFFD');
});

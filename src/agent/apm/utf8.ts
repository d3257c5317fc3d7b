// Tracer strings may hold invalid UTF-8: like the trace-agent (Go's strings.ToValidUTF8), each run
// of invalid bytes becomes one U+FFFD.

// Node's native UTF-8 decoder, callable on any Uint8Array (no Buffer wrapper to allocate).
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice;

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function sequenceLength(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < end && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The slow path, taken only when a U+FFFD shows up: valid text kept, invalid runs collapsed. */
function toValidUtf8(b: Uint8Array, from: number, to: number): string {
  let out = '';
  let start = from;
  let inInvalidRun = false;
  let i = from;
  while (i < to) {
    const length = sequenceLength(b, i, to);
    if (length > 0) {
      inInvalidRun = false;
      i += length;
      continue;
    }
    if (!inInvalidRun) out += `${utf8Slice.call(b, start, i)}\uFFFD`;
    inInvalidRun = true;
    i++;
    start = i;
  }
  return out + utf8Slice.call(b, start, to);
}

/** Bytes `from`..`to` of `bytes` as text. */
export function decodeUtf8Range(bytes: Uint8Array, from: number, to: number): string {
  if (to <= from) return '';
  const text = utf8Slice.call(bytes, from, to);
  return text.includes('\uFFFD') ? toValidUtf8(bytes, from, to) : text;
}

export function decodeUtf8(bytes: Uint8Array): string {
  return decodeUtf8Range(bytes, 0, bytes.length);
}

/** Map keys repeat on every span (`service`, `env`, `http.url`…): each distinct short one is decoded once. */
const keyCache = new Map<number, { bytes: Uint8Array; text: string }>();
const KEY_CACHE_LIMIT = 4096;
const CACHEABLE_KEY_BYTES = 32;

export function decodeKey(bytes: Uint8Array, from: number, to: number): string {
  const length = to - from;
  if (length > CACHEABLE_KEY_BYTES) return decodeUtf8Range(bytes, from, to);
  let hash = 0x811c9dc5 ^ length;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  const hit = keyCache.get(hash);
  if (hit !== undefined && hit.bytes.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (hit.bytes[i] !== bytes[from + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit.text;
  }
  const text = decodeUtf8Range(bytes, from, to);
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(hash, { bytes: bytes.slice(from, to), text });
  return text;
}

/** Cuts `text` to at most `maxBytes` bytes of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

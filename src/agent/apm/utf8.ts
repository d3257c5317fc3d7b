// Tracer strings may hold invalid UTF-8: like the trace-agent, each bad sequence becomes U+FFFD.

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Short strings repeat across spans (services, tag keys, values): decoding each once pays off. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 4096;
const CACHEABLE_LENGTH = 32;

export function decodeUtf8(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length === 0) return '';
  if (length <= CACHEABLE_LENGTH) {
    let ascii = true;
    for (let i = 0; i < length; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    const key = String.fromCharCode.apply(null, bytes as unknown as number[]);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const text = decoder.decode(bytes);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, text);
    return text;
  }
  return decoder.decode(bytes);
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

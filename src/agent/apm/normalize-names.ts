// Service, operation-name and tag normalisation with the trace-agent's rules (pkg/trace/traceutil/normalize.go).
import { truncateUtf8 } from './utf8.js';

export const DEFAULT_SPAN_NAME = 'unnamed_operation';
export const DEFAULT_SERVICE_NAME = 'unnamed-service';
export const MAX_NAME_LENGTH = 100;
export const MAX_SERVICE_LENGTH = 100;
const MAX_TAG_LENGTH = 200;

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const UPPER = /\p{Lu}/u;

/** Lower-case, letters first, `[letters digits : . / -]` kept, every other run one `_`, at most 200 characters. */
export function normalizeTag(value: string): string {
  return normalizeTagChars(value, true);
}

/** As `normalizeTag`, but a value may start with a digit, `.`, `/` or `-` (the agent's NormalizeTagValue). */
export function normalizeTagValue(value: string): string {
  return normalizeTagChars(value, false);
}

function normalizeTagChars(value: string, letterFirst: boolean): string {
  let out = '';
  let chars = 0;
  let cut = false;
  for (let char of value) {
    const code = char.charCodeAt(0);
    let ok = false;
    if ((code >= 0x61 && code <= 0x7a) || code === 0x3a) ok = true;
    else if (code >= 0x41 && code <= 0x5a) {
      char = String.fromCharCode(code + 0x20);
      ok = true;
    } else if (code >= 0x80) {
      if (UPPER.test(char)) {
        const lower = char.toLowerCase();
        // Only when the lower-case form has the same width, as the agent does (ſ and friends).
        if (Buffer.byteLength(lower) === Buffer.byteLength(char)) char = lower;
      }
      ok = LETTER.test(char);
    }
    if (!ok) {
      const digitish = (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2f || code === 0x2d || (code >= 0x80 && DIGIT.test(char));
      if (chars === 0 && (letterFirst || !digitish)) continue; // cannot start a tag: trimmed
      if (!digitish) {
        cut = true;
        continue;
      }
    }
    if (cut) {
      out += '_';
      cut = false;
    }
    out += char;
    chars++;
    if (chars >= MAX_TAG_LENGTH) break;
  }
  return out;
}

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isAlphaNum(c: number): boolean {
  return isAlpha(c) || (c >= 0x30 && c <= 0x39);
}

/** The metric-name rule applied to span names: ASCII alnum and dots, other runs `_`, starts with a letter. */
function normalizeMetricName(name: string): string | undefined {
  const bytes = Buffer.from(name, 'utf8');
  let i = 0;
  while (i < bytes.length && !isAlpha(bytes[i]!)) i++;
  if (i === bytes.length) return undefined;
  let out = '';
  for (; i < bytes.length; i++) {
    const c = bytes[i]!;
    const last = out.charCodeAt(out.length - 1);
    if (isAlphaNum(c)) out += String.fromCharCode(c);
    else if (c === 0x2e) out = last === 0x5f ? `${out.slice(0, -1)}.` : `${out}.`;
    else if (last !== 0x2e && last !== 0x5f) out += '_';
  }
  return out.endsWith('_') ? out.slice(0, -1) : out;
}

// Names and services repeat on every span: normalise each distinct one once.
const nameCache = new Map<string, string>();
const serviceCache = new Map<string, string>();
const CACHE_LIMIT = 2048;

function cached(cache: Map<string, string>, key: string, compute: () => string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

export function normalizeName(name: string): string {
  if (name === '') return DEFAULT_SPAN_NAME;
  return cached(nameCache, name, () => normalizeMetricName(truncateUtf8(name, MAX_NAME_LENGTH)) ?? DEFAULT_SPAN_NAME);
}

export function fallbackService(language: string): string {
  return language === '' ? DEFAULT_SERVICE_NAME : `unnamed-${language}-service`;
}

export function normalizeService(service: string, language: string): string {
  if (service === '') return fallbackService(language);
  const normalized = cached(serviceCache, service, () => normalizeTag(truncateUtf8(service, MAX_SERVICE_LENGTH)));
  return normalized === '' ? fallbackService(language) : normalized;
}

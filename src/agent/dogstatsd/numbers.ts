// Number parsing straight from datagram bytes: the common `123` / `-4.5` forms never become strings.

const PLAIN_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The finite number in buf[start, end), or NaN when it is not a decimal number (NaN/Inf/hex refused). */
export function parseNumber(buf: Buffer, start: number, end: number): number {
  if (start >= end) return NaN;
  let i = start;
  let negative = false;
  const first = buf[i]!;
  if (first === 45 /* - */ || first === 43 /* + */) {
    negative = first === 45;
    i++;
  }
  let value = 0;
  let digits = 0;
  while (i < end) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits++;
    i++;
  }
  if (i === end && digits > 0 && digits < 16) return negative ? -value : value;
  if (i < end && buf[i] === 46 /* . */ && digits < 16) {
    i++;
    let fraction = 0;
    let scale = 1;
    let fractionDigits = 0;
    while (i < end) {
      const c = buf[i]!;
      if (c < 48 || c > 57) break;
      fraction = fraction * 10 + (c - 48);
      scale *= 10;
      fractionDigits++;
      i++;
    }
    if (i === end && digits + fractionDigits > 0 && digits + fractionDigits < 16) {
      // One division of two exact integers: correctly rounded, the same double as Number(text).
      const v = (value * scale + fraction) / scale;
      return negative ? -v : v;
    }
  }
  // Rare forms (exponents, long mantissas): exact decimal conversion through a string.
  const text = buf.toString('latin1', start, end);
  if (!PLAIN_FLOAT.test(text)) return NaN;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : NaN;
}

/** A non-negative integer in buf[start, end) (timestamps, lengths, statuses), or -1. */
export function parseUnsigned(buf: Buffer, start: number, end: number): number {
  if (start >= end || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

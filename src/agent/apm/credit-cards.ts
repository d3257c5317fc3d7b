// Card numbers in span tags are replaced by `?`: IIN prefix, length and Luhn must all match.

/** Tags that never hold a card number and must stay readable (trace-agent's list). */
const SAFE_KEYS = new Set([
  '_sample_rate', '_sampling_priority_v1', 'account_id', 'aws_account_id', 'error', 'error.msg', 'error.message',
  'error.stack', 'error.type', 'env', 'graphql.field', 'graphql.query', 'graphql.type', 'graphql.operation.name',
  'grpc.code', 'grpc.method', 'grpc.request', 'http.status_code', 'http.method', 'runtime-id', 'out.host', 'out.port',
  'sampling.priority', 'span.type', 'span.name', 'service.name', 'service', 'sql.query', 'version',
]);

function validPrefix(digits: string): boolean {
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === '4') return true; // Visa
  if (two >= 51 && two <= 55) return true; // Mastercard
  if (four >= 2221 && four <= 2720) return true; // Mastercard 2-series
  if (two === 34 || two === 37) return true; // Amex
  if ((three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39) return true; // Diners
  if (four >= 3528 && four <= 3589) return true; // JCB
  if (two === 50 || (two >= 56 && two <= 69)) return true; // Maestro, Discover, UnionPay
  return false;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function isCardNumber(value: string): boolean {
  if (value.length < 12 || value.length > 23 || !/^[\d -]+$/.test(value)) return false;
  const digits = value.replace(/[ -]/g, '');
  if (digits.length < 12 || digits.length > 19) return false;
  return validPrefix(digits) && luhnValid(digits);
}

/** Replaces card numbers in `meta` in place; returns how many were scrubbed. */
export function scrubCardNumbers(meta: Record<string, string>): number {
  let scrubbed = 0;
  for (const key in meta) {
    if (key.startsWith('_') || SAFE_KEYS.has(key)) continue;
    const value = meta[key]!;
    if (value.length >= 12 && isCardNumber(value)) {
      meta[key] = '?';
      scrubbed++;
    }
  }
  return scrubbed;
}

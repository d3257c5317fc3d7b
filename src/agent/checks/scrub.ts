// Secrets of a check instance (passwords, tokens, credentials in URLs) kept out of every error,
// service check message and log line the check produces.

const SECRET_KEY = /pass|secret|token|api_?key|auth|credential|private_key/i;
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s/]+@/gi;
const MASK = '********';

function collect(value: unknown, secretKey: boolean, into: Set<string>, seen: Set<object> = new Set()): void {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (secretKey && text.length >= 3) into.add(text);
    for (const match of text.matchAll(/:\/\/[^:/@\s]*:([^@\s/]+)@/g)) into.add(match[1]!);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) collect(item, secretKey, into, seen);
    return;
  }
  for (const [key, item] of Object.entries(value)) collect(item, secretKey || SECRET_KEY.test(key), into, seen);
}

export type Scrubber = (text: string) => string;

/** A function that masks in any text the secrets found in `configs` (instance, init_config). */
export function scrubberFor(...configs: unknown[]): Scrubber {
  const secrets = new Set<string>();
  for (const config of configs) collect(config, false, secrets);
  // Longest first, so a secret containing another is masked whole.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(URL_CREDENTIALS, `$1***@`);
    for (const secret of ordered) out = out.split(secret).join(MASK);
    return out;
  };
}

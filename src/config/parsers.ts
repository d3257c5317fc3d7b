import { ConfigError } from './errors.js';

export type Parser<T> = (raw: string, name: string) => T;

/** Case-insensitive `true`/`false`, as the official buildpack documents. */
export const boolean: Parser<boolean> = (raw, name) => {
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(name, `expected true or false, received ${JSON.stringify(raw)}`);
};

export const string: Parser<string> = (raw) => raw;

export function oneOf<T extends string>(...values: T[]): Parser<T> {
  return (raw, name) => {
    const value = raw.trim().toLowerCase();
    const found = values.find((v) => v === value);
    if (found === undefined) {
      throw new ConfigError(name, `expected one of ${values.join(', ')}, received ${JSON.stringify(raw)}`);
    }
    return found;
  };
}

/** Numbers matching `pattern` within [min, max]; `what` names them in the refusal. */
function ranged(pattern: RegExp, what: string): (min: number, max: number) => Parser<number> {
  return (min, max) => (raw, name) => {
    const value = raw.trim();
    if (!pattern.test(value) || Number(value) < min || Number(value) > max) {
      throw new ConfigError(name, `expected ${what} from ${min} to ${max}, received ${JSON.stringify(raw)}`);
    }
    return Number(value);
  };
}

export const integer = ranged(/^\d+$/, 'a whole number');
export const decimal = ranged(/^\d+(\.\d+)?$/, 'a number');

/** A URL as it may be shown: any user-info (a password) replaced by `***`. */
export function withoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

export const url: Parser<string> = (raw, name) => {
  const value = raw.trim().replace(/\/+$/, '');
  const refused = () => new ConfigError(name, `expected an http(s) URL, received ${JSON.stringify(withoutCredentials(raw.trim()))}`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw refused();
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refused();
  return value;
};

/** `host:port`, `[v6]:port` or `:port` split into its parts; undefined when it is none of them. */
export function splitHostPort(text: string): { readonly host: string; readonly port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!match || Number(match[3]) > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port: Number(match[3]) };
}

/** A listening endpoint as the OpenTelemetry collector writes it (`localhost:4318`): no scheme, no path. */
export const hostPort: Parser<string> = (raw, name) => {
  if (splitHostPort(raw) === undefined) {
    throw new ConfigError(name, `expected host:port such as localhost:4318 (no scheme, no path), received ${JSON.stringify(withoutCredentials(raw.trim()))}`);
  }
  return raw.trim();
};

/** Tags separated by commas and/or spaces, empties dropped, order kept, duplicates removed. */
export const tagList: Parser<string[]> = (raw) => [...new Set(raw.split(/[\s,]+/).filter((t) => t !== ''))];

/** Space- or comma-separated words. */
export const wordList: Parser<string[]> = (raw) => raw.split(/[\s,]+/).filter((t) => t !== '');

/** Space- or comma-separated numbers strictly between 0 and 1 (histogram percentiles). */
export const percentileList: Parser<number[]> = (raw, name) =>
  wordList(raw, name).map((word) => {
    const value = Number(word);
    if (!Number.isFinite(value) || value <= 0 || value >= 1) {
      throw new ConfigError(name, `expected numbers between 0 and 1 such as "0.95 0.99", received ${JSON.stringify(word)}`);
    }
    return value;
  });

// A span's or resource's attributes as pcommon.Map reads them: the first of duplicate keys wins.
import { normalizeTagValue } from '../../apm/normalize-names.js';
import type { AnyValue, KeyValue } from '../model.js';
import { asString } from '../any-value.js';

export class AttributeMap {
  private readonly values = new Map<string, AnyValue>();

  constructor(list: readonly KeyValue[]) {
    for (const kv of list) if (!this.values.has(kv.key)) this.values.set(kv.key, kv.value);
  }

  static readonly EMPTY = new AttributeMap([]);

  get(key: string): AnyValue | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  entries(): IterableIterator<[string, AnyValue]> {
    return this.values.entries();
  }

  /** `GetOTelAttrVal`: the first of `keys` present (even if empty), as a string, tag-normalised when asked. */
  first(normalize: boolean, ...keys: string[]): string {
    let value = '';
    for (const key of keys) {
      const found = this.values.get(key);
      if (found !== undefined) {
        value = asString(found);
        break;
      }
    }
    return normalize ? normalizeTagValue(value) : value;
  }
}

/** `GetOTelAttrFromEitherMap`: `primary` first, then `secondary`; a non-empty value wins. */
export function either(primary: AttributeMap, secondary: AttributeMap, normalize: boolean, ...keys: string[]): string {
  return primary.first(normalize, ...keys) || secondary.first(normalize, ...keys);
}

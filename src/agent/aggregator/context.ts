// Context = metric name + host + tag set (order-independent, deduplicated). Resolved through a
// cache keyed by the raw bytes as sent, so a repeated sample costs one Map lookup.

export interface Context {
  readonly name: string;
  readonly host: string;
  readonly tags: readonly string[];
  /** Unix seconds of the last sample, for expiry. */
  lastSeen: number;
}

export interface TagSet {
  readonly host: string;
  readonly tags: string[];
}

/** Splits raw tags, pulls out `host:` (it overrides the host), adds global tags, dedups, sorts. */
export function tagSet(raw: string, defaultHost: string, globalTags: readonly string[]): TagSet {
  let host = defaultHost;
  const tags = new Set<string>();
  if (raw !== '') {
    for (const tag of raw.split(',')) {
      if (tag === '') continue;
      if (tag.startsWith('host:')) host = tag.slice(5);
      else tags.add(tag);
    }
  }
  for (const tag of globalTags) tags.add(tag);
  return { host, tags: [...tags].sort() };
}

export class ContextResolver {
  private readonly byRaw = new Map<string, Context>();
  private readonly byCanonical = new Map<string, Context>();

  constructor(
    private readonly defaultHost: string,
    private readonly globalTags: readonly string[],
  ) {}

  get size(): number {
    return this.byCanonical.size;
  }

  /** `kind` keeps a counter and a gauge of the same name apart. */
  resolve(kind: string, name: string, rawTags: string, now: number): Context {
    const rawKey = `${kind}${name}|${rawTags}`;
    let context = this.byRaw.get(rawKey);
    if (context === undefined) {
      const { host, tags } = tagSet(rawTags, this.defaultHost, this.globalTags);
      const canonical = `${kind}${name}\u0000${host}\u0000${tags.join(',')}`;
      context = this.byCanonical.get(canonical);
      if (context === undefined) {
        context = { name, host, tags, lastSeen: now };
        this.byCanonical.set(canonical, context);
      }
      this.byRaw.set(rawKey, context);
    }
    context.lastSeen = now;
    return context;
  }

  /** Forgets contexts idle since before `cutoff` (unix seconds); returns how many. */
  expire(cutoff: number): number {
    let removed = 0;
    for (const [key, context] of this.byCanonical) {
      if (context.lastSeen < cutoff) {
        this.byCanonical.delete(key);
        removed++;
      }
    }
    for (const [key, context] of this.byRaw) if (context.lastSeen < cutoff) this.byRaw.delete(key);
    return removed;
  }
}

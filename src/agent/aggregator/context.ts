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
  /**
   * Raw keys as sent and canonical keys (sorted tags, host first) in one map: a client sending
   * its tags already sorted costs one entry per context, any other order one alias more.
   */
  private readonly byKey = new Map<string, Context>();
  private contexts = 0;
  private readonly global: ReadonlySet<string>;

  constructor(
    private readonly defaultHost: string,
    private readonly globalTags: readonly string[],
  ) {
    this.global = new Set(globalTags);
  }

  get size(): number {
    return this.contexts;
  }

  /** `kind` keeps a counter and a gauge of the same name apart. */
  resolve(kind: string, name: string, rawTags: string, now: number): Context {
    const rawKey = `${kind}${name}|${rawTags}`;
    let context = this.byKey.get(rawKey);
    if (context === undefined) {
      const { host, tags } = tagSet(rawTags, this.defaultHost, this.globalTags);
      const own = canonicalTags(rawTags, this.global);
      const canonical = `${kind}${name}|${host === this.defaultHost ? '' : `host:${host},`}${own}`;
      context = this.byKey.get(canonical);
      if (context === undefined) {
        context = { name, host, tags, lastSeen: now };
        this.byKey.set(canonical, context);
        this.contexts++;
      }
      if (rawKey !== canonical) this.byKey.set(rawKey, context);
    }
    context.lastSeen = now;
    return context;
  }

  /** Forgets contexts idle since before `cutoff` (unix seconds); returns how many. */
  expire(cutoff: number): number {
    const forgotten = new Set<Context>();
    for (const [key, context] of this.byKey) {
      if (context.lastSeen < cutoff) {
        this.byKey.delete(key);
        forgotten.add(context);
      }
    }
    this.contexts -= forgotten.size;
    return forgotten.size;
  }
}

/** The client's own tags (without host: and global tags), deduplicated and sorted, comma-joined. */
function canonicalTags(raw: string, global: ReadonlySet<string>): string {
  if (raw === '') return '';
  const tags = new Set<string>();
  for (const tag of raw.split(',')) if (tag !== '' && !tag.startsWith('host:') && !global.has(tag)) tags.add(tag);
  return [...tags].sort().join(',');
}

// Context = metric name + host + tag set (order-independent, deduplicated). A sample finds its
// context by the 64-bit hash of the kind, name and tags as sent, as the official agent does
// (pkg/aggregator/ckey: a 64-bit hash, collisions accepted): no string, no copy of the bytes kept.
// Bounded: at most `limit` live contexts (`dogstatsd_context_limiter.limit`): a sample of a new
// context past it is refused (the caller counts it), known contexts keep resolving. Spellings
// (the same tag set written in another order) are remembered up to twice the limit; past that a
// new spelling is found through its canonical form on every sample, at no memory cost.
import { HASH2_SEED, HASH_PRIME, HASH_SEED, hashLane, hashLane2, type MetricKey } from '../dogstatsd/messages.js';

/** Character code of `c`, the kind of counter contexts. */
const COUNTER_KIND = 99;

export interface Context {
  /** The type's character code (timers as histograms): counters expire later, after their zero-fill. */
  readonly kind: number;
  readonly name: string;
  readonly host: string;
  readonly tags: readonly string[];
  /** Unix seconds of the last sample, for expiry. */
  lastSeen: number;
  /** The aggregator's entry for this context in the bucket starting at `openStart` (-1: none). */
  openStart: number;
  openEntry: object | undefined;
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

/** One spelling of a context, by its hash; `hash2` and the kind tell apart those sharing the first lane. */
interface Spelling {
  readonly kind: number;
  readonly hash2: number;
  readonly context: Context;
  next: Spelling | undefined;
}

export class ContextResolver {
  /**
   * First hash lane, kind mixed in → spellings: each as sent, and the canonical one (host when not
   * the default, then the own tags sorted) through which a new spelling finds its context. A
   * client sending its tags sorted costs one spelling per context.
   */
  private readonly spellings = new Map<number, Spelling>();
  private contexts = 0;
  private spellingCount = 0;
  private readonly global: ReadonlySet<string>;
  /** Live contexts at most; 0: no limit. */
  private readonly limit: number;

  constructor(
    private readonly defaultHost: string,
    private readonly globalTags: readonly string[],
    options: { readonly limit?: number } = {},
  ) {
    this.global = new Set(globalTags);
    this.limit = options.limit ?? 0;
  }

  get size(): number {
    return this.contexts;
  }

  /** Spellings remembered (each costs a small record, no string). */
  get spellingsSize(): number {
    return this.spellingCount;
  }

  /**
   * `kind` (the type's character code, timers as histograms) keeps a counter and a gauge of the
   * same name apart. Undefined: a new context while `limit` contexts are live (nothing is kept).
   */
  resolve(kind: number, key: MetricKey, now: number): Context | undefined {
    const hash = Math.imul(key.hash ^ kind, HASH_PRIME);
    let context = this.find(kind, hash, key.hash2);
    if (context === undefined) {
      const name = key.name();
      const rawTags = key.tags();
      const { host, tags } = tagSet(rawTags, this.defaultHost, this.globalTags);
      const own = canonicalTags(rawTags, this.global);
      const [canonical, canonical2] = hashText(`${name}\n${host === this.defaultHost ? '' : `host:${host},`}${own}`);
      const canonicalHash = Math.imul(canonical ^ kind, HASH_PRIME);
      context = this.find(kind, canonicalHash, canonical2);
      if (context === undefined) {
        if (this.limit > 0 && this.contexts >= this.limit) return undefined;
        context = { kind, name, host, tags, lastSeen: now, openStart: -1, openEntry: undefined };
        this.add(kind, canonicalHash, canonical2, context);
        this.contexts++;
      }
      if ((canonicalHash !== hash || canonical2 !== key.hash2) && (this.limit === 0 || this.spellingCount < 2 * this.limit)) {
        this.add(kind, hash, key.hash2, context);
      }
    }
    context.lastSeen = now;
    return context;
  }

  private find(kind: number, hash: number, hash2: number): Context | undefined {
    for (let spelling = this.spellings.get(hash); spelling !== undefined; spelling = spelling.next) {
      if (spelling.hash2 === hash2 && spelling.kind === kind) return spelling.context;
    }
    return undefined;
  }

  private add(kind: number, hash: number, hash2: number, context: Context): void {
    this.spellings.set(hash, { kind, hash2, context, next: this.spellings.get(hash) });
    this.spellingCount++;
  }

  /**
   * Forgets contexts idle since before `cutoff` (unix seconds; counters: `counterCutoff`), with
   * all their spellings, except those with samples in a bucket from `openFrom` on (not flushed
   * yet); returns how many.
   */
  expire(cutoff: number, counterCutoff = cutoff, openFrom = Infinity): number {
    const forgotten = new Set<Context>();
    const expired = (context: Context): boolean =>
      context.lastSeen < (context.kind === COUNTER_KIND ? counterCutoff : cutoff) && context.openStart < openFrom;
    let dropped = 0;
    const live = (spelling: Spelling | undefined): Spelling | undefined => {
      while (spelling !== undefined && expired(spelling.context)) {
        forgotten.add(spelling.context);
        dropped++;
        spelling = spelling.next;
      }
      return spelling;
    };
    for (const [hash, first] of this.spellings) {
      const head = live(first);
      if (head === undefined) this.spellings.delete(hash);
      else if (head !== first) this.spellings.set(hash, head);
      for (let spelling = head; spelling !== undefined; spelling = spelling.next) spelling.next = live(spelling.next);
    }
    this.contexts -= forgotten.size;
    this.spellingCount -= dropped;
    return forgotten.size;
  }
}

/** Both lanes of MetricKey's hash over the UTF-8 bytes of `text`, as the parser computes them. */
function hashText(text: string): [number, number] {
  let hash = HASH_SEED;
  let hash2 = HASH2_SEED;
  for (const byte of Buffer.from(text)) {
    hash = hashLane(hash, byte);
    hash2 = hashLane2(hash2, byte);
  }
  return [hash, hash2];
}

/** The client's own tags (without host: and global tags), deduplicated and sorted, comma-joined. */
function canonicalTags(raw: string, global: ReadonlySet<string>): string {
  if (raw === '') return '';
  const tags = new Set<string>();
  for (const tag of raw.split(',')) if (tag !== '' && !tag.startsWith('host:') && !global.has(tag)) tags.add(tag);
  return [...tags].sort().join(',');
}

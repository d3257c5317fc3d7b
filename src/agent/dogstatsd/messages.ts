// What the parser hands on: metric samples go through a callback (hot path), events and
// service checks, rare, as objects.

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'timer' | 'distribution' | 'set';

export interface DogStatsdEvent {
  readonly title: string;
  readonly text: string;
  /** Unix seconds; 0 when the client sent none. */
  readonly timestamp: number;
  readonly host: string | undefined;
  readonly aggregationKey: string | undefined;
  readonly priority: 'normal' | 'low';
  readonly sourceType: string | undefined;
  readonly alertType: 'error' | 'warning' | 'info' | 'success';
  /** Raw comma-separated tags as sent. */
  readonly tags: string;
}

export interface DogStatsdServiceCheck {
  readonly name: string;
  readonly status: 0 | 1 | 2 | 3;
  readonly timestamp: number;
  readonly host: string | undefined;
  readonly message: string;
  readonly tags: string;
}

/** The two 32-bit lanes of a sample key's hash: FNV-1a, and a rotate-xor-multiply with another seed. */
export const HASH_SEED = 0x811c9dc5;
export const HASH_PRIME = 0x01000193;
export const HASH2_SEED = 0x2545f491;
const HASH2_PRIME = 0x9e3779b1;

export function hashLane(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, HASH_PRIME);
}

export function hashLane2(hash: number, byte: number): number {
  return Math.imul(((hash << 5) | (hash >>> 27)) ^ byte, HASH2_PRIME);
}

/**
 * Where one sample's name and tags sit in its datagram, and their 64-bit hash: the aggregator finds
 * a known context from the hash without making strings. The parser reuses one instance, valid
 * only during the call.
 */
export class MetricKey {
  buf: Buffer = Buffer.alloc(0);
  /**
   * Both lanes run over the name bytes, a newline, then the tag bytes; the parser computes them as
   * it scans those bytes.
   */
  hash = 0;
  hash2 = 0;
  nameStart = 0;
  nameEnd = 0;
  /** tagsStart === tagsEnd when the message has no tags. */
  tagsStart = 0;
  tagsEnd = 0;

  name(): string {
    return this.buf.toString('utf8', this.nameStart, this.nameEnd);
  }

  /** The raw comma list as sent, '' when none. */
  tags(): string {
    return this.tagsStart < this.tagsEnd ? this.buf.toString('utf8', this.tagsStart, this.tagsEnd) : '';
  }
}

export interface DogStatsdSink {
  /** A datagram begins: its samples all carry the time of this call. */
  datagram(): void;
  /**
   * One sample. `setValue` is the raw member for sets; `timestamp` is the `|T` unix time or 0;
   * `rate` is in (0, 1]. `key` is only valid during the call.
   */
  metric(key: MetricKey, kind: MetricKind, value: number, setValue: string | undefined, rate: number, timestamp: number): void;
  event(event: DogStatsdEvent): void;
  serviceCheck(check: DogStatsdServiceCheck): void;
}

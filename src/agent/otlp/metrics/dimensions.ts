// A series' identity as the mapping builds it (name, tags, host, origin): points add their
// attributes as tags, histogram parts add a suffix, buckets add bound tags.
import { createHash } from 'node:crypto';
import type { MetricDimensions } from '../consumer.js';

export class SeriesDimensions implements MetricDimensions {
  constructor(
    readonly name: string,
    readonly tags: readonly string[],
    readonly host: string,
    readonly originId: string,
  ) {}

  withTags(tags: readonly string[]): SeriesDimensions {
    return tags.length === 0 ? this : new SeriesDimensions(this.name, [...tags, ...this.tags], this.host, this.originId);
  }

  withSuffix(suffix: string): SeriesDimensions {
    return new SeriesDimensions(`${this.name}.${suffix}`, this.tags, this.host, this.originId);
  }

  /** 128-bit digest of the sorted dimensions: the cache keeps 24 characters per series, whatever its tags weigh. */
  cacheKey(): string {
    const parts = [...this.tags, `name:${this.name}`, `host:${this.host}`, `originID:${this.originId}`].sort();
    const hash = createHash('md5');
    for (const part of parts) hash.update(part).update('\0');
    return hash.digest('base64');
  }
}

// Applies every obfuscation to one span, after normalisation and before stats and writing.
import { scrubCardNumbers } from './credit-cards.js';
import { obfuscateUrl } from './obfuscate-http.js';
import { obfuscateMemcached, obfuscateRedis } from './obfuscate-redis.js';
import { obfuscateSql } from './obfuscate-sql.js';
import type { Span } from './span.js';

// Statements repeat across spans: obfuscate each distinct one once.
const sqlCache = new Map<string, string>();
const SQL_CACHE_LIMIT = 1024;

function cachedSql(query: string): string {
  let out = sqlCache.get(query);
  if (out === undefined) {
    out = obfuscateSql(query);
    if (sqlCache.size >= SQL_CACHE_LIMIT) sqlCache.clear();
    sqlCache.set(query, out);
  }
  return out;
}

export function obfuscateSpan(span: Span): void {
  const meta = span.meta;
  if (span.type === 'sql' || span.type === 'cassandra') {
    // The trace-agent obfuscates the resource and writes the result back as `sql.query`.
    const source = span.resource === span.name && meta['sql.query'] ? meta['sql.query'] : span.resource;
    const obfuscated = cachedSql(source);
    span.resource = obfuscated;
    meta['sql.query'] = obfuscated;
  } else if (meta['sql.query'] !== undefined) {
    meta['sql.query'] = cachedSql(meta['sql.query']);
  }
  if (span.type === 'redis' && meta['redis.raw_command'] !== undefined) meta['redis.raw_command'] = obfuscateRedis(meta['redis.raw_command']);
  if (span.type === 'memcached' && meta['memcached.command'] !== undefined) meta['memcached.command'] = obfuscateMemcached(meta['memcached.command']);
  if (meta['http.url'] !== undefined) meta['http.url'] = obfuscateUrl(meta['http.url']);
  scrubCardNumbers(meta);
}

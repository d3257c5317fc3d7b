import { describe, expect, it } from 'vitest';
import { isCardNumber, luhnValid, scrubCardNumbers } from '../../../src/agent/apm/credit-cards.js';
import { obfuscateUrl } from '../../../src/agent/apm/obfuscate-http.js';
import { obfuscateMemcached, obfuscateRedis } from '../../../src/agent/apm/obfuscate-redis.js';
import { NON_PARSABLE_SQL, obfuscateSql } from '../../../src/agent/apm/obfuscate-sql.js';
import { obfuscateSpan } from '../../../src/agent/apm/obfuscate.js';
import type { Span } from '../../../src/agent/apm/span.js';

describe('SQL', () => {
  it.each([
    ['SELECT * FROM users WHERE id = 42', 'SELECT * FROM users WHERE id = ?'],
    ["SELECT id, name FROM users WHERE id IN (1, 2, 3) AND name = 'O''Brien'", 'SELECT id, name FROM users WHERE id IN ( ? ) AND name = ?'],
    ["INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", 'INSERT INTO t ( a, b ) VALUES ( ? )'],
    ['UPDATE accounts SET balance = balance - 10.5 WHERE id = $1 -- trailing comment', 'UPDATE accounts SET balance = balance - ? WHERE id = ?'],
    ['SELECT count(*) FROM t WHERE a > -5 AND b = x - 1 /* hint */ LIMIT 10', 'SELECT count ( * ) FROM t WHERE a > ? AND b = x - ? LIMIT ?'],
    ["SELECT * FROM t WHERE f = TRUE AND d IS NULL AND x = :name AND y = @v AND z = %s AND w::text = 'a'", 'SELECT * FROM t WHERE f = ? AND d IS ? AND x = ? AND y = ? AND z = ? AND w::text = ?'],
    ['SELECT "Users".id FROM "Users" WHERE n = 0x1F OR m = 1e-5 OR k = .5', 'SELECT "Users".id FROM "Users" WHERE n = ? OR m = ? OR k = ?'],
    ['SELECT table1.col2 FROM schema.table1', 'SELECT table1.col2 FROM schema.table1'],
  ])('%s', (query, expected) => {
    expect(obfuscateSql(query)).toBe(expected);
  });

  it('refuses what it cannot tokenise instead of leaking it', () => {
    expect(obfuscateSql("SELECT * FROM t WHERE secret = 'unterminated")).toBe(NON_PARSABLE_SQL);
    expect(obfuscateSql('SELECT 1 /* open comment')).toBe(NON_PARSABLE_SQL);
  });
});

describe('Redis and Memcached', () => {
  it('keeps commands and keys, hides values and credentials', () => {
    expect(obfuscateRedis('SET user:1 {"name":"bob"}')).toBe('SET user:1 ?');
    expect(obfuscateRedis('AUTH my-password')).toBe('AUTH ?');
    expect(obfuscateRedis('HSET h f1 v1 f2 v2')).toBe('HSET h f1 ? f2 ?');
    expect(obfuscateRedis('MSET a 1 b 2')).toBe('MSET a ? b ?');
    expect(obfuscateRedis('SETEX k 60 secret')).toBe('SETEX k 60 ?');
    expect(obfuscateRedis('GET user:1\nINCR hits')).toBe('GET user:1\nINCR hits');
    expect(obfuscateRedis('')).toBe('');
    expect(obfuscateMemcached('set key 0 60 5 value')).toBe('set');
  });
});

describe('HTTP URLs', () => {
  it('drops query strings and user info', () => {
    expect(obfuscateUrl('http://shop.test/users/42?token=abc&x=1')).toBe('http://shop.test/users/42?');
    expect(obfuscateUrl('https://user:pa55@db.test:8080/a')).toBe('https://db.test:8080/a');
    expect(obfuscateUrl('/relative/path')).toBe('/relative/path');
  });
});

describe('credit cards', () => {
  it('recognises valid numbers by prefix, length and Luhn only', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(isCardNumber('4111 1111 1111 1111')).toBe(true);
    expect(isCardNumber('5500-0000-0000-0004')).toBe(true);
    expect(isCardNumber('378282246310005')).toBe(true); // Amex
    expect(isCardNumber('4111111111111112')).toBe(false); // Luhn fails
    expect(isCardNumber('1234567812345670')).toBe(false); // no issuer starts with 1
    expect(isCardNumber('41111')).toBe(false);
    expect(isCardNumber('4111a111111111111')).toBe(false);
  });

  it('scrubs tag values but leaves internal and allow-listed keys alone', () => {
    const meta = { card: '4111 1111 1111 1111', 'http.status_code': '200', _dd_id: '4111111111111111', order: '12345', 'runtime-id': '4111111111111111' };
    expect(scrubCardNumbers(meta)).toBe(1);
    expect(meta).toEqual({ card: '?', 'http.status_code': '200', _dd_id: '4111111111111111', order: '12345', 'runtime-id': '4111111111111111' });
  });
});

function sqlSpan(fields: Partial<Span>): Span {
  return { service: 's', name: 'pg.query', resource: '', traceId: 1n, spanId: 1n, parentId: 0n, start: 1n, duration: 1, error: 0, meta: {}, metrics: {}, type: 'sql', ...fields };
}

describe('obfuscateSpan', () => {
  it('obfuscates the SQL resource and writes it back as sql.query', () => {
    const s = sqlSpan({ resource: "SELECT * FROM t WHERE a = 'x'", meta: { 'sql.query': "SELECT * FROM t WHERE a = 'x'" } });
    obfuscateSpan(s);
    expect(s.resource).toBe('SELECT * FROM t WHERE a = ?');
    expect(s.meta['sql.query']).toBe('SELECT * FROM t WHERE a = ?');
  });

  it('obfuscates sql.query on spans of other types, and redis commands on redis spans', () => {
    const web = sqlSpan({ type: 'db', resource: 'query', meta: { 'sql.query': 'DELETE FROM t WHERE id = 7' } });
    obfuscateSpan(web);
    expect(web.resource).toBe('query');
    expect(web.meta['sql.query']).toBe('DELETE FROM t WHERE id = ?');
    const redis = sqlSpan({ type: 'redis', name: 'redis.command', resource: 'SET', meta: { 'redis.raw_command': 'SET k secret' } });
    obfuscateSpan(redis);
    expect(redis.meta['redis.raw_command']).toBe('SET k ?');
  });
});

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SLUG } from '../../../src/constants.js';
import { instancesFrom, postgresInstance, redisInstance } from '../../../src/runtime/integrations.js';
import { prepare } from '../../../src/runtime/prepare.js';
import { fakeSlug } from './slug-fixture.js';

const PG = 'postgres://u1:s3cr%40t@ec2-1.compute.amazonaws.com:5432/d1abc';
const PG2 = 'postgres://u2:pw2@host2:5433/db2';

describe('Postgres URLs', () => {
  it('parses Heroku URLs into instances', () => {
    expect(postgresInstance(PG, false)).toEqual({
      host: 'ec2-1.compute.amazonaws.com', username: 'u1', password: 's3cr@t', port: 5432, dbname: 'd1abc', ssl: 'require', disable_generic_tags: false,
    });
    expect(postgresInstance('postgresql://u:p@h/db', true)).toMatchObject({ port: 5432, dbm: true });
  });

  it.each(['', 'not a url', 'mysql://u:p@h:1/db', 'postgres://h:5432/db', 'postgres://u:p@h:5432/', 'postgres://u:p@h:99999/db'])(
    'refuses %j', (raw) => expect(postgresInstance(raw, false)).toBeUndefined(),
  );
});

describe('Redis URLs', () => {
  it.each([
    ['redis://:pw@h:6379', { host: 'h', port: 6379, password: 'pw' }],
    ['redis://user:pw@h:7000/2', { host: 'h', port: 7000, password: 'pw', username: 'user', db: 2 }],
    ['rediss://:pw@h:6380', { host: 'h', port: 6380, password: 'pw', ssl: true, ssl_cert_reqs: 0 }],
    ['redis://h', { host: 'h', port: 6379 }],
  ])('%s', (raw, expected) => expect(redisInstance(raw)).toEqual(expected));

  it.each(['http://h:1', 'redis://:pw@h:1/notanumber', 'garbage'])('refuses %j', (raw) => expect(redisInstance(raw)).toBeUndefined());
});

describe('instances from the URL variables', () => {
  it('several variables, unset and bad ones warned about by name without their value', () => {
    const env = { DATABASE_URL: PG, HEROKU_POSTGRESQL_RED_URL: PG2, BAD_URL: 'postgres://u:hunter2@', EMPTY_URL: '' };
    const result = instancesFrom('DD_ENABLE_HEROKU_POSTGRES', ['DATABASE_URL', 'HEROKU_POSTGRESQL_RED_URL', 'BAD_URL', 'EMPTY_URL', 'MISSING_URL'], env, (r) => postgresInstance(r, false), 'postgres://…');
    expect(result.instances.map((i) => i.host)).toEqual(['ec2-1.compute.amazonaws.com', 'host2']);
    expect(result.warnings).toHaveLength(3);
    expect(result.warnings[0]).toMatch(/BAD_URL is not a postgres/);
    expect(result.warnings.join('\n')).not.toContain('hunter2');
  });

  it('prepare writes postgres.d and redisdb.d, dbm on request, secrets only in the files', () => {
    const home = fakeSlug('builtin');
    const env = {
      HOME: home, DYNO: 'web.1', DD_ENABLE_HEROKU_POSTGRES: 'true', DD_POSTGRES_URL_VAR: 'DATABASE_URL, OTHER_DB', DD_ENABLE_DBM: 'true',
      DATABASE_URL: PG, OTHER_DB: PG2, DD_ENABLE_HEROKU_REDIS: 'true', REDIS_URL: 'rediss://:redispw@r:6380', DD_REDIS_URL_VAR: 'REDIS_URL,BROKEN',
      BROKEN: 'redis://:leak@x:1/zz',
    };
    const result = prepare(env, home, { machine: 'm' });
    const confD = join(home, SLUG.confDir, 'conf.d');
    const pg = parse(readFileSync(join(confD, 'postgres.d', 'conf.yaml'), 'utf8'));
    expect(pg.instances.map((i: { dbname: string; dbm: boolean }) => [i.dbname, i.dbm])).toEqual([['d1abc', true], ['db2', true]]);
    const redis = parse(readFileSync(join(confD, 'redisdb.d', 'conf.yaml'), 'utf8'));
    expect(redis.instances).toEqual([{ host: 'r', port: 6380, password: 'redispw', ssl: true, ssl_cert_reqs: 0 }]);
    const said = JSON.stringify(result);
    expect(said).toMatch(/BROKEN is not a redis/);
    for (const secret of ['s3cr', 'pw2', 'redispw', 'leak']) expect(said).not.toContain(secret);
  });

  it('only bad URLs: no file written at all', () => {
    const home = fakeSlug('builtin');
    const result = prepare({ HOME: home, DD_ENABLE_HEROKU_POSTGRES: 'true', DATABASE_URL: 'postgres://nope' }, home, { machine: 'm' });
    expect(existsSync(join(home, SLUG.confDir, 'conf.d', 'postgres.d', 'conf.yaml'))).toBe(false);
    expect(result.warnings.join('\n')).toMatch(/DATABASE_URL is not a postgres/);
  });
});

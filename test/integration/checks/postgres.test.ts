// The postgres check against real PostgreSQL 15 servers: one with scram passwords over plain TCP,
// one accepting only TLS (as Heroku Postgres, reached with `ssl: require`).
import { createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRITICAL, CheckConfigError, OK } from '../../../src/agent/checks/check.js';
import { definition } from '../../../src/agent/checks/postgres/index.js';
import { METRICS, SERVICE_CHECKS } from '../../../src/agent/checks/postgres/metadata.js';
import { createLogger } from '../../../src/log.js';
import { runCheck, type CheckResults } from '../../helpers/check-harness.js';
import { freePort, startPostgres, until, type PostgresServer } from '../../helpers/postgres-server.js';

const DD_PASSWORD = 'dd-Secret-pw-4412';
const WRONG_PASSWORD = 'not-the-Secret-9981';

/** The monitoring user (pg_monitor, no superuser) and an app database with two schemas. */
async function prepare(server: PostgresServer): Promise<void> {
  const admin = await server.admin();
  await admin.query(`CREATE ROLE datadog LOGIN PASSWORD '${DD_PASSWORD}'`);
  await admin.query('GRANT pg_monitor TO datadog');
  await admin.query('CREATE DATABASE appdb');
  await admin.end();
  const app = await server.admin('appdb');
  await app.query('CREATE TABLE items (id int PRIMARY KEY, v int)');
  await app.query('CREATE TABLE pairs (id int PRIMARY KEY, v int)');
  await app.query('INSERT INTO pairs VALUES (1, 0), (2, 0)');
  await app.query('CREATE SCHEMA billing');
  await app.query('CREATE TABLE billing.invoices (id int)');
  await app.end();
}

async function scalar(client: pg.Client, sql: string): Promise<number> {
  const row = (await client.query(sql)).rows[0] as Record<string, unknown>;
  return Number(Object.values(row)[0]);
}

async function appdbBackends(admin: pg.Client): Promise<number> {
  return scalar(admin, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'appdb'");
}

interface DatabaseStats {
  tup_inserted: number;
  tup_updated: number;
  tup_deleted: number;
  deadlocks: number;
  temp_files: number;
  temp_bytes: number;
}

async function appdbStats(admin: pg.Client): Promise<DatabaseStats> {
  const row = (await admin.query("SELECT tup_inserted, tup_updated, tup_deleted, deadlocks, temp_files, temp_bytes FROM pg_stat_database WHERE datname = 'appdb'")).rows[0] as Record<string, string>;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as unknown as DatabaseStats;
}

/** Two sessions updating two rows in opposite order: the server aborts one of them. */
async function deadlock(server: PostgresServer): Promise<void> {
  const [a, b] = [await server.admin('appdb'), await server.admin('appdb')];
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('UPDATE pairs SET v = v + 1 WHERE id = 1');
  await b.query('UPDATE pairs SET v = v + 1 WHERE id = 2');
  const outcomes = await Promise.allSettled([a.query('UPDATE pairs SET v = v + 1 WHERE id = 2'), b.query('UPDATE pairs SET v = v + 1 WHERE id = 1')]);
  expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
  await a.query(outcomes[0]!.status === 'rejected' ? 'ROLLBACK' : 'COMMIT');
  await b.query(outcomes[1]!.status === 'rejected' ? 'ROLLBACK' : 'COMMIT');
  await a.end();
  await b.end();
}

function runTimes(results: CheckResults): [number, number] {
  const times = results.series.map((s) => s.points[0]![0]);
  return [Math.min(...times), Math.max(...times)];
}

function assertNoSecrets(results: CheckResults, secret: string): void {
  for (const text of [...results.errors.filter((e) => e !== undefined), ...results.logs, ...results.serviceChecks.map((c) => c.message)]) expect(text).not.toContain(secret);
}

describe('postgres check, scram passwords over TCP', () => {
  let server: PostgresServer;
  let admin: pg.Client;
  let base: Record<string, unknown>;

  beforeAll(async () => {
    server = await startPostgres({ hba: ['host all all 127.0.0.1/32 scram-sha-256'] });
    await prepare(server);
    admin = await server.admin();
    base = { host: '127.0.0.1', port: server.port, username: 'datadog', password: DD_PASSWORD, dbname: 'appdb' };
  });

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await server?.stop();
  });

  it('submits the official metrics with the values the server reports', async () => {
    // A held lock on items, and one more session in appdb besides the check's.
    const holder = await server.admin('appdb');
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE items IN ACCESS SHARE MODE');
    await until(async () => (await appdbBackends(admin)) === 1, 10_000, 'setup sessions to leave appdb');
    const before = await appdbStats(admin);
    let expected: Record<string, number> = {};
    let after: DatabaseStats = before;
    const systemIdentifierVisible = (await admin.query("SELECT has_function_privilege('datadog', 'pg_control_system()', 'EXECUTE') AS ok")).rows[0].ok as boolean;
    const systemIdentifier = String((await admin.query('SELECT system_identifier FROM pg_control_system()')).rows[0].system_identifier);
    const version = String((await admin.query('SHOW server_version')).rows[0].server_version);

    const results = await runCheck(definition, { ...base, tags: ['team:db'], relations: ['items'] }, {
      runs: 2,
      between: async () => {
        const writer = await server.admin('appdb');
        await writer.query('INSERT INTO items SELECT g, 0 FROM generate_series(1, 500) g');
        await writer.query('UPDATE items SET v = 1 WHERE id <= 100');
        await writer.query('DELETE FROM items WHERE id > 450');
        // An external sort bigger than work_mem writes a temp file.
        await writer.query(`SET work_mem = '64kB'`);
        await writer.query('SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC LIMIT 1');
        await writer.end();
        await deadlock(server);
        // A backend leaves pg_stat_activity after flushing its statistics: then the counters are final.
        await until(async () => (await appdbBackends(admin)) === 2, 10_000, 'writers to leave appdb (holder + check remain)');
        after = await appdbStats(admin);
        expected = {
          connections: await appdbBackends(admin),
          maxConnections: await scalar(admin, 'SHOW max_connections'),
          usage: await scalar(admin, "SELECT sum(numbackends)::float / current_setting('max_connections')::float FROM pg_stat_database"),
          size: await scalar(admin, "SELECT pg_database_size('appdb')"),
          wraparound: await scalar(admin, "SELECT 2^31 - age(datfrozenxid) FROM pg_database WHERE datname = 'appdb'"),
          databases: await scalar(admin, "SELECT count(*) FROM pg_database WHERE datname NOT IN ('template0', 'template1')"),
        };
      },
    });
    await holder.query('COMMIT');
    await holder.end();

    expect(results.errors).toEqual([undefined, undefined]);
    const [first, last] = runTimes(results);
    const seconds = last - first;
    const common = ['server:127.0.0.1', `port:${server.port}`, 'team:db', `postgresql_version:${version}`, ...(systemIdentifierVisible ? [`system_identifier:${systemIdentifier}`] : [])];
    const appdb = [...common, 'db:appdb'];
    const perSecond = (name: string): number => results.value(name, appdb) * seconds;

    // Counters only the test moved: the rate times the seconds between runs is the server's increase.
    expect(perSecond('postgresql.rows_inserted')).toBeCloseTo(after.tup_inserted - before.tup_inserted, 6);
    expect(after.tup_inserted - before.tup_inserted).toBe(500);
    expect(perSecond('postgresql.rows_updated')).toBeCloseTo(after.tup_updated - before.tup_updated, 6);
    expect(perSecond('postgresql.rows_deleted')).toBeCloseTo(50, 6);
    expect(perSecond('postgresql.deadlocks')).toBeCloseTo(1, 6);
    expect(perSecond('postgresql.temp_files')).toBeCloseTo(after.temp_files - before.temp_files, 6);
    expect(after.temp_files - before.temp_files).toBeGreaterThan(0);
    expect(perSecond('postgresql.temp_bytes')).toBeCloseTo(after.temp_bytes - before.temp_bytes, 6);
    // The check's own queries commit too: at least the writer's five statements and the deadlock survivor.
    expect(perSecond('postgresql.commits')).toBeGreaterThanOrEqual(6);
    expect(perSecond('postgresql.rollbacks')).toBeGreaterThanOrEqual(1);
    for (const name of ['postgresql.rows_returned', 'postgresql.rows_fetched', 'postgresql.buffer_hit', 'postgresql.disk_read']) {
      expect(results.value(name, appdb)).toBeGreaterThanOrEqual(0);
    }
    for (const name of ['postgresql.commits', 'postgresql.rows_inserted', 'postgresql.deadlocks', 'postgresql.temp_bytes']) {
      results.assertMetric(name, { tags: appdb, type: 'gauge', count: 1 });
    }
    results.assertMetric('postgresql.deadlocks.count', { tags: appdb, type: 'count', value: 1, count: 1 });

    // Gauges read while nothing moved between the test's reading and run 2.
    results.assertMetric('postgresql.connections', { tags: appdb, value: expected.connections, type: 'gauge' });
    expect(expected.connections).toBe(2);
    results.assertMetric('postgresql.connections', { tags: [...common, 'db:postgres'] });
    expect(results.value('postgresql.database_size', appdb)).toBe(expected.size);
    expect(results.value('postgresql.before_xid_wraparound', appdb)).toBe(expected.wraparound);
    expect(results.value('postgresql.max_connections', common)).toBe(expected.maxConnections);
    expect(expected.maxConnections).toBe(30);
    expect(results.value('postgresql.percent_usage_connections', common)).toBeCloseTo(expected.usage!, 9);
    expect(results.value('postgresql.db.count', common)).toBe(expected.databases);
    expect(results.value('postgresql.table.count', [...appdb, 'schema:public'])).toBe(2);
    expect(results.value('postgresql.table.count', [...appdb, 'schema:billing'])).toBe(1);
    expect(results.value('postgresql.locks', [...appdb, 'lock_mode:AccessShareLock', 'lock_type:relation', 'schema:public', 'table:items'])).toBe(1);

    // Instance-wide metrics carry no db:, per-database ones exactly one; template databases are skipped.
    for (const serie of results.series) {
      const dbTags = serie.tags.filter((t) => t.startsWith('db:'));
      const instanceWide = ['postgresql.max_connections', 'postgresql.percent_usage_connections', 'postgresql.db.count'].includes(serie.metric);
      expect(dbTags, serie.metric).toHaveLength(instanceWide ? 0 : 1);
      expect(dbTags.some((t) => t.startsWith('db:template'))).toBe(false);
      expect(serie.host).toBe('check-host');
    }

    results.assertServiceCheck(SERVICE_CHECKS[0]!, { status: OK, tags: ['server:127.0.0.1', `port:${server.port}`, 'db:appdb', 'team:db', `postgresql_version:${version}`], count: 2 });
    results.assertMetricsUsingMetadata(METRICS);
    results.assertMetadataCovered(METRICS, []);
    results.assertAllMetricsCovered();
  });

  it('reconnects on the next run after the server ends its session', async () => {
    const results = await runCheck(definition, base, {
      runs: 3,
      between: async (run) => {
        if (run !== 1) return;
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'datadog-agent'");
        await until(async () => (await scalar(admin, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'datadog-agent'")) === 0, 10_000, 'the check session to end');
      },
    });
    expect(results.errors[2]).toBeUndefined();
    expect(results.serviceChecks.at(-1)?.status).toBe(OK);
    results.assertMetric('postgresql.commits', { tags: ['db:appdb'] });
  });

  it('reports a wrong password as CRITICAL without the password', async () => {
    const results = await runCheck(definition, { ...base, password: WRONG_PASSWORD }, { runs: 1 });
    expect(results.errors[0]).toMatch(/password authentication failed for user "datadog"/);
    results.assertServiceCheck('postgres.can_connect', { status: CRITICAL, tags: ['server:127.0.0.1', `port:${server.port}`, 'db:appdb'], message: /password authentication failed/, count: 1 });
    expect(results.series).toEqual([]);
    assertNoSecrets(results, WRONG_PASSWORD);
  });

  it('skips the metrics of a query the server refuses, with one warning, and stays OK', async () => {
    // A named group is valid in JavaScript but not in PostgreSQL's regular expressions.
    const results = await runCheck(definition, { ...base, relations: [{ relation_regex: '(?<t>items)' }] }, { runs: 2 });
    expect(results.errors).toEqual([undefined, undefined]);
    expect(results.find('postgresql.locks')).toEqual([]);
    results.assertMetric('postgresql.commits', { tags: ['db:appdb'] });
    expect(results.logs.filter((l) => l.includes('WARN') && l.includes('query locks failed'))).toHaveLength(1);
    results.assertServiceCheck('postgres.can_connect', { status: OK, count: 2 });
  });

  it('falls back to a plain connection with ssl: prefer when the server has no TLS', async () => {
    const results = await runCheck(definition, { ...base, ssl: 'prefer' }, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    results.assertServiceCheck('postgres.can_connect', { status: OK });
  });

  it('skips the database size when collect_database_size_metrics is false, and only dbname with dbstrict', async () => {
    const results = await runCheck(definition, { ...base, collect_database_size_metrics: false, dbstrict: true }, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
    expect(results.find('postgresql.database_size')).toEqual([]);
    expect(new Set(results.find('postgresql.connections').flatMap((s) => s.tags.filter((t) => t.startsWith('db:'))))).toEqual(new Set(['db:appdb']));
    expect(results.value('postgresql.db.count')).toBe(1);
  });
});

describe('postgres check, TLS-only server', () => {
  let server: PostgresServer;
  let admin: pg.Client;
  let base: Record<string, unknown>;

  beforeAll(async () => {
    server = await startPostgres({ tls: true, hba: ['hostssl all all 127.0.0.1/32 scram-sha-256'] });
    await prepare(server);
    admin = await server.admin();
    // The shape src/runtime/integrations.ts writes from DATABASE_URL.
    base = { host: '127.0.0.1', username: 'datadog', password: DD_PASSWORD, port: server.port, dbname: 'appdb', ssl: 'require', disable_generic_tags: false };
  });

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await server?.stop();
  });

  it('connects over TLS without verification with ssl: require (the DATABASE_URL instance)', async () => {
    let encrypted: unknown;
    const results = await runCheck(definition, { ...base, dbm: true }, {
      runs: 2,
      between: async () => {
        encrypted = (await admin.query("SELECT bool_and(s.ssl) AS ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'datadog-agent'")).rows[0].ssl;
      },
    });
    expect(results.errors).toEqual([undefined, undefined]);
    expect(encrypted).toBe(true);
    results.assertServiceCheck('postgres.can_connect', { status: OK, tags: ['server:127.0.0.1', `port:${server.port}`, 'db:appdb'], count: 2 });
    results.assertMetric('postgresql.commits', { tags: ['db:appdb', 'server:127.0.0.1'], type: 'gauge' });
    expect(results.logs.filter((l) => l.includes('dbm is ignored'))).toHaveLength(1);
    assertNoSecrets(results, DD_PASSWORD);
  });

  it('is refused with ssl: disable by a hostssl-only pg_hba', async () => {
    const results = await runCheck(definition, { ...base, ssl: 'disable' }, { runs: 1 });
    expect(results.errors[0]).toMatch(/no pg_hba\.conf entry .*no encryption/);
    results.assertServiceCheck('postgres.can_connect', { status: CRITICAL, tags: ['db:appdb'], count: 1 });
  });

  it('retries with TLS under ssl: allow', async () => {
    const results = await runCheck(definition, { ...base, ssl: 'allow' }, { runs: 1 });
    expect(results.errors).toEqual([undefined]);
  });

  it('verifies the chain with verify-ca / verify-full and ssl_root_cert, and refuses an unknown CA', async () => {
    const ca = await runCheck(definition, { ...base, ssl: 'verify-ca', ssl_root_cert: server.certFile }, { runs: 1 });
    expect(ca.errors).toEqual([undefined]);
    const full = await runCheck(definition, { ...base, ssl: 'verify-full', ssl_root_cert: server.certFile }, { runs: 1 });
    expect(full.errors).toEqual([undefined]);
    const untrusted = await runCheck(definition, { ...base, ssl: 'verify-full' }, { runs: 1 });
    expect(untrusted.errors[0]).toMatch(/self[- ]signed certificate/);
    untrusted.assertServiceCheck('postgres.can_connect', { status: CRITICAL });
  });
});

describe('postgres check without a server', () => {
  it('reports an unreachable server as CRITICAL and a run error', async () => {
    const port = await freePort();
    const results = await runCheck(definition, { host: '127.0.0.1', port, username: 'datadog', password: DD_PASSWORD, connect_timeout: 5 }, { runs: 1 });
    expect(results.errors[0]).toMatch(/ECONNREFUSED/);
    results.assertServiceCheck('postgres.can_connect', { status: CRITICAL, tags: ['server:127.0.0.1', `port:${port}`, 'db:postgres'], count: 1 });
    assertNoSecrets(results, DD_PASSWORD);
  });

  it('closes its connection when a run outlives its time, and survives a server answering garbage', async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.on('close', () => closed++);
      socket.on('error', () => undefined);
      // Reading is what lets the server see the check's FIN.
      socket.resume();
      if (sockets.length > 1) socket.end(Buffer.from('Zgarbage\u0000\u0000\u0000\u0001 not the postgres protocol'));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const instance = { host: '127.0.0.1', port, username: 'datadog', password: DD_PASSWORD, ssl: 'disable', connect_timeout: 30 };
      const hung = await runCheck(definition, instance, { runs: 1, timeoutMs: 500 });
      expect(hung.errors[0]).toMatch(/^timeout/);
      await until(async () => closed >= 1, 10_000, 'the check to close its socket after the timeout');
      const garbage = await runCheck(definition, instance, { runs: 1 });
      expect(garbage.errors[0]).toBeDefined();
      garbage.assertServiceCheck('postgres.can_connect', { status: CRITICAL, count: 1 });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('rejects bad settings with a CheckConfigError naming the setting', () => {
    const logger = createLogger('CORE', 'off');
    const make = (instance: Record<string, unknown>) => () => definition.create({ instance, initConfig: {}, logger });
    expect(make({ ssl: 'sometimes' })).toThrow(CheckConfigError);
    expect(make({ ssl: 'sometimes' })).toThrow(/^ssl must be one of disable, allow, prefer, require, verify-ca, verify-full/);
    expect(make({ port: 'fivefour' })).toThrow(/^port must be/);
    expect(make({ port: 70000 })).toThrow(/^port must be/);
    expect(make({ query_timeout: -1 })).toThrow(/^query_timeout/);
    expect(make({ relations: [{ schemas: ['public'] }] })).toThrow(/^relations\[0\] must have exactly one of relation_name and relation_regex/);
    expect(make({ relations: 'items' })).toThrow(/^relations must be a list/);
    expect(make({ dbm: 'maybe' })).toThrow(/^dbm must be true or false/);
    expect(make({ ssl: true })).not.toThrow();
  });
});

// The statistics queries of the check and how each column becomes a metric, after the official
// check's scopes (postgres/datadog_checks/postgres/util.py, metrics_cache.py, relationsmanager.py).
import type { Sender } from '../check.js';
import type { PostgresSettings, RelationFilter } from './config.js';

export type Row = Readonly<Record<string, unknown>>;
/** Runs one statistics query: its rows, or undefined when the server refused it (already logged). */
export type RunQuery = (name: string, sql: string, values?: unknown[]) => Promise<readonly Row[] | undefined>;
type Submit = 'gauge' | 'rate' | 'monotonic_count';

/** Caps on the rows kept from one query, whatever the server holds. */
export const MAX_DATABASES = 200;
export const MAX_SCHEMAS = 200;
/** The official check's default max_relations. */
export const MAX_LOCK_ROWS = 300;

/** A counter, size or count as pg returns it (int8 and numeric come as strings); undefined when not a finite number. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}

/** pg_stat_database columns and their metrics (COMMON_METRICS, NEWER_92_METRICS, DATABASE_SIZE_METRICS). */
const DATABASE_COLUMNS: readonly (readonly [column: string, metric: string, submit: Submit])[] = [
  ['numbackends', 'postgresql.connections', 'gauge'],
  ['xact_commit', 'postgresql.commits', 'rate'],
  ['xact_rollback', 'postgresql.rollbacks', 'rate'],
  ['blks_read', 'postgresql.disk_read', 'rate'],
  ['blks_hit', 'postgresql.buffer_hit', 'rate'],
  ['tup_returned', 'postgresql.rows_returned', 'rate'],
  ['tup_fetched', 'postgresql.rows_fetched', 'rate'],
  ['tup_inserted', 'postgresql.rows_inserted', 'rate'],
  ['tup_updated', 'postgresql.rows_updated', 'rate'],
  ['tup_deleted', 'postgresql.rows_deleted', 'rate'],
  ['wraparound', 'postgresql.before_xid_wraparound', 'gauge'],
  ['deadlocks', 'postgresql.deadlocks', 'rate'],
  ['deadlocks', 'postgresql.deadlocks.count', 'monotonic_count'],
  ['temp_bytes', 'postgresql.temp_bytes', 'rate'],
  ['temp_files', 'postgresql.temp_files', 'rate'],
  ['database_size', 'postgresql.database_size', 'gauge'],
];

// The size only of databases the user may connect to: pg_database_size refuses the others and would fail the whole query.
const DATABASE_STATS_SQL = `
SELECT s.datname, s.numbackends, s.xact_commit, s.xact_rollback, s.blks_read, s.blks_hit,
       s.tup_returned, s.tup_fetched, s.tup_inserted, s.tup_updated, s.tup_deleted,
       2^31 - age(d.datfrozenxid) AS wraparound, s.deadlocks, s.temp_bytes, s.temp_files,
       CASE WHEN $3::boolean AND has_database_privilege(d.oid, 'CONNECT') THEN pg_database_size(d.oid) END AS database_size
  FROM pg_stat_database s
  JOIN pg_database d ON d.datname = s.datname
 WHERE NOT (s.datname ILIKE ANY ($1::text[]))
   AND ($2::text IS NULL OR s.datname = $2::text)
 ORDER BY s.datname
 LIMIT ${MAX_DATABASES}`;

const CONNECTIONS_SQL = `
WITH max_con AS (SELECT setting::float AS setting FROM pg_settings WHERE name = 'max_connections')
SELECT max(max_con.setting) AS max_connections, sum(s.numbackends) / max(max_con.setting) AS pct_connections
  FROM pg_stat_database s, max_con`;

// Ordinary and partitioned tables per schema of the connected database (COUNT_METRICS).
const TABLE_COUNT_SQL = `
SELECT n.nspname AS schemaname, count(*) AS tables
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 GROUP BY n.nspname
 ORDER BY n.nspname
 LIMIT ${MAX_SCHEMAS}`;

export const VERSION_SQL = 'SHOW server_version';
export const SYSTEM_IDENTIFIER_SQL = 'SELECT system_identifier::text AS system_identifier FROM pg_control_system()';

/** The per-database metrics, tagged `db:<datname>`, and how many databases they cover. */
export async function collectDatabaseStats(run: RunQuery, settings: PostgresSettings, submit: MetricSink, tags: readonly string[]): Promise<void> {
  const rows = await run('pg_stat_database', DATABASE_STATS_SQL, [settings.ignoreDatabases, settings.dbstrict ? settings.dbname : null, settings.collectDatabaseSize]);
  if (rows === undefined) return;
  let databases = 0;
  for (const row of rows.slice(0, MAX_DATABASES)) {
    if (typeof row.datname !== 'string') continue;
    databases++;
    const dbTags = [...tags, `db:${row.datname}`];
    for (const [column, metric, kind] of DATABASE_COLUMNS) {
      const value = numeric(row[column]);
      if (value !== undefined) submit(kind, metric, value, dbTags);
    }
  }
  submit('gauge', 'postgresql.db.count', databases, tags);
}

export async function collectConnections(run: RunQuery, submit: MetricSink, tags: readonly string[]): Promise<void> {
  const row = (await run('connections', CONNECTIONS_SQL))?.[0];
  if (row === undefined) return;
  const max = numeric(row.max_connections);
  const used = numeric(row.pct_connections);
  if (max !== undefined) submit('gauge', 'postgresql.max_connections', max, tags);
  if (used !== undefined) submit('gauge', 'postgresql.percent_usage_connections', used, tags);
}

/** `tags` carry the instance's `db:`, as the official check tags this per-database count. */
export async function collectTableCounts(run: RunQuery, submit: MetricSink, tags: readonly string[]): Promise<void> {
  const rows = await run('table_count', TABLE_COUNT_SQL);
  for (const row of (rows ?? []).slice(0, MAX_SCHEMAS)) {
    const count = numeric(row.tables);
    if (typeof row.schemaname === 'string' && count !== undefined) submit('gauge', 'postgresql.table.count', count, [...tags, `schema:${row.schemaname}`]);
  }
}

/** pg_locks of the configured relations of the connected database, per mode, type and table. */
export async function collectLocks(run: RunQuery, relations: readonly RelationFilter[], submit: MetricSink, tags: readonly string[]): Promise<void> {
  if (relations.length === 0) return;
  const { sql, values } = locksQuery(relations);
  const rows = await run('locks', sql, values);
  for (const row of (rows ?? []).slice(0, MAX_LOCK_ROWS)) {
    const count = numeric(row.lock_count);
    if (count === undefined || typeof row.relname !== 'string') continue;
    const own = [`lock_mode:${String(row.mode)}`, `lock_type:${String(row.locktype)}`, `schema:${String(row.nspname)}`, `table:${row.relname}`];
    submit('gauge', 'postgresql.locks', count, [...tags, ...own]);
  }
}

/** The filter of `relations` as bound parameters, never as SQL text built from the configuration. */
export function locksQuery(relations: readonly RelationFilter[]): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const bind = (value: unknown, cast: string): string => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const filters = relations.map((r) => {
    const parts = [r.name !== undefined ? `c.relname = ${bind(r.name, 'text')}` : `c.relname ~ ${bind(r.regex, 'text')}`];
    if (r.schemas.length > 0) parts.push(`n.nspname = ANY (${bind(r.schemas, 'text[]')})`);
    if (r.relkinds.length > 0) parts.push(`c.relkind::text = ANY (${bind(r.relkinds, 'text[]')})`);
    return `(${parts.join(' AND ')})`;
  });
  const sql = `
SELECT l.mode, l.locktype, n.nspname, c.relname, count(*) AS lock_count
  FROM pg_locks l
  JOIN pg_class c ON c.oid = l.relation
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND l.mode IS NOT NULL
   AND c.relname NOT LIKE 'pg\\_%'
   AND (${filters.join(' OR ')})
 GROUP BY l.mode, l.locktype, n.nspname, c.relname
 ORDER BY c.relname, l.mode
 LIMIT ${MAX_LOCK_ROWS}`;
  return { sql, values };
}

/** Where collected values go: the sender's method of that kind, with the instance's hostname. */
export type MetricSink = (kind: Submit, name: string, value: number, tags: readonly string[]) => void;

export function metricSink(sender: Sender, hostname: string | undefined): MetricSink {
  return (kind, name, value, tags) => {
    if (kind === 'gauge') sender.gauge(name, value, tags, hostname);
    else if (kind === 'rate') sender.rate(name, value, tags, hostname);
    else sender.monotonicCount(name, value, tags, hostname);
  };
}

// What the postgres check may submit, as integrations-core's postgres/metadata.csv lists it: rates
// are listed (and sent) as gauges; a unit with a per-unit is written `unit/per_unit`.
import type { MetricMetadata } from '../check.js';

export const METRICS: readonly MetricMetadata[] = [
  { name: 'postgresql.connections', type: 'gauge', unit: 'connection' },
  { name: 'postgresql.commits', type: 'gauge', unit: 'transaction/second' },
  { name: 'postgresql.rollbacks', type: 'gauge', unit: 'transaction/second' },
  { name: 'postgresql.disk_read', type: 'gauge', unit: 'block/second' },
  { name: 'postgresql.buffer_hit', type: 'gauge', unit: 'hit/second' },
  { name: 'postgresql.rows_returned', type: 'gauge', unit: 'row/second' },
  { name: 'postgresql.rows_fetched', type: 'gauge', unit: 'row/second' },
  { name: 'postgresql.rows_inserted', type: 'gauge', unit: 'row/second' },
  { name: 'postgresql.rows_updated', type: 'gauge', unit: 'row/second' },
  { name: 'postgresql.rows_deleted', type: 'gauge', unit: 'row/second' },
  { name: 'postgresql.database_size', type: 'gauge', unit: 'byte' },
  { name: 'postgresql.db.count', type: 'gauge', unit: 'item' },
  { name: 'postgresql.deadlocks', type: 'gauge', unit: 'lock/second' },
  { name: 'postgresql.deadlocks.count', type: 'count', unit: 'lock' },
  { name: 'postgresql.temp_bytes', type: 'gauge', unit: 'byte/second' },
  { name: 'postgresql.temp_files', type: 'gauge', unit: 'file/second' },
  { name: 'postgresql.before_xid_wraparound', type: 'gauge', unit: 'transaction' },
  { name: 'postgresql.max_connections', type: 'gauge', unit: 'connection' },
  { name: 'postgresql.percent_usage_connections', type: 'gauge', unit: 'fraction' },
  { name: 'postgresql.table.count', type: 'gauge', unit: 'table' },
  { name: 'postgresql.locks', type: 'gauge', unit: 'lock' },
];

/** As postgres/assets/service_checks.json names it. */
export const CAN_CONNECT = 'postgres.can_connect';
export const SERVICE_CHECKS: readonly string[] = [CAN_CONNECT];

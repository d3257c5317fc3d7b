// The settings of one postgres instance, with the official check's names and defaults
// (postgres/datadog_checks/postgres/data/conf.yaml.example), validated once when the instance is made.
import { CheckConfigError, booleanSetting, listSetting, numberSetting, stringSetting } from '../check.js';

/** libpq's sslmode values, which the official `ssl` setting takes. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The official default list; `postgres` joins it when `collect_default_database` is false. */
export const DEFAULT_IGNORED_DATABASES: readonly string[] = ['template0', 'template1', 'rdsadmin', 'azure_maintenance', 'cloudsqladmin', 'alloydbadmin', 'alloydbmetadata'];

/** One `relations` entry: a table by name or by regex, in some schemas (all when empty), of some relkinds. */
export interface RelationFilter {
  readonly name?: string;
  readonly regex?: string;
  readonly schemas: readonly string[];
  readonly relkinds: readonly string[];
}

export interface PostgresSettings {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string | undefined;
  readonly dbname: string;
  readonly ssl: SslMode;
  readonly sslRootCert: string | undefined;
  readonly sslCert: string | undefined;
  readonly sslKey: string | undefined;
  readonly sslPassword: string | undefined;
  readonly applicationName: string;
  readonly connectTimeoutMs: number;
  /** statement_timeout of every query; 0 turns it off. */
  readonly queryTimeoutMs: number;
  readonly disableGenericTags: boolean;
  readonly collectDatabaseSize: boolean;
  readonly collectCountMetrics: boolean;
  /** ILIKE patterns of databases whose pg_stat_database rows are skipped. */
  readonly ignoreDatabases: readonly string[];
  readonly dbstrict: boolean;
  readonly relations: readonly RelationFilter[];
  readonly reportedHostname: string | undefined;
  readonly dbm: boolean;
}

const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
const DEFAULT_CONNECT_TIMEOUT_S = 10;

export function postgresSettings(instance: Readonly<Record<string, unknown>>): PostgresSettings {
  const host = stringSetting(instance, 'host', 'localhost')!;
  if (host === '') throw new CheckConfigError('host must be a host name, an IP address or a socket directory, not empty');
  const port = numberSetting(instance, 'port', 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CheckConfigError(`port must be a TCP port (1-65535), not ${JSON.stringify(instance.port)}`);
  const dbname = stringSetting(instance, 'dbname', 'postgres')!;
  if (dbname === '') throw new CheckConfigError('dbname must name a database, not be empty');
  const queryTimeoutMs = numberSetting(instance, 'query_timeout', DEFAULT_QUERY_TIMEOUT_MS);
  if (queryTimeoutMs < 0) throw new CheckConfigError(`query_timeout must be milliseconds (0 turns it off), not ${queryTimeoutMs}`);
  const connectTimeout = numberSetting(instance, 'connect_timeout', DEFAULT_CONNECT_TIMEOUT_S);
  if (connectTimeout <= 0) throw new CheckConfigError(`connect_timeout must be seconds above 0, not ${connectTimeout}`);
  const ignored = instance.ignore_databases === undefined || instance.ignore_databases === null ? [...DEFAULT_IGNORED_DATABASES] : listSetting(instance, 'ignore_databases');
  if (!booleanSetting(instance, 'collect_default_database', true) && !ignored.includes('postgres')) ignored.push('postgres');
  return {
    host,
    port,
    // `user` is the official check's deprecated spelling.
    username: stringSetting(instance, 'username', stringSetting(instance, 'user', 'datadog'))!,
    password: stringSetting(instance, 'password'),
    dbname,
    ssl: sslMode(instance.ssl),
    sslRootCert: stringSetting(instance, 'ssl_root_cert'),
    sslCert: stringSetting(instance, 'ssl_cert'),
    sslKey: stringSetting(instance, 'ssl_key'),
    sslPassword: stringSetting(instance, 'ssl_password'),
    applicationName: stringSetting(instance, 'application_name', 'datadog-agent')!,
    connectTimeoutMs: Math.round(connectTimeout * 1000),
    queryTimeoutMs: Math.round(queryTimeoutMs),
    disableGenericTags: booleanSetting(instance, 'disable_generic_tags', false),
    collectDatabaseSize: booleanSetting(instance, 'collect_database_size_metrics', true),
    collectCountMetrics: booleanSetting(instance, 'collect_count_metrics', true),
    ignoreDatabases: ignored,
    dbstrict: booleanSetting(instance, 'dbstrict', false),
    relations: relationFilters(instance.relations),
    reportedHostname: stringSetting(instance, 'reported_hostname') || undefined,
    dbm: booleanSetting(instance, 'dbm', booleanSetting(instance, 'deep_database_monitoring', false)),
  };
}

/** The official modes; YAML booleans as older versions of the check took them (true: require, false: disable). */
function sslMode(value: unknown): SslMode {
  if (value === undefined || value === null || value === '') return 'allow';
  if (value === true || (typeof value === 'string' && value.toLowerCase() === 'true')) return 'require';
  if (value === false || (typeof value === 'string' && value.toLowerCase() === 'false')) return 'disable';
  if (typeof value === 'string' && (SSL_MODES as readonly string[]).includes(value.toLowerCase())) return value.toLowerCase() as SslMode;
  throw new CheckConfigError(`ssl must be one of ${SSL_MODES.join(', ')}, not ${JSON.stringify(value)} (Heroku Postgres needs require)`);
}

function relationFilters(value: unknown): RelationFilter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new CheckConfigError('relations must be a list of table names or of mappings with relation_name or relation_regex');
  return value.map((entry, i): RelationFilter => {
    if (typeof entry === 'string' && entry !== '') return { name: entry, schemas: [], relkinds: [] };
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new CheckConfigError(`relations[${i}] must be a table name or a mapping with relation_name or relation_regex`);
    const item = entry as Record<string, unknown>;
    const name = stringSetting(item, 'relation_name');
    const regex = stringSetting(item, 'relation_regex');
    if ((name === undefined) === (regex === undefined)) throw new CheckConfigError(`relations[${i}] must have exactly one of relation_name and relation_regex`);
    if (regex !== undefined) {
      try {
        new RegExp(regex);
      } catch {
        throw new CheckConfigError(`relations[${i}].relation_regex is not a regular expression: ${JSON.stringify(regex)}`);
      }
    }
    const listOf = (key: string): string[] => {
      try {
        return listSetting(item, key);
      } catch {
        throw new CheckConfigError(`relations[${i}].${key} must be a list of strings`);
      }
    };
    return { ...(name !== undefined ? { name } : { regex }), schemas: listOf('schemas'), relkinds: listOf('relkind') };
  });
}

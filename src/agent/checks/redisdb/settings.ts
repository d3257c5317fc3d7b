// The settings of one redisdb instance, as the official check reads them from conf.d (and as the
// runtime writes them from REDIS_URL: host, port, password, username, db, ssl, ssl_cert_reqs).
import { readFileSync } from 'node:fs';
import { CheckConfigError, booleanSetting, numberSetting, stringSetting } from '../check.js';

export const DEFAULT_PORT = 6379;
/** redis-py's default socket_timeout in the official check, in seconds. */
export const DEFAULT_SOCKET_TIMEOUT_SECONDS = 5;
/** The official check's cap on slow log entries read per run. */
export const DEFAULT_MAX_SLOW_ENTRIES = 128;

export interface RedisTls {
  /** False with `ssl_cert_reqs: 0` (ssl.CERT_NONE): the certificate is not verified. */
  readonly verify: boolean;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface RedisSettings {
  /** Host name, or undefined with `unix_socket_path`. */
  readonly host: string | undefined;
  readonly port: number;
  readonly unixSocketPath: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  readonly tls: RedisTls | undefined;
  readonly socketTimeoutMs: number;
  readonly disableConnectionCache: boolean;
  readonly commandStats: boolean;
  readonly collectClientMetrics: boolean;
  readonly maxSlowEntries: number | undefined;
  /** `redis_host:` and `redis_port:`, the official check's base tags. */
  readonly baseTags: readonly string[];
}

/** ssl.CERT_NONE / CERT_OPTIONAL / CERT_REQUIRED as numbers or the names redis-py accepts. */
function certRequirements(instance: Readonly<Record<string, unknown>>): number {
  const raw = instance.ssl_cert_reqs;
  if (raw === undefined || raw === null || raw === '') return 2;
  const names: Record<string, number> = { none: 0, cert_none: 0, optional: 1, cert_optional: 1, required: 2, cert_required: 2 };
  if (typeof raw === 'string' && Object.hasOwn(names, raw.trim().toLowerCase())) return names[raw.trim().toLowerCase()]!;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (value === 0 || value === 1 || value === 2) return value;
  throw new CheckConfigError(`ssl_cert_reqs must be 0 (do not verify the certificate), 1 or 2 (verify it), not ${JSON.stringify(raw)}`);
}

function fileSetting(instance: Readonly<Record<string, unknown>>, key: string): Buffer | undefined {
  const path = stringSetting(instance, key);
  if (path === undefined || path === '') return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CheckConfigError(`${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

function integerSetting(instance: Readonly<Record<string, unknown>>, key: string, fallback: number, min: number, max: number, hint: string): number {
  const value = numberSetting(instance, key, fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new CheckConfigError(`${key} must be ${hint}, not ${JSON.stringify(instance[key])}`);
  return value;
}

export function redisSettings(instance: Readonly<Record<string, unknown>>): RedisSettings {
  const unixSocketPath = stringSetting(instance, 'unix_socket_path') || undefined;
  const host = stringSetting(instance, 'host') || undefined;
  if (host === undefined && unixSocketPath === undefined) {
    throw new CheckConfigError('host is missing: set host (and port), or unix_socket_path, in the redisdb instance');
  }
  const port = integerSetting(instance, 'port', DEFAULT_PORT, 1, 65535, 'a TCP port number (1-65535)');
  const db = integerSetting(instance, 'db', 0, 0, 1_000_000, 'a database number (0, 1, …)');
  const socketTimeout = numberSetting(instance, 'socket_timeout', DEFAULT_SOCKET_TIMEOUT_SECONDS);
  if (socketTimeout <= 0) throw new CheckConfigError(`socket_timeout must be a number of seconds above 0, not ${JSON.stringify(instance.socket_timeout)}`);
  const maxSlowEntries = instance['slowlog-max-len'] === undefined ? undefined : integerSetting(instance, 'slowlog-max-len', DEFAULT_MAX_SLOW_ENTRIES, 0, 10_000, 'a number of slow log entries (0-10000)');
  const ssl = booleanSetting(instance, 'ssl', false);
  const tls: RedisTls | undefined = ssl
    ? { verify: certRequirements(instance) !== 0, ca: fileSetting(instance, 'ssl_ca_certs'), cert: fileSetting(instance, 'ssl_certfile'), key: fileSetting(instance, 'ssl_keyfile') }
    : undefined;
  const password = stringSetting(instance, 'password');
  const username = stringSetting(instance, 'username');
  return {
    host: unixSocketPath === undefined ? host : undefined,
    port,
    unixSocketPath,
    username: username || undefined,
    password: password || undefined,
    db,
    tls,
    socketTimeoutMs: Math.round(socketTimeout * 1000),
    disableConnectionCache: booleanSetting(instance, 'disable_connection_cache', false),
    commandStats: booleanSetting(instance, 'command_stats', false),
    collectClientMetrics: booleanSetting(instance, 'collect_client_metrics', false),
    maxSlowEntries,
    baseTags: unixSocketPath !== undefined ? [`redis_host:${unixSocketPath}`, 'redis_port:unix_socket'] : [`redis_host:${host}`, `redis_port:${port}`],
  };
}

// Postgres and Redis check instances from Heroku's URL variables. A URL that does not parse is skipped
// with a warning naming the variable, never its value (it holds the password).
import { stringify } from 'yaml';

export type Instance = Record<string, string | number | boolean>;

export interface InstancesResult {
  readonly instances: Instance[];
  readonly warnings: string[];
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw.trim());
  } catch {
    return undefined;
  }
}

function port(url: URL, fallback: number): number {
  return url.port === '' ? fallback : Number(url.port);
}

/** `postgres://user:password@host:port/dbname` → one instance of the postgres check. */
export function postgresInstance(raw: string, dbm: boolean): Instance | undefined {
  const url = parseUrl(raw);
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) return undefined;
  const dbname = decode(url.pathname.replace(/^\//, ''));
  if (url.hostname === '' || url.username === '' || dbname === '') return undefined;
  const instance: Instance = {
    host: url.hostname,
    username: decode(url.username),
    password: decode(url.password),
    port: port(url, 5432),
    dbname,
    ssl: 'require',
    disable_generic_tags: false,
  };
  if (dbm) instance.dbm = true;
  return instance;
}

/** `redis[s]://[user]:password@host:port[/db]` → one instance of the redisdb check. */
export function redisInstance(raw: string): Instance | undefined {
  const url = parseUrl(raw);
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') return undefined;
  const instance: Instance = { host: url.hostname, port: port(url, 6379) };
  if (url.password !== '') instance.password = decode(url.password);
  if (url.username !== '') instance.username = decode(url.username);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) return undefined;
    instance.db = Number(db);
  }
  if (url.protocol === 'rediss:') {
    instance.ssl = true;
    instance.ssl_cert_reqs = 0;
  }
  return instance;
}

/** Instances from each named variable; unset or unparsable ones become warnings. */
export function instancesFrom(
  switchName: string,
  urlVariables: readonly string[],
  env: NodeJS.ProcessEnv,
  parse: (raw: string) => Instance | undefined,
  expected: string,
): InstancesResult {
  const instances: Instance[] = [];
  const warnings: string[] = [];
  for (const name of urlVariables) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      warnings.push(`${switchName}=true but ${name} is not set; no instance for it.`);
      continue;
    }
    const instance = parse(raw);
    if (instance === undefined) {
      warnings.push(`${switchName}=true but ${name} is not a ${expected} URL; no instance for it.`);
      continue;
    }
    instances.push(instance);
  }
  return { instances, warnings };
}

/** The check's conf.yaml for `instances`. */
export function checkConfig(instances: readonly Instance[]): string {
  return `# Generated at dyno boot by agent-wrapper prepare from the app's URL variables.\n${stringify({ init_config: {}, instances })}`;
}

// The reply of INFO: `field:value` lines under `# Section` headers, with `dbN:keys=…,expires=…`
// and `slaveN:ip=…,port=…,offset=…` lines that hold a list of their own.

/** Caps on what one reply may make us keep, whatever the server sends. */
const MAX_FIELDS = 4096;
const MAX_DATABASES = 1024;
const MAX_REPLICAS = 64;
const MAX_LINE = 4096;

export interface KeyspaceEntry {
  /** `db0`, as the `redis_db:` tag carries it. */
  readonly db: string;
  readonly keys: number;
  readonly expires: number;
}

export interface ReplicaEntry {
  /** `0` of `slave0`. */
  readonly id: string;
  readonly ip: string | undefined;
  readonly port: string | undefined;
  readonly offset: number;
}

export interface RedisInfo {
  /** Plain fields, by name (values as sent). */
  readonly fields: ReadonlyMap<string, string>;
  readonly keyspace: readonly KeyspaceEntry[];
  readonly replicas: readonly ReplicaEntry[];
}

/** `a=1,b=2` → map; an item without `=` is skipped. */
function subfields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of text.split(',')) {
    const at = item.lastIndexOf('=');
    if (at > 0) out.set(item.slice(0, at), item.slice(at + 1));
  }
  return out;
}

/** A finite number, or undefined (`1.5`, `-1`, `0` yes; `inf`, `abc`, `` no). */
export function numeric(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

export function parseInfo(text: string): RedisInfo {
  const fields = new Map<string, string>();
  const keyspace: KeyspaceEntry[] = [];
  const replicas: ReplicaEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#') || line.length > MAX_LINE) continue;
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at);
    const value = line.slice(at + 1);
    if (/^db\d+$/.test(name)) {
      if (keyspace.length >= MAX_DATABASES) continue;
      const parts = subfields(value);
      const keys = numeric(parts.get('keys'));
      const expires = numeric(parts.get('expires'));
      if (keys !== undefined && expires !== undefined) keyspace.push({ db: name, keys, expires });
      continue;
    }
    const replica = /^slave(\d+)$/.exec(name);
    if (replica && value.includes('=')) {
      if (replicas.length >= MAX_REPLICAS) continue;
      const parts = subfields(value);
      replicas.push({ id: replica[1]!, ip: parts.get('ip'), port: parts.get('port'), offset: numeric(parts.get('offset')) ?? 0 });
      continue;
    }
    if (fields.size < MAX_FIELDS || fields.has(name)) fields.set(name, value);
  }
  return { fields, keyspace, replicas };
}

/** INFO COMMANDSTATS: `cmdstat_get:calls=3,usec=10,usec_per_call=3.33,…` → command, calls, usec_per_call. */
export function parseCommandStats(text: string, limit: number): { command: string; calls: number; usecPerCall: number }[] {
  const out: { command: string; calls: number; usecPerCall: number }[] = [];
  for (const raw of text.split('\n')) {
    if (out.length >= limit) break;
    const line = raw.trim();
    const match = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (!match || line.length > MAX_LINE) continue;
    const parts = subfields(match[2]!);
    // A `host:` command leaves `calls` behind a leading colon (integrations-core issue 839).
    const calls = numeric(parts.get('calls') ?? parts.get(':calls'));
    const usecPerCall = numeric(parts.get('usec_per_call'));
    if (calls !== undefined && usecPerCall !== undefined) out.push({ command: match[1]!, calls, usecPerCall });
  }
  return out;
}

// The settings every check instance takes, whatever the check (min_collection_interval, tags,
// service, empty_default_hostname), and the instance ID shown in status (`redisdb:<16 hex>`).
import { stringify } from 'yaml';
import { CheckConfigError, booleanSetting, listSetting, numberSetting, stringSetting } from './check.js';

/** The collector's default, in seconds. */
export const DEFAULT_COLLECTION_INTERVAL_SECONDS = 15;

export interface InstanceSettings {
  readonly intervalSeconds: number;
  /** The instance's `tags` with `service:` when set. */
  readonly tags: readonly string[];
  readonly emptyDefaultHostname: boolean;
}

export function instanceSettings(instance: Readonly<Record<string, unknown>>, initConfig: Readonly<Record<string, unknown>>): InstanceSettings {
  const interval = numberSetting(instance, 'min_collection_interval', numberSetting(initConfig, 'min_collection_interval', DEFAULT_COLLECTION_INTERVAL_SECONDS));
  if (interval <= 0) throw new CheckConfigError(`min_collection_interval must be a number of seconds above 0, not ${interval}`);
  const tags = listSetting(instance, 'tags');
  const service = stringSetting(instance, 'service', stringSetting(initConfig, 'service'));
  if (service !== undefined && service !== '') tags.push(`service:${service}`);
  return { intervalSeconds: interval, tags, emptyDefaultHostname: booleanSetting(instance, 'empty_default_hostname', false) };
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1 64-bit, as Go's hash/fnv New64 that the agent's check IDs use. */
function fnv64(text: string): string {
  let hash = FNV64_OFFSET;
  for (const byte of Buffer.from(text)) hash = ((hash * FNV64_PRIME) & MASK64) ^ BigInt(byte);
  return hash.toString(16);
}

/** `<check>:<hash>`, or `<check>:<name>:<hash>` when the instance has a `name`, as checkid.BuildID builds it. */
export function instanceId(check: string, instance: unknown, initConfig: unknown): string {
  const hash = fnv64(stringify(instance) + stringify(initConfig ?? {}));
  const name = instance !== null && typeof instance === 'object' ? (instance as Record<string, unknown>).name : undefined;
  return typeof name === 'string' && name !== '' ? `${check}:${name}:${hash}` : `${check}:${hash}`;
}

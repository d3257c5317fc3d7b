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

/**
 * FNV-1 64-bit, as Go's hash/fnv New64 that the agent's check IDs use, in two 32-bit halves: the
 * prime is 2^40 + 0x1b3, so hash × prime = hash × 0x1b3 + (low half << 40), every product exact in a double.
 */
function fnv64(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const byte of Buffer.from(text)) {
    const low = lo * 0x1b3;
    const carry = Math.floor(low / 0x100000000);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) % 0x100000000;
    lo = ((low % 0x100000000) ^ byte) >>> 0;
  }
  return hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/** `<check>:<hash>`, or `<check>:<name>:<hash>` when the instance has a `name`, as checkid.BuildID builds it. */
export function instanceId(check: string, instance: unknown, initConfig: unknown): string {
  const hash = fnv64(stringify(instance) + stringify(initConfig ?? {}));
  const name = instance !== null && typeof instance === 'object' ? (instance as Record<string, unknown>).name : undefined;
  return typeof name === 'string' && name !== '' ? `${check}:${name}:${hash}` : `${check}:${hash}`;
}

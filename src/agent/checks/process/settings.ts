// The process check's instance settings, as integrations-core's process check reads them: `name`,
// one of `search_string` / `pid` / `pid_file`, `exact_match` (default true), `thresholds`,
// `collect_children`, `user`, `ignore_denied_access`; init_config `pid_cache_duration`, `procfs_path`.
import { CheckConfigError, booleanSetting, listSetting, numberSetting, stringSetting } from '../check.js';
import { DEFAULT_PROCFS } from './proc.js';

/** The official default for how long a matched pid list is reused (init_config.pid_cache_duration). */
export const DEFAULT_PID_CACHE_SECONDS = 120;

/** A process count range: below `min` or above `max` is out of it. */
export interface CountRange {
  readonly min: number;
  readonly max: number;
}

export interface Thresholds {
  readonly warning: CountRange;
  readonly critical: CountRange;
}

export type ProcessSelector =
  | { readonly kind: 'search'; readonly strings: readonly string[]; readonly patterns: readonly RegExp[] }
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'pid_file'; readonly path: string };

export interface ProcessSettings {
  readonly name: string;
  readonly selector: ProcessSelector;
  readonly exactMatch: boolean;
  readonly ignoreDeniedAccess: boolean;
  readonly thresholds: Thresholds | undefined;
  readonly collectChildren: boolean;
  readonly user: string | undefined;
  readonly pidCacheSeconds: number;
  readonly procfs: string;
}

const OPEN_RANGE: CountRange = { min: 1, max: Infinity };

function countRange(value: unknown, key: string): CountRange {
  if (value === undefined || value === null) return OPEN_RANGE;
  const bounds = Array.isArray(value) ? value.map((v) => (typeof v === 'string' && /^[+-]?\.?inf$/i.test(v.trim()) ? Infinity : typeof v === 'number' ? v : Number.NaN)) : [];
  if (bounds.length !== 2 || bounds.some((b) => Number.isNaN(b))) {
    throw new CheckConfigError(`thresholds.${key} must be a list of two numbers [min, max], not ${JSON.stringify(value)}`);
  }
  return { min: bounds[0]!, max: bounds[1]! };
}

function thresholdsSetting(value: unknown): Thresholds | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new CheckConfigError(`thresholds must be a mapping with warning: [min, max] and/or critical: [min, max], not ${JSON.stringify(value)}`);
  const record = value as Record<string, unknown>;
  // An empty mapping is "no thresholds", as in the official check.
  if (record.warning === undefined && record.critical === undefined) return undefined;
  return { warning: countRange(record.warning, 'warning'), critical: countRange(record.critical, 'critical') };
}

function pidSetting(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const pid = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new CheckConfigError(`pid must be a process id (a positive integer), not ${JSON.stringify(value)}`);
  return pid;
}

export function processSettings(instance: Readonly<Record<string, unknown>>, initConfig: Readonly<Record<string, unknown>>): ProcessSettings {
  const name = stringSetting(instance, 'name');
  if (name === undefined || name.trim() === '') throw new CheckConfigError('name is required: the name of the process group, sent as the tag process_name:<name>');
  const exactMatch = booleanSetting(instance, 'exact_match', true);
  const strings = instance.search_string === undefined || instance.search_string === null ? undefined : listSetting(instance, 'search_string');
  const pid = pidSetting(instance.pid);
  const pidFile = stringSetting(instance, 'pid_file');
  let selector: ProcessSelector;
  if (strings !== undefined) {
    if (strings.length === 0) throw new CheckConfigError('search_string must list at least one process name (or pattern with exact_match: false)');
    const patterns = exactMatch
      ? []
      : strings.map((s) => {
          try {
            return new RegExp(s);
          } catch (error) {
            throw new CheckConfigError(`search_string ${JSON.stringify(s)} is not a valid regular expression (exact_match: false matches patterns): ${(error as Error).message}`);
          }
        });
    selector = { kind: 'search', strings, patterns };
  } else if (pid !== undefined) {
    selector = { kind: 'pid', pid };
  } else if (pidFile !== undefined && pidFile !== '') {
    selector = { kind: 'pid_file', path: pidFile };
  } else {
    throw new CheckConfigError('"search_string" or "pid" or "pid_file" parameter is required');
  }
  const pidCacheSeconds = numberSetting(initConfig, 'pid_cache_duration', DEFAULT_PID_CACHE_SECONDS);
  if (pidCacheSeconds < 0) throw new CheckConfigError(`pid_cache_duration must be a number of seconds (0 or more), not ${pidCacheSeconds}`);
  const procfs = (stringSetting(initConfig, 'procfs_path') ?? DEFAULT_PROCFS).replace(/\/+$/, '') || DEFAULT_PROCFS;
  const user = stringSetting(instance, 'user');
  return {
    name,
    selector,
    exactMatch,
    ignoreDeniedAccess: booleanSetting(instance, 'ignore_denied_access', true),
    thresholds: thresholdsSetting(instance.thresholds),
    collectChildren: booleanSetting(instance, 'collect_children', false),
    user: user === undefined || user === '' ? undefined : user,
    pidCacheSeconds,
    procfs,
  };
}

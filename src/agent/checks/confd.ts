// conf.d as the official collector reads it: `<name>.d/*.yaml` and `<name>.yaml`, each a mapping
// of `init_config` and `instances`. A file that is not valid YAML, or not of that shape, is a
// config error for status, never a stop; `.yaml.default` files count only when their folder has
// no other configuration, as in the agent.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface CheckConfigFile {
  /** The check to run: the file's or folder's name, aliases resolved (`redis` → `redisdb`). */
  readonly name: string;
  readonly file: string;
  readonly initConfig: Readonly<Record<string, unknown>>;
  readonly instances: readonly Readonly<Record<string, unknown>>[];
  /** Said in status beside the check (e.g. the alias it was read under). */
  readonly note?: string;
}

export interface ConfigError {
  readonly name: string;
  readonly file: string;
  readonly error: string;
}

export interface ConfdScan {
  readonly files: CheckConfigFile[];
  readonly errors: ConfigError[];
}

/** Names the buildpack docs use for a check the agent knows by another name. */
const ALIASES: Readonly<Record<string, string>> = { redis: 'redisdb' };

const CONFIG_FILE = /\.ya?ml$/;
const DEFAULT_FILE = /\.ya?ml\.default$/;
/** Files of a check folder that are not instances to schedule: autodiscovery templates, JMX metric lists. */
const NOT_INSTANCES = new Set(['auto_conf.yaml', 'metrics.yaml']);

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The configuration files of each check, by the name conf.d gives it (before aliases). */
function filesByCheck(confdPath: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (name: string, file: string): void => {
    found.set(name, [...(found.get(name) ?? []), file]);
  };
  for (const entry of list(confdPath)) {
    const path = join(confdPath, entry);
    if (isDirectory(path)) {
      const name = entry.replace(/\.d$/, '');
      const names = list(path).filter((f) => !NOT_INSTANCES.has(f));
      const configs = names.filter((f) => CONFIG_FILE.test(f));
      for (const f of configs.length > 0 ? configs : names.filter((f) => DEFAULT_FILE.test(f))) add(name, join(path, f));
    } else if (CONFIG_FILE.test(entry)) {
      add(entry.replace(CONFIG_FILE, ''), path);
    }
  }
  return found;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Larger than any check configuration; a file past it is refused rather than read. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The file's text when it is a regular file of reasonable size (not a FIFO, not /dev/zero), else why not. */
function readSmallFile(file: string): string | { error: string } {
  // Non-blocking: opening a FIFO with no writer must not hang the agent.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { error: 'not a regular file' };
    if (stat.size > MAX_CONFIG_BYTES) return { error: `${stat.size} bytes: larger than the ${MAX_CONFIG_BYTES} bytes a check configuration may have` };
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
}

/** True when `value` contains itself (a YAML alias of an enclosing node): no check can use that. */
function isCyclic(value: unknown, ancestors: Set<object> = new Set()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const cyclic = Object.values(value).some((child) => isCyclic(child, ancestors));
  ancestors.delete(value);
  return cyclic;
}

function readConfigFile(name: string, file: string): CheckConfigFile | ConfigError {
  let parsed: unknown;
  try {
    const text = readSmallFile(file);
    if (typeof text !== 'string') return { name, file, error: text.error };
    parsed = parseYaml(text, { logLevel: 'error' }); // an unknown tag is no reason to print to the dyno log
  } catch (error) {
    const io = (error as NodeJS.ErrnoException).syscall !== undefined;
    return { name, file, error: io ? `cannot read it (${(error as NodeJS.ErrnoException).code})` : `invalid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  if (isCyclic(parsed)) return { name, file, error: 'a YAML alias refers to a node that contains it: the configuration has no end' };
  if (!isMapping(parsed)) return { name, file, error: 'not a mapping of init_config and instances' };
  const instances = parsed.instances;
  if (!Array.isArray(instances) || instances.length === 0) return { name, file, error: 'no instances: the file needs an `instances:` list' };
  const bad = instances.findIndex((instance) => !isMapping(instance));
  if (bad >= 0) return { name, file, error: `instance ${bad + 1} is not a mapping of settings` };
  const initConfig = isMapping(parsed.init_config) ? parsed.init_config : {};
  const alias = ALIASES[name];
  return {
    name: alias ?? name,
    file,
    initConfig,
    instances: instances as Record<string, unknown>[],
    ...(alias !== undefined ? { note: `configured as "${name}": runs as the ${alias} check` } : {}),
  };
}

export function scanConfd(confdPath: string | undefined): ConfdScan {
  const files: CheckConfigFile[] = [];
  const errors: ConfigError[] = [];
  if (confdPath === undefined) return { files, errors };
  for (const [name, paths] of filesByCheck(confdPath)) {
    for (const file of paths) {
      const result = readConfigFile(name, file);
      if ('error' in result) errors.push(result);
      else files.push(result);
    }
  }
  return { files, errors };
}

/**
 * Whether an implicit check (host checks, container) runs: yes unless conf.d has its folder
 * without an enabled file, as `agent-wrapper prepare` leaves it for DD_DISABLE_HOST_METRICS.
 */
export function implicitCheckEnabled(name: string, confdPath: string | undefined): boolean {
  if (confdPath === undefined) return true;
  const folder = join(confdPath, `${name}.d`);
  if (!isDirectory(folder)) return true;
  return list(folder).some((f) => CONFIG_FILE.test(f) || DEFAULT_FILE.test(f));
}

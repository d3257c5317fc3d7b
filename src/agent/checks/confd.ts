// What conf.d asks for, and what of it the built-in agent can run: host checks yes; Postgres,
// Redis, custom Python checks need the official agent; bad YAML is reported, never fatal.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HOST_CHECK_NAMES } from './system-checks.js';

export interface ConfiguredCheck {
  readonly name: string;
  readonly file: string;
  /** Undefined when the built-in agent runs it; else why not. */
  readonly skipped?: string;
}

const CONFIG_FILE = /\.ya?ml(\.default)?$/;

export function scanConfd(confdPath: string | undefined): ConfiguredCheck[] {
  if (confdPath === undefined || !existsSync(confdPath)) return [];
  const found: ConfiguredCheck[] = [];
  let entries: string[];
  try {
    entries = readdirSync(confdPath).sort();
  } catch (error) {
    return [{ name: basename(confdPath), file: confdPath, skipped: `cannot read conf.d: ${(error as Error).message}` }];
  }
  for (const entry of entries) {
    const path = join(confdPath, entry);
    let files: string[];
    let name: string;
    try {
      if (statSync(path).isDirectory()) {
        name = entry.replace(/\.d$/, '');
        files = readdirSync(path).filter((f) => CONFIG_FILE.test(f)).sort().map((f) => join(path, f));
      } else if (CONFIG_FILE.test(entry)) {
        name = entry.replace(CONFIG_FILE, '');
        files = [path];
      } else continue;
    } catch {
      continue;
    }
    for (const file of files) found.push(classify(name, file));
  }
  return found;
}

function classify(name: string, file: string): ConfiguredCheck {
  try {
    parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return { name, file, skipped: `invalid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  if ((HOST_CHECK_NAMES as readonly string[]).includes(name)) return { name, file };
  return { name, file, skipped: `the built-in agent runs only ${HOST_CHECK_NAMES.join(', ')}; "${name}" needs DD_AGENT_FLAVOR=official` };
}

/**
 * A host check runs unless conf.d has its folder without an enabled file: agent-wrapper prepare
 * renames `conf.yaml.default` aside for DD_DISABLE_HOST_METRICS, as the official buildpack does.
 */
export function hostCheckEnabled(name: string, confdPath: string | undefined): boolean {
  if (confdPath === undefined) return true;
  const folder = join(confdPath, `${name}.d`);
  try {
    if (!statSync(folder).isDirectory()) return true;
    return readdirSync(folder).some((f) => CONFIG_FILE.test(f));
  } catch {
    return true;
  }
}

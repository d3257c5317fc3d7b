// The app's `datadog/conf.d` and `datadog/checks.d` copied into the agent's config, as the official buildpack does.
import { copyFileSync, cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { SlugPaths } from './paths.js';

export interface SyncReport {
  /** Paths written, relative to the agent's config dir, for the debug log. */
  readonly copied: string[];
  readonly warnings: string[];
}

function entries(dir: string): string[] {
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

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * `conf.d/<name>.d/` folders as they are; `conf.d/X.yaml` as `conf.d/X.d/conf.yaml`; `checks.d/*.py` into
 * `checks.d/`, `checks.d/*.yaml` into `conf.d/`. A file that cannot be copied is a warning, not a stop.
 */
export function syncAppConfig(appFolder: string, paths: SlugPaths): SyncReport {
  const copied: string[] = [];
  const warnings: string[] = [];
  const attempt = (what: string, copy: () => void): void => {
    try {
      copy();
      copied.push(what);
    } catch (error) {
      warnings.push(`could not copy ${what} from ${appFolder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const appConfD = join(appFolder, 'conf.d');
  for (const name of entries(appConfD)) {
    const from = join(appConfD, name);
    if (isDirectory(from)) {
      attempt(`conf.d/${name}`, () => cpSync(from, join(paths.confD, name), { recursive: true, dereference: true }));
    } else if (extname(name) === '.yaml' && isFile(from)) {
      const check = basename(name, '.yaml');
      attempt(`conf.d/${check}.d/conf.yaml`, () => {
        mkdirSync(join(paths.confD, `${check}.d`), { recursive: true });
        copyFileSync(from, join(paths.confD, `${check}.d`, 'conf.yaml'));
      });
    }
  }
  const appChecksD = join(appFolder, 'checks.d');
  for (const name of entries(appChecksD)) {
    const from = join(appChecksD, name);
    if (!isFile(from)) continue;
    if (extname(name) === '.py') {
      attempt(`checks.d/${name}`, () => {
        mkdirSync(paths.checksD, { recursive: true });
        copyFileSync(from, join(paths.checksD, name));
      });
    } else if (extname(name) === '.yaml') {
      attempt(`conf.d/${name}`, () => {
        mkdirSync(paths.confD, { recursive: true });
        copyFileSync(from, join(paths.confD, name));
      });
    }
  }
  return { copied, warnings };
}

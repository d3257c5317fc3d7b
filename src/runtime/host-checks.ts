// DD_DISABLE_HOST_METRICS: the default checks (`conf.yaml.default`) read the machine, not the dyno.
import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';

const ENABLED = 'conf.yaml.default';
const DISABLED = 'conf.yaml.default_disabled';

/** Renames every `conf.d/*.d/conf.yaml.default` aside (or back); returns the checks it changed. */
export function setHostChecks(confD: string, disabled: boolean): string[] {
  const [from, to] = disabled ? [ENABLED, DISABLED] : [DISABLED, ENABLED];
  const changed: string[] = [];
  let folders: string[];
  try {
    folders = readdirSync(confD).filter((name) => name.endsWith('.d'));
  } catch {
    return changed;
  }
  for (const folder of folders.sort()) {
    try {
      renameSync(join(confD, folder, from), join(confD, folder, to));
      changed.push(folder.slice(0, -2));
    } catch {
      // This check has no default configuration to move.
    }
  }
  return changed;
}

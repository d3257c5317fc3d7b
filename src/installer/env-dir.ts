import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { variables, type VariableName } from '../config/variables.js';

/** The ENV_DIR files bin/compile may read: the compile-time variables, never a secret. */
export const compileVariableNames: readonly VariableName[] = (Object.keys(variables) as VariableName[]).filter((name) => {
  const spec = variables[name];
  return (spec.phase === 'compile' || spec.phase === 'both') && !('secret' in spec && spec.secret === true);
});

/** Values of the compile-time variables present in ENV_DIR (trailing newline trimmed). */
export function readEnvDir(envDir: string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  if (envDir === undefined || envDir === '') return values;
  for (const name of compileVariableNames) {
    try {
      values[name] = readFileSync(join(envDir, name), 'utf8').trim();
    } catch {
      // Unset in the app's config: the default applies.
    }
  }
  return values;
}

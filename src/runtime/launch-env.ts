// `agent-wrapper launch-env BEFORE`: the end of the CNB exec.d program. BEFORE is `env -0` taken at
// its start; what is new or changed since (prepare's exports, prerun.sh's changes) is printed as
// the TOML the launcher reads on fd 3 and sets in the app's environment. A variable prerun.sh
// unsets cannot be expressed there and stays as it was (docs: README, Heroku Fir).
import { readFileSync } from 'node:fs';

/** Bash's own bookkeeping and the shim's, never the app's business. */
const VOLATILE = new Set(['_', 'SHLVL', 'PWD', 'OLDPWD', 'DD_BUILDPACK_ROOT']);

/** `env -0` output → NAME → value (an entry without `=` is skipped). */
export function parseEnvDump(dump: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of dump.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return vars;
}

/** A TOML basic string: quotes, backslashes and control characters escaped. */
export function tomlString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

export function launchEnvToml(before: ReadonlyMap<string, string>, now: NodeJS.ProcessEnv): string {
  let toml = '';
  for (const name of Object.keys(now).sort()) {
    const value = now[name];
    if (value === undefined || VOLATILE.has(name) || before.get(name) === value) continue;
    toml += `${tomlString(name)} = ${tomlString(value)}\n`;
  }
  return toml;
}

export function launchEnv(beforeFile: string, env: NodeJS.ProcessEnv): string {
  return launchEnvToml(parseEnvDump(readFileSync(beforeFile, 'latin1')), env);
}

// Compiles bench/c/<name>.c with the system `cc` into `dir` and returns the binary's path.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function buildC(name, dir) {
  const out = join(dir, name);
  execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', out, join(here, `${name}.c`)], { stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}

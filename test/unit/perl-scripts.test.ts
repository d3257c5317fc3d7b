// The Perl helpers bundled as text (the DogStatsD relay, the builtin supervisor): valid Perl, and only
// modules perl-base ships, all a Heroku stack guarantees (CONTRIBUTING.md).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPTS = ['src/agent/dogstatsd/relay.pl', 'src/runtime/supervisor.pl'].map((path) => fileURLToPath(new URL(`../../${path}`, import.meta.url)));
const PERL_BASE_MODULES = new Set(['strict', 'warnings', 'POSIX', 'Socket', 'Errno', 'IO::Handle', 'Fcntl']);

describe.each(SCRIPTS)('%s', (script) => {
  it('compiles (perl -c), warnings included', () => {
    const result = spawnSync('perl', ['-c', script], { encoding: 'utf8' });
    expect(result.stderr).toBe(`${script} syntax OK\n`);
    expect(result.status).toBe(0);
  });

  it('uses perl-base modules only', () => {
    const used = [...readFileSync(script, 'utf8').matchAll(/^\s*(?:use|require)\s+([A-Za-z][\w:]*)/gm)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !PERL_BASE_MODULES.has(name as string))).toEqual([]);
  });
});

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exportLine, shellQuote } from '../../../src/runtime/shell-quote.js';

const HOSTILE = [
  '',
  'plain',
  "it's",
  "''",
  '$(touch /tmp/pwned-by-prepare)',
  '`id`',
  '$HOME ${PATH}',
  'a\nb\n',
  'trailing backslash \\',
  '"double" quotes',
  'tab\there; semicolon; && || | > <',
  '!history !! * ? [a-z] ~',
  'ünïcödé ✓',
];

describe('shell quoting of prepare output', () => {
  it('bash evaluates each export back to the exact value', () => {
    const script = HOSTILE.map((value, i) => exportLine(`V${i}`, value)).join('') +
      HOSTILE.map((_, i) => `printf '%s\\0' "$V${i}"`).join('\n');
    const out = execFileSync('bash', ['-c', `set -o errexit; eval "$(cat)"`], { input: script, encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(HOSTILE);
  });

  it('prints one export per line and nothing else for single-line values', () => {
    expect(exportLine('DD_TAGS', 'a,b')).toBe("export DD_TAGS='a,b'\n");
    expect(shellQuote("x'y")).toBe(`'x'\\''y'`);
  });

  it('refuses names bash would not take', () => {
    for (const name of ['', '1A', 'A-B', 'A B', 'A;rm']) expect(() => exportLine(name, 'v')).toThrow();
  });
});

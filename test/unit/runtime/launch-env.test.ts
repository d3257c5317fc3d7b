import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { launchEnv, launchEnvToml, parseEnvDump, tomlString } from '../../../src/runtime/launch-env.js';

describe('launch-env (the CNB exec.d output on fd 3)', () => {
  it('prints new and changed variables, not unchanged or volatile ones', () => {
    const before = parseEnvDump('PATH=/bin\0DD_TAGS=team:a\0SHLVL=1\0KEEP=same\0');
    const toml = launchEnvToml(before, { PATH: '/bin', DD_TAGS: 'team:a,dyno:web.1', SHLVL: '2', KEEP: 'same', DYNOTYPE: 'web', DD_BUILDPACK_ROOT: '/layers/x/agent' });
    expect(parse(toml)).toEqual({ DD_TAGS: 'team:a,dyno:web.1', DYNOTYPE: 'web' });
  });

  it('any value survives the TOML round trip (quotes, backslashes, newlines, control characters, unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        expect(parse(`"X" = ${tomlString(value)}`).X).toBe(value);
      }),
    );
  });

  it('reads the `env -0` dump from a file, values with = and newlines included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'launch-env-'));
    try {
      writeFileSync(join(dir, 'before'), 'A=1\0B=x=y\nz\0');
      expect(parse(launchEnv(join(dir, 'before'), { A: '1', B: 'x=y\nz', C: 'new' }))).toEqual({ C: 'new' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

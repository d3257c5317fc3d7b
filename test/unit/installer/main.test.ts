import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILDPACK_VERSION } from '../../../src/constants.js';
import { compileVariableNames, readEnvDir } from '../../../src/installer/env-dir.js';
import { main } from '../../../src/installer/main.js';
import { memoryIo } from '../../../src/io.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'installer-main-'));
  for (const sub of ['build', 'cache', 'env']) mkdirSync(join(dir, sub));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('installer main', () => {
  it('answers --version', async () => {
    const io = memoryIo();
    expect(await main(['--version'], {}, io)).toBe(0);
    expect(io.out()).toBe(`${BUILDPACK_VERSION}\n`);
  });

  it('prints usage on stderr without BUILD_DIR and CACHE_DIR', async () => {
    const io = memoryIo();
    expect(await main([], {}, io)).toBe(2);
    expect(io.err()).toMatch(/^ ! {5}usage: installer\.js BUILD_DIR CACHE_DIR/);
  });

  it('fails on an invalid compile variable with Heroku error lines naming it', async () => {
    writeFileSync(join(dir, 'env', 'DD_APM_ENABLED'), 'maybe');
    const io = memoryIo();
    expect(await main([join(dir, 'build'), join(dir, 'cache'), join(dir, 'env')], { BUILDPACK_DIR: process.cwd() }, io)).toBe(1);
    const lines = io.err().trimEnd().split('\n');
    expect(lines.every((line) => line.startsWith(' !     '))).toBe(true);
    expect(io.err()).toContain('DD_APM_ENABLED');
    expect(io.err()).toContain('"maybe"');
    expect(io.out()).not.toContain(' !     ');
  });
});

describe('ENV_DIR', () => {
  it('reads exactly the compile-time variables of the design, never DD_API_KEY', () => {
    expect([...compileVariableNames].sort()).toEqual([
      'DD_AGENT_FLAVOR', 'DD_AGENT_MAJOR_VERSION', 'DD_AGENT_VERSION', 'DD_APM_ENABLED', 'DD_APT_KEYS_URL',
      'DD_APT_REPO_URL', 'DD_NODE_DIST_URL', 'DD_PROCESS_AGENT', 'DD_PYTHON_VERSION',
    ]);
    writeFileSync(join(dir, 'env', 'DD_API_KEY'), 'secret');
    writeFileSync(join(dir, 'env', 'DD_AGENT_VERSION'), '7.70.0-1\n');
    expect(readEnvDir(join(dir, 'env'))).toEqual({ DD_AGENT_VERSION: '7.70.0-1' });
    expect(readEnvDir(undefined)).toEqual({});
  });
});

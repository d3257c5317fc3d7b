import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Layer } from '../../../src/installer/cnb/layer.js';
import { targetKey } from '../../../src/installer/cnb/context.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cnb-layer-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a CNB layer and its toml', () => {
  it('writes [types] and [metadata] as Buildpack API 0.10 reads them', () => {
    new Layer(dir, 'agent').write({ launch: true, build: false, cache: true }, { flavor: 'builtin', apm_enabled: true });
    expect(parse(readFileSync(join(dir, 'agent.toml'), 'utf8'))).toEqual({ types: { launch: true, build: false, cache: true }, metadata: { flavor: 'builtin', apm_enabled: true } });
  });

  it('is reusable only with the same metadata and its folder restored', () => {
    const layer = new Layer(dir, 'node');
    layer.write({ launch: true, build: false, cache: true }, { version: 'v20.1.0', arch: 'amd64' });
    expect(layer.reusable({ version: 'v20.1.0', arch: 'amd64' })).toBe(true);
    expect(layer.reusable({ version: 'v20.2.0', arch: 'amd64' })).toBe(false);
    expect(layer.reusable({ version: 'v20.1.0' })).toBe(false);
    rmSync(layer.dir, { recursive: true });
    expect(layer.reusable({ version: 'v20.1.0', arch: 'amd64' })).toBe(false);
  });

  it('a toml that is not TOML means a rebuild, not a crash', () => {
    const layer = new Layer(dir, 'agent');
    layer.reset();
    writeFileSync(layer.tomlPath, '[metadata\nflavor = ');
    expect(layer.reusable({ flavor: 'builtin' })).toBe(false);
  });

  it('remove() leaves neither folder nor toml', () => {
    const layer = new Layer(dir, 'packages');
    layer.write({ launch: false, build: false, cache: true }, {});
    layer.remove();
    expect(existsSync(layer.dir) || existsSync(layer.tomlPath)).toBe(false);
  });

  it('the target key changes with distro and arch', () => {
    expect(targetKey({ os: 'linux', arch: 'amd64', distroName: 'ubuntu', distroVersion: '24.04' })).toBe('ubuntu-24.04/linux/amd64');
    expect(targetKey({ os: 'linux', arch: 'arm64', distroName: '', distroVersion: '' })).toBe('linux/arm64');
  });
});

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PackageCache, type CacheKey } from '../../../src/installer/cache.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cache-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const key: CacheKey = { stack: 'heroku-24', flavor: 'official', version: '7.81.2-1', repo: 'https://apt.datadoghq.com' };
const pkg = { name: 'datadog-heroku-agent', version: '7.81.2-1', sha256: 'c'.repeat(64), size: 3 };

function storeOne(cache: PackageCache): void {
  const download = join(dir, 'download');
  writeFileSync(download, 'deb');
  cache.store(download, pkg);
}

describe('package cache', () => {
  it('remembers a stored package across builds for the same key', () => {
    const first = new PackageCache(dir);
    expect(first.reconcile(key)).toBe('empty');
    storeOne(first);
    const second = new PackageCache(dir);
    expect(second.reconcile(key)).toBe('same');
    expect(second.reusable()).toEqual(pkg);
  });

  for (const change of [{ stack: 'heroku-22' }, { version: '7.70.0-1' }, { flavor: 'builtin' as const }, { repo: 'https://mirror.example' }]) {
    it(`flushes on a change of ${Object.keys(change)[0]}`, () => {
      const first = new PackageCache(dir);
      first.reconcile(key);
      storeOne(first);
      const second = new PackageCache(dir);
      expect(second.reconcile({ ...key, ...change })).toBe('changed');
      expect(second.reusable()).toBeUndefined();
      expect(existsSync(first.debPath(pkg.sha256))).toBe(false);
    });
  }

  it('offers nothing when the cached file is gone, and forgets a package on request', () => {
    const cache = new PackageCache(dir);
    cache.reconcile(key);
    storeOne(cache);
    cache.forget(pkg);
    expect(cache.reusable()).toBeUndefined();
  });

  it('starts empty from an unreadable state file', () => {
    const cache = new PackageCache(dir);
    cache.reconcile(key);
    writeFileSync(cache.statePath, '{not json');
    expect(new PackageCache(dir).reconcile(key)).toBe('empty');
  });
});

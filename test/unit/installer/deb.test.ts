import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { arArchive, tarArchive } from '../../helpers/apt-repo.mjs';
import { arMembers, extractDeb, mergeTree } from '../../../src/installer/deb.js';
import { BuildError } from '../../../src/installer/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deb-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entries = [
  { name: './opt/', type: 'dir' as const },
  { name: './opt/datadog-agent/bin/agent/agent', body: '#!/bin/sh\necho agent\n', mode: 0o755 },
  { name: './opt/datadog-agent/embedded/ssl/certs/cacert.pem', body: 'certs\n' },
  { name: './opt/datadog-agent/embedded/ssl/cert.pem', type: 'symlink' as const, linkname: '/opt/datadog-agent/embedded/ssl/certs/cacert.pem' },
];

function deb(name: string, payload: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, arArchive([
    { name: 'debian-binary', body: Buffer.from('2.0\n') },
    { name: 'control.tar.gz', body: gzipSync(tarArchive([{ name: './control', body: 'Package: x\n' }])) },
    { name: `data.tar${name.slice(name.indexOf('.'))}`.replace('.deb', ''), body: payload },
  ]));
  return path;
}

const compress = (tool: string) => execFileSync(tool, ['-c', '-q'], { input: tarArchive(entries) });

describe('.deb extraction', () => {
  it('lists ar members with their offsets', () => {
    const path = deb('plain.gz.deb', gzipSync(tarArchive(entries)));
    expect(arMembers(path).map((m) => m.name)).toEqual(['debian-binary', 'control.tar.gz', 'data.tar.gz']);
  });

  for (const [suffix, payload] of [['.gz', () => gzipSync(tarArchive(entries))], ['.xz', () => compress('xz')], ['.zst', () => compress('zstd')]] as const) {
    it(`extracts data.tar${suffix} and re-roots absolute symlinks inside the root`, async () => {
      const path = join(dir, `pkg.deb`);
      writeFileSync(path, arArchive([
        { name: 'debian-binary', body: Buffer.from('2.0\n') },
        { name: `data.tar${suffix}`, body: payload() },
      ]));
      const root = join(dir, 'root');
      await extractDeb(path, root);
      expect(readFileSync(join(root, 'opt/datadog-agent/bin/agent/agent'), 'utf8')).toContain('echo agent');
      expect(lstatSync(join(root, 'opt/datadog-agent/bin/agent/agent')).mode & 0o111).not.toBe(0);
      expect(readlinkSync(join(root, 'opt/datadog-agent/embedded/ssl/cert.pem'))).toBe('certs/cacert.pem');
      expect(readFileSync(join(root, 'opt/datadog-agent/embedded/ssl/cert.pem'), 'utf8')).toBe('certs\n');
    });
  }

  it('refuses an archive with unsafe entries, lists them and removes the staging root', async () => {
    const path = join(dir, 'evil.deb');
    writeFileSync(path, arArchive([{ name: 'data.tar.gz', body: gzipSync(tarArchive([...entries, { name: './../escape', body: 'x' }, { name: '/abs', body: 'x' }])) }]));
    const root = join(dir, 'root');
    const error = await extractDeb(path, root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).code).toBe('UNSAFE_ARCHIVE_ENTRY');
    expect((error as BuildError).details).toEqual(['./../escape: path with ".."', '/abs: absolute path']);
    expect(existsSync(root)).toBe(false);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
  });

  it('says which tool is missing when xz is not installed', async () => {
    const path = join(dir, 'pkg.deb');
    writeFileSync(path, arArchive([{ name: 'data.tar.xz', body: compress('xz') }]));
    const saved = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-bin');
    try {
      const error = await extractDeb(path, join(dir, 'root')).catch((e: unknown) => e);
      expect((error as BuildError).code).toBe('TOOL_MISSING');
      expect((error as BuildError).fix).toContain('xz-utils');
    } finally {
      process.env.PATH = saved;
    }
  });

  it('refuses files that are not Debian archives', () => {
    const path = join(dir, 'not.deb');
    writeFileSync(path, '<html>mirror error page</html>');
    expect(() => arMembers(path)).toThrow(/not a Debian archive/);
  });

  it('merges into an existing tree, keeping what other packages installed there', () => {
    mkdirSync(join(dir, 'apt/usr/lib'), { recursive: true });
    writeFileSync(join(dir, 'apt/usr/lib/other.so'), 'other');
    mkdirSync(join(dir, 'staging/usr/lib'), { recursive: true });
    mkdirSync(join(dir, 'staging/opt/datadog-agent'), { recursive: true });
    writeFileSync(join(dir, 'staging/usr/lib/ours.so'), 'ours');
    mergeTree(join(dir, 'staging'), join(dir, 'apt'));
    expect(readFileSync(join(dir, 'apt/usr/lib/other.so'), 'utf8')).toBe('other');
    expect(readFileSync(join(dir, 'apt/usr/lib/ours.so'), 'utf8')).toBe('ours');
    expect(existsSync(join(dir, 'apt/opt/datadog-agent'))).toBe(true);
    expect(existsSync(join(dir, 'staging'))).toBe(false);
  });
});

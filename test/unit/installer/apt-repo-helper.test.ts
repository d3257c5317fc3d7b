import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES, startAptRepo, type AptRepoUrls } from '../../helpers/apt-repo.mjs';
import { arMembers } from '../../../src/installer/deb.js';

// The test repository is itself tested: a broken helper would make the bats suite meaningless.
let repo: { urls: AptRepoUrls; close(): Promise<void> };
beforeAll(async () => {
  repo = await startAptRepo();
});
afterAll(async () => {
  await repo.close();
  rmSync(repo.urls.REPO_DIR, { recursive: true, force: true });
});

describe('test apt repository', () => {
  it('serves a Packages index listing every test package with epoch 1:', async () => {
    const text = await (await fetch(`${repo.urls.APT_REPO_URL}/dists/stable/7/binary-amd64/Packages`)).text();
    for (const pkg of PACKAGES.filter((p) => p.component === '7')) {
      expect(text).toContain(`Package: ${pkg.name}\nArchitecture: amd64\nVersion: 1:${pkg.version}\n`);
    }
  });

  it('signs InRelease with the key it serves, which gpgv accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apt-repo-test-'));
    try {
      const key = Buffer.from(await (await fetch(`${repo.urls.APT_KEYS_URL}/DATADOG_APT_KEY_CURRENT.public`)).arrayBuffer());
      writeFileSync(join(dir, 'key.gpg'), execFileSync('gpg', ['--batch', '--homedir', dir, '--dearmor'], { input: key }));
      writeFileSync(join(dir, 'InRelease'), Buffer.from(await (await fetch(`${repo.urls.APT_REPO_URL}/dists/stable/InRelease`)).arrayBuffer()));
      expect(() => execFileSync('gpgv', ['--homedir', dir, '--keyring', join(dir, 'key.gpg'), join(dir, 'InRelease')], { stdio: 'pipe' })).not.toThrow();
      expect((await fetch(`${repo.urls.APT_KEYS_URL}/DATADOG_APT_KEY_382E94DE.public`)).status).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds real .debs: the pin carries the stand-in agent with its version, as data.tar.xz', () => {
    const deb = join(repo.urls.REPO_DIR, 'apt/pool/7/datadog-heroku-agent_7.81.2-1_amd64.deb');
    expect(arMembers(deb).map((m) => m.name)).toEqual(['debian-binary', 'control.tar.xz', 'data.tar.xz']);
    const agent = execFileSync('dpkg-deb', ['--fsys-tarfile', deb]);
    expect(agent.toString('latin1')).toContain('VERSION="7.81.2"');
    expect(readFileSync(repo.urls.REQUEST_LOG, 'utf8')).toContain('GET /apt/dists/stable/7/binary-amd64/Packages\n');
  });
});

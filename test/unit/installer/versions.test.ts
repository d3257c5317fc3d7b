import { describe, expect, it } from 'vitest';
import { availableVersions, compareVersions, requestedVersion, resolvePackage, withoutEpoch, type PackageEntry } from '../../../src/installer/apt/versions.js';

const pkg = (name: PackageEntry['name'], version: string): PackageEntry => ({ name, version, filename: `pool/${name}_${version}.deb`, size: 1, sha256: '0'.repeat(64) });

describe('requested version', () => {
  it('is the 7.x pin by default and the 6.x pin for DD_AGENT_MAJOR_VERSION=6', () => {
    expect(requestedVersion(undefined, '7')).toMatchObject({ version: '7.81.2-1', major: '7', source: 'DD_AGENT_MAJOR_VERSION' });
    expect(requestedVersion('', '6')).toMatchObject({ version: '6.53.1-1', major: '6' });
  });

  it('DD_AGENT_VERSION wins over the major and its major is the text before the first dot', () => {
    expect(requestedVersion('6.40.0-1', '7')).toMatchObject({ version: '6.40.0-1', major: '6', source: 'DD_AGENT_VERSION', strippedArch: false });
  });

  it('accepts an epoch and strips a trailing _amd64, flagging it for the warning', () => {
    expect(requestedVersion('1:7.70.0-1', '7')).toMatchObject({ version: '7.70.0-1', strippedArch: false });
    expect(requestedVersion(' 7.70.0-1_amd64 ', '7')).toMatchObject({ version: '7.70.0-1', strippedArch: true });
  });

  it('reports the major of nonsense as is, for the caller to refuse', () => {
    expect(requestedVersion('latest', '7').major).toBe('latest');
  });
});

describe('package resolution', () => {
  const entries = [pkg('datadog-agent', '7.50.0-1'), pkg('datadog-agent', '7.81.2-1'), pkg('datadog-heroku-agent', '7.81.2-1'), pkg('datadog-heroku-agent', '7.9.0-1')];

  it('prefers datadog-heroku-agent', () => {
    expect(resolvePackage(entries, '7.81.2-1')?.name).toBe('datadog-heroku-agent');
  });

  it('falls back to datadog-agent', () => {
    expect(resolvePackage(entries, '7.50.0-1')?.name).toBe('datadog-agent');
  });

  it('finds nothing for a version neither package has', () => {
    expect(resolvePackage(entries, '7.99.0-1')).toBeUndefined();
    expect(resolvePackage(entries, '7.81.2')).toBeUndefined();
  });

  it('lists available versions per package, newest first, numerically', () => {
    expect(availableVersions(entries, 'datadog-heroku-agent')).toEqual(['7.81.2-1', '7.9.0-1']);
    expect(availableVersions([], 'datadog-agent')).toEqual([]);
  });
});

describe('version comparison', () => {
  it('compares numerically, ignoring the epoch', () => {
    expect(compareVersions('7.52.0-1', '7.68.0-1')).toBeLessThan(0);
    expect(compareVersions('7.100.0-1', '7.68.0-1')).toBeGreaterThan(0);
    expect(compareVersions('1:7.68.0-1', '7.68.0')).toBeGreaterThan(0);
    expect(compareVersions('6.14.0', '6.14.0')).toBe(0);
    expect(withoutEpoch('1:7.81.2-1')).toBe('7.81.2-1');
  });
});

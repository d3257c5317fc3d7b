import { AGENT_PACKAGES, PINNED_AGENT_VERSIONS, type AgentMajor } from '../../constants.js';
import type { Stanza } from './deb822.js';

export type AgentPackageName = (typeof AGENT_PACKAGES)[number];

export interface RequestedVersion {
  /** Version without epoch, e.g. `7.81.2-1`. */
  readonly version: string;
  readonly major: string;
  /** Where it came from, for messages. */
  readonly source: 'DD_AGENT_VERSION' | 'DD_AGENT_MAJOR_VERSION';
  /** Set when a trailing `_amd64` was removed (old pin format of the official buildpack). */
  readonly strippedArch: boolean;
}

export function withoutEpoch(version: string): string {
  return version.replace(/^\d+:/, '');
}

/** The version to install: DD_AGENT_VERSION (epoch and `_amd64` tolerated) else the pin of the major. */
export function requestedVersion(agentVersion: string | undefined, majorVersion: '6' | '7'): RequestedVersion {
  const raw = agentVersion?.trim() ?? '';
  if (raw === '') {
    const major = Number(majorVersion) as AgentMajor;
    return { version: PINNED_AGENT_VERSIONS[major], major: majorVersion, source: 'DD_AGENT_MAJOR_VERSION', strippedArch: false };
  }
  const strippedArch = raw.endsWith('_amd64');
  const version = withoutEpoch(strippedArch ? raw.slice(0, -'_amd64'.length) : raw);
  return { version, major: version.split('.')[0] ?? '', source: 'DD_AGENT_VERSION', strippedArch };
}

export interface PackageEntry {
  readonly name: AgentPackageName;
  /** Version without epoch. */
  readonly version: string;
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
}

function entryOf(stanza: Stanza): PackageEntry | undefined {
  const name = stanza.get('Package');
  const version = stanza.get('Version');
  const filename = stanza.get('Filename');
  const size = stanza.get('Size');
  const sha256 = stanza.get('SHA256');
  if (!AGENT_PACKAGES.includes(name as AgentPackageName) || version === undefined || filename === undefined) return undefined;
  if (size === undefined || !/^\d+$/.test(size) || sha256 === undefined || !/^[0-9a-f]{64}$/i.test(sha256)) return undefined;
  // `%2e%2e` is `..` once the URL is resolved: no escapes at all in a pool path.
  if (filename.split('/').some((segment) => segment === '..') || filename.startsWith('/') || /[%\\?#]/.test(filename)) return undefined;
  return { name: name as AgentPackageName, version: withoutEpoch(version), filename, size: Number(size), sha256: sha256.toLowerCase() };
}

/** The agent packages of a Packages index (other packages and malformed entries ignored). */
export function agentPackages(stanzas: readonly Stanza[]): PackageEntry[] {
  return stanzas.map(entryOf).filter((entry): entry is PackageEntry => entry !== undefined);
}

/** `datadog-heroku-agent` at `version`, else `datadog-agent` at `version`, else undefined. */
export function resolvePackage(entries: readonly PackageEntry[], version: string): PackageEntry | undefined {
  for (const name of AGENT_PACKAGES) {
    const found = entries.find((entry) => entry.name === name && entry.version === version);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Versions available per package, newest first, for the not-found message. */
export function availableVersions(entries: readonly PackageEntry[], name: AgentPackageName): string[] {
  const versions = [...new Set(entries.filter((entry) => entry.name === name).map((entry) => entry.version))];
  return versions.sort((a, b) => compareVersions(b, a));
}

/** Numeric comparison of upstream versions (`7.52.0-1` vs `7.68.0-1`); enough for agent releases. */
export function compareVersions(a: string, b: string): number {
  // Digit strings, compared by length then text: exact for numbers of any size.
  const parts = (v: string) => withoutEpoch(v).split(/[.-]/).map((p) => (/^\d+$/.test(p) ? p.replace(/^0+(?=\d)/, '') : '0'));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    if (x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

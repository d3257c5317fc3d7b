import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { APT_ARCH, APT_KEY_FILES, APT_SUITE } from '../../constants.js';
import { BuildError } from '../errors.js';
import { fetchOptional, printable } from '../http.js';
import { parseStanzas } from './deb822.js';
import { releaseChecksums } from './release.js';
import { buildKeyring, verifyDetached, verifyInline } from './signature.js';
import { agentPackages, type PackageEntry } from './versions.js';

export interface RepositoryIndex {
  readonly packages: PackageEntry[];
  /** Which signed file vouched for the index. */
  readonly signedBy: 'InRelease' | 'Release.gpg';
  readonly keys: readonly string[];
}

/** Fetches the keys that exist under `keysUrl`; none at all is an error. */
async function fetchKeys(keysUrl: string): Promise<Map<string, Buffer>> {
  const keys = new Map<string, Buffer>();
  for (const name of APT_KEY_FILES) {
    const key = await fetchOptional(`${keysUrl}/${name}`, 'DD_APT_KEYS_URL');
    if (key !== undefined && key.length > 0) keys.set(name, key);
  }
  if (keys.size === 0) {
    throw new BuildError('APT_KEYS_NOT_FOUND', `No Datadog apt signing key found at ${printable(keysUrl)} (looked for ${APT_KEY_FILES.join(', ')}).`, 'Set DD_APT_KEYS_URL to a server with the DATADOG_APT_KEY_*.public files (default https://keys.datadoghq.com).');
  }
  return keys;
}

/** The verified Release text: InRelease when served, else Release + Release.gpg. */
async function signedRelease(dists: string, keyring: string, dir: string): Promise<{ text: string; signedBy: RepositoryIndex['signedBy'] }> {
  const inRelease = await fetchOptional(`${dists}/InRelease`, 'DD_APT_REPO_URL');
  if (inRelease !== undefined) return { text: verifyInline(inRelease, keyring, dir), signedBy: 'InRelease' };
  const release = await fetchOptional(`${dists}/Release`, 'DD_APT_REPO_URL');
  if (release === undefined) {
    throw new BuildError('APT_INDEX_NOT_FOUND', `${printable(dists)} has neither InRelease nor Release: not an apt repository with suite "${APT_SUITE}".`, 'Set DD_APT_REPO_URL to the Datadog apt repository (default https://apt.datadoghq.com) or a mirror of it.');
  }
  const signature = await fetchOptional(`${dists}/Release.gpg`, 'DD_APT_REPO_URL');
  if (signature === undefined) {
    throw new BuildError('APT_SIGNATURE_INVALID', `The repository at ${printable(dists)} is unsigned (no InRelease, no Release.gpg).`, 'Set DD_APT_REPO_URL to a signed Datadog apt repository; unsigned indexes are refused.');
  }
  return { text: verifyDetached(release, signature, keyring, dir), signedBy: 'Release.gpg' };
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The signed, checksum-verified list of agent packages of component `major`. */
export async function loadRepositoryIndex(repoUrl: string, keysUrl: string, major: string, dir: string): Promise<RepositoryIndex> {
  const keys = await fetchKeys(keysUrl);
  const keyring = buildKeyring(keys, dir);
  const dists = `${repoUrl}/dists/${APT_SUITE}`;
  const { text, signedBy } = await signedRelease(dists, keyring, dir);
  const checksums = releaseChecksums(text);
  for (const name of ['Packages.gz', 'Packages'] as const) {
    const path = `${major}/binary-${APT_ARCH}/${name}`;
    const expected = checksums.get(path);
    if (expected === undefined) continue;
    const body = await fetchOptional(`${dists}/${path}`, 'DD_APT_REPO_URL');
    if (body === undefined) continue;
    if (body.length !== expected.size || sha256(body) !== expected.sha256) {
      throw new BuildError('APT_INDEX_CHECKSUM_MISMATCH', `${path} does not match the SHA256 the signed Release lists: the mirror is corrupt or tampered with.`, 'Rebuild later, or set DD_APT_REPO_URL to an intact mirror of the Datadog apt repository.');
    }
    const plain = name.endsWith('.gz') ? gunzipSync(body) : body;
    return { packages: agentPackages(parseStanzas(plain.toString('utf8'))), signedBy, keys: [...keys.keys()] };
  }
  throw new BuildError('APT_INDEX_NOT_FOUND', `The repository lists no ${major}/binary-${APT_ARCH}/Packages index (component "${major}" of suite "${APT_SUITE}").`, `Check DD_APT_REPO_URL and DD_AGENT_VERSION / DD_AGENT_MAJOR_VERSION (component ${major}).`);
}

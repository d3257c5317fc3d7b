import { parseStanzas } from './deb822.js';

export interface IndexFile {
  readonly sha256: string;
  readonly size: number;
}

/** The SHA256 table of a Release file: path relative to `dists/<suite>/` → checksum and size. */
export function releaseChecksums(release: string): Map<string, IndexFile> {
  const files = new Map<string, IndexFile>();
  const field = parseStanzas(release)[0]?.get('SHA256') ?? '';
  for (const row of field.split('\n')) {
    const [sha256, size, path] = row.trim().split(/\s+/);
    if (sha256 === undefined || size === undefined || path === undefined) continue;
    if (!/^[0-9a-f]{64}$/i.test(sha256) || !/^\d+$/.test(size)) continue;
    files.set(path, { sha256: sha256.toLowerCase(), size: Number(size) });
  }
  return files;
}

import { spawn } from 'node:child_process';
import { closeSync, createReadStream, lstatSync, type ReadStream, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { x as extractTar } from 'tar';
import { BuildError } from './errors.js';

export interface ArMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

const NOT_A_DEB = 'Rebuild; if it happens again set DD_AGENT_VERSION to another version or DD_APT_REPO_URL to another mirror.';

/** Members of the ar archive a .deb is. */
export function arMembers(file: string): ArMember[] {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(8);
    if (readSync(fd, magic, 0, 8, 0) !== 8 || magic.toString('latin1') !== '!<arch>\n') {
      throw new BuildError('DEB_INVALID', 'The downloaded agent package is not a Debian archive.', NOT_A_DEB);
    }
    const members: ArMember[] = [];
    const header = Buffer.alloc(60);
    let position = 8;
    while (readSync(fd, header, 0, 60, position) === 60) {
      const name = header.toString('latin1', 0, 16).trim().replace(/\/$/, '');
      const size = Number(header.toString('latin1', 48, 58).trim());
      if (!Number.isSafeInteger(size) || size < 0 || header.toString('latin1', 58, 60) !== '`\n') {
        throw new BuildError('DEB_INVALID', 'The agent package has a corrupt archive header.', NOT_A_DEB);
      }
      members.push({ name, offset: position + 60, size });
      position += 60 + size + (size % 2);
    }
    return members;
  } finally {
    closeSync(fd);
  }
}

/** data.tar.xz and .zst go through the xz / zstd commands (Node 20's zlib has neither). */
function decompressor(member: string): { command?: string; gzip: boolean } {
  if (member === 'data.tar.gz') return { gzip: true };
  if (member === 'data.tar.xz') return { command: 'xz', gzip: false };
  if (member === 'data.tar.zst') return { command: 'zstd', gzip: false };
  if (member === 'data.tar') return { gzip: false };
  throw new BuildError('DEB_INVALID', `The agent package's payload ${member} uses an unsupported compression.`, 'Set DD_AGENT_VERSION to a version packaged with xz, zstd or gzip.');
}

export interface UnsafeEntry {
  readonly path: string;
  readonly reason: string;
}

/**
 * Where a relative link target leads from the folder `from`, walked segment by segment: undefined
 * when it leaves the root or passes through a symbolic link (whose own target would decide).
 */
function linkTarget(from: string, target: string, symlinks: ReadonlySet<string>): string | undefined {
  const parts = from === '.' || from === '' ? [] : from.split('/');
  const segments = target.split('/').filter((s) => s !== '' && s !== '.');
  for (const [i, segment] of segments.entries()) {
    if (symlinks.has(parts.join('/')) && parts.length > 0) return undefined;
    if (segment === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(segment);
      if (i < segments.length - 1 && symlinks.has(parts.join('/'))) return undefined;
    }
  }
  return parts.join('/');
}

/** Why an archive entry may not be written under the root, or undefined when it is safe. */
export function unsafeReason(path: string, type: string, linkpath: string | undefined, symlinks: ReadonlySet<string>, directories: ReadonlySet<string> = new Set()): string | undefined {
  if (path.startsWith('/')) return 'absolute path';
  const normal = posix.normalize(path);
  if (path.split('/').includes('..') || normal.startsWith('../') || normal === '..') return 'path with ".."';
  const clean = normal.replace(/\/$/, '');
  if ((clean === '.' || clean === '') && type !== 'Directory') return 'an entry in place of the package root';
  const segments = clean.split('/');
  for (let i = 1; i < segments.length; i++) {
    if (symlinks.has(segments.slice(0, i).join('/'))) return 'path through a symbolic link';
  }
  if (type === 'SymbolicLink' && linkpath !== undefined) {
    // An absolute target is re-rooted under the root: walked from there.
    const target = linkpath.startsWith('/') ? linkTarget('.', linkpath, symlinks) : linkTarget(posix.dirname(clean), linkpath, symlinks);
    if (target === undefined) return `symbolic link to ${linkpath} outside the package or through another link`;
    // A link to itself (or below itself) is a loop node-tar never finishes extracting.
    if (target === clean || target.startsWith(`${clean}/`)) return `symbolic link to ${linkpath}, itself`;
  }
  if (type === 'Link' && linkpath !== undefined) {
    const target = linkpath.startsWith('/') ? undefined : linkTarget('.', linkpath, symlinks);
    if (target === undefined) return `hard link to ${linkpath} outside the package or through a link`;
    // A hard link to a folder (its own parent, say) is no file: tar never finishes making it.
    if (target === '' || path.endsWith('/') || directories.has(target) || clean === target || clean.startsWith(`${target}/`) || target.startsWith(`${clean}/`)) {
      return `hard link ${path} to the folder ${linkpath}`;
    }
  }
  if (!['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link'].includes(type)) return `unsupported entry type ${type}`;
  return undefined;
}

/**
 * Extracts the payload of `deb` under `root` (a fresh staging folder: it is removed on refusal), refusing absolute paths, `..`, links out of the
 * root and writes through links. Absolute symlinks (`/opt/datadog-agent/...`) are re-rooted
 * under `root` so they keep working inside the slug.
 */
export async function extractDeb(deb: string, root: string): Promise<void> {
  const member = arMembers(deb).find((m) => m.name.startsWith('data.tar'));
  if (member === undefined) throw new BuildError('DEB_INVALID', 'The agent package has no data.tar payload.', NOT_A_DEB);
  const { command, gzip } = decompressor(member.name);
  mkdirSync(root, { recursive: true });

  const unsafe: UnsafeEntry[] = [];
  const symlinks = new Set<string>();
  const directories = new Set<string>();
  const links: { path: string; target: string }[] = [];
  const unpack = extractTar({
    cwd: root,
    strict: true,
    preserveOwner: false,
    gzip: gzip ? true : undefined,
    filter: (path, entry) => {
      const type = 'type' in entry ? entry.type : 'File';
      const linkpath = 'linkpath' in entry ? entry.linkpath : undefined;
      const reason = unsafeReason(path, type, linkpath, symlinks, directories);
      if (reason !== undefined) {
        unsafe.push({ path, reason });
        return false;
      }
      const clean = posix.normalize(path).replace(/\/$/, '');
      if (type === 'Directory') directories.add(clean);
      if (type === 'SymbolicLink') {
        // Links are made after extraction: node-tar deadlocks on a link named after its own folder (a/b -> a).
        symlinks.add(clean);
        links.push({ path: clean, target: linkpath ?? '' });
        return false;
      }
      return true;
    },
  });

  // Opened once it is piped: a stream opened before a failed spawn would still open the file later.
  let payload: ReadStream | undefined;
  const open = (): ReadStream => (payload = createReadStream(deb, { start: member.offset, end: member.offset + member.size - 1 }));
  try {
    if (command === undefined) {
      await pipeline(open(), unpack);
    } else {
      const child = spawn(command, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
      // A missing tool fails here, before any stream is piped.
      await new Promise((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      try {
        await Promise.all([pipeline(open(), child.stdin), pipeline(child.stdout as Readable, unpack)]);
      } catch (error) {
        child.kill();
        throw error;
      }
      const code = await exited;
      if (code !== 0) throw new BuildError('DEB_INVALID', `${command} could not decompress the agent package: ${stderr.trim()}`, NOT_A_DEB);
    }
  } catch (error) {
    if (error instanceof BuildError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && command !== undefined) {
      throw new BuildError('TOOL_MISSING', `${command} is not installed on this build machine.`, `Install ${command === 'xz' ? 'xz-utils' : 'zstd'} or set DD_AGENT_VERSION to a version packaged with gzip.`);
    }
    throw new BuildError('DEB_INVALID', `The agent package could not be extracted: ${(error as Error).message}`, NOT_A_DEB);
  } finally {
    payload?.destroy();
  }

  if (unsafe.length > 0) {
    rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); // tar may still be closing files
    throw new BuildError(
      'UNSAFE_ARCHIVE_ENTRY',
      `The agent package contains ${unsafe.length} unsafe entr${unsafe.length === 1 ? 'y' : 'ies'}; nothing was installed.`,
      'Set DD_AGENT_VERSION to another version or DD_APT_REPO_URL to the official repository: a genuine Datadog package never writes outside /opt and /etc.',
      unsafe.slice(0, 5).map((entry) => `${entry.path}: ${entry.reason}`),
    );
  }
  for (const link of links) {
    const at = join(root, link.path);
    mkdirSync(dirname(at), { recursive: true });
    if (exists(at) && lstatSync(at).isDirectory()) {
      rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); // tar may still be closing files
      throw new BuildError('UNSAFE_ARCHIVE_ENTRY', 'The agent package has a symbolic link over a folder; nothing was installed.', NOT_A_DEB, [`${link.path}: symbolic link over a folder`]);
    }
    rmSync(at, { force: true });
    // Absolute targets (`/opt/datadog-agent/...`) are re-rooted under the root; `/../x` stays under it.
    const target = link.target.startsWith('/') ? relative(dirname(at), join(root, posix.normalize(`/${link.target}`))) || '.' : link.target;
    symlinkSync(target, at);
  }
}

/** Moves the tree at `from` into `to`, merging with directories already there (other apt packages). */
export function mergeTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory() && !entry.isSymbolicLink() && exists(target) && lstatSync(target).isDirectory()) {
      mergeTree(source, target);
    } else {
      rmSync(target, { recursive: true, force: true });
      renameSync(source, target);
    }
  }
  rmSync(from, { recursive: true, force: true });
}

/** True when `path` exists without following a final symlink. */
export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

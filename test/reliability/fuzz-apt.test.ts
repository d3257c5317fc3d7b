// Fuzzing the installer's apt side (issue 11, point 4): hostile Packages/Release indexes through the
// deb822 parser, the Release checksum table, the package picker and the version comparison; hostile
// .deb archives (truncated ar, wrong member order, oversized members, tar entries with "..",
// absolute paths, symlinks and hard links out, link chains, xz/zstd garbage) through arMembers and
// extractDeb. Properties: one BuildError with its code or a safe result; never another exception,
// never a write outside the target folder, never a link in the result that leads out of it.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_PACKAGES } from '../../src/constants.js';
import { parseStanzas } from '../../src/installer/apt/deb822.js';
import { releaseChecksums } from '../../src/installer/apt/release.js';
import { agentPackages, availableVersions, compareVersions, requestedVersion, resolvePackage, withoutEpoch } from '../../src/installer/apt/versions.js';
import { arMembers, extractDeb } from '../../src/installer/deb.js';
import { BuildError } from '../../src/installer/errors.js';
import { arArchive } from '../helpers/apt-repo.mjs';

const SEED = 0x11_04_a9;
const work = mkdtempSync(join(tmpdir(), 'fuzz-apt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Indexes.

const HEX = '0123456789abcdef';
const sha = fc.string({ unit: fc.constantFrom(...HEX.split('')), minLength: 64, maxLength: 64 });
const fieldText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '../../etc/passwd', '/etc/passwd', 'pool/../../x.deb', 'pool/./../x.deb', 'pool/%2e%2e/%2e%2e/x.deb', '//evil.example/x.deb', 'pool/a\\..\\..\\x.deb', 'pool/x.deb\n ../y', '1:7.81.2-1', '7.81.2-1', '-1', '1e400', '9'.repeat(400), 'datadog-agent', 'datadog-heroku-agent'),
);
/** Packages/Release-like text: real field names, hostile values, continuation lines, CRs, junk lines. */
const deb822ish = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom('Package', 'Version', 'Filename', 'Size', 'SHA256', 'MD5sum', 'Description', 'package', 'Package ', ' Package', 'X'), fc.oneof(fieldText, sha, fc.nat().map(String))).map(([k, v]) => `${k}: ${v}`),
      fc.constantFrom('', ' ', '\t', ' continued', '\tcontinued', ':', ':::', 'no colon here', '\r', ' .', '-----BEGIN PGP SIGNATURE-----', '\u0000', '\uFEFF'),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 40 },
  )
  .map((lines) => lines.join(fc.sample(fc.constantFrom('\n', '\r\n'), { seed: lines.length, numRuns: 1 })[0]!));

describe('apt indexes', () => {
  it('parseStanzas: any text gives stanzas of non-empty, one-line field names, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(deb822ish, fc.string({ unit: 'binary', maxLength: 500 })), (text) => {
        const stanzas = parseStanzas(text);
        for (const stanza of stanzas) {
          expect(stanza.size).toBeGreaterThan(0);
          for (const key of stanza.keys()) {
            expect(key.length).toBeGreaterThan(0);
            expect(key).not.toMatch(/[\n:]/);
          }
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('releaseChecksums: hostile SHA256 tables give only well-formed rows', () => {
    const row = fc.tuple(fc.oneof(sha, fieldText), fc.oneof(fc.nat().map(String), fieldText), fieldText).map(([s, n, p]) => ` ${s} ${n} ${p}`);
    fc.assert(
      fc.property(fc.array(row, { maxLength: 10 }), deb822ish, (rows, junk) => {
        const files = releaseChecksums(`Origin: Datadog, Inc.\nSHA256:\n${rows.join('\n')}\n${junk}`);
        for (const [path, file] of files) {
          expect(path.length).toBeGreaterThan(0);
          expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
          // A size of 400 digits reads as Infinity: harmless (it can only mismatch the download).
          expect(file.size >= 0).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('agentPackages: only agent packages, well-formed, with a Filename that cannot leave the repository', () => {
    fc.assert(
      fc.property(fc.array(deb822ish, { maxLength: 6 }), (stanzas) => {
        for (const entry of agentPackages(parseStanzas(stanzas.join('\n\n')))) {
          expect(AGENT_PACKAGES).toContain(entry.name);
          expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
          expect(entry.size >= 0, `size ${entry.size}`).toBe(true);
          expect(entry.filename.startsWith('/')).toBe(false);
          expect(entry.filename.split(/[/\\]/)).not.toContain('..');
          // As the download URL resolves it (WHATWG URLs read %2e%2e as ".." too).
          const url = new URL(`https://apt.example/repo/${entry.filename}`);
          expect(url.host).toBe('apt.example');
          expect(url.pathname.startsWith('/repo/'), url.pathname).toBe(true);
          expect(entry.version).toBe(withoutEpoch(entry.version));
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('the Filename of a hostile entry never escapes the repository (targeted)', () => {
    const stanza = (filename: string) => `Package: datadog-agent\nVersion: 1:7.81.2-1\nFilename: ${filename}\nSize: 10\nSHA256: ${'a'.repeat(64)}\n`;
    for (const filename of ['../x.deb', '/x.deb', 'pool/../../x.deb', 'pool/%2e%2e/%2e%2e/x.deb', 'pool/.%2E/.%2e/x.deb', '//evil.example/x.deb', 'pool\\..\\..\\x.deb']) {
      for (const entry of agentPackages(parseStanzas(stanza(filename)))) {
        const url = new URL(`https://apt.example/repo/${entry.filename}`);
        expect(`${url.host}${url.pathname}`, filename).toMatch(/^apt\.example\/repo\//);
      }
    }
  });

  const version = fc.oneof(
    fc.array(fc.oneof(fc.nat({ max: 200 }).map(String), fc.constantFrom('rc', '~rc1', 'beta', '', '0', '00', '+git')), { minLength: 1, maxLength: 5 }).chain((parts) =>
      fc.array(fc.constantFrom('.', '-', '~', '+'), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => (i === 0 ? p : seps[i]! + p)).join('')),
    ),
    fc.string({ maxLength: 20 }),
    fc.stringMatching(/^\d{15,400}$/),
  );

  it('compareVersions is a total order: reflexive, antisymmetric, transitive, epoch-blind, never NaN', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const ab = compareVersions(a, b);
        expect(Number.isNaN(ab), `compareVersions(${a}, ${b})`).toBe(false);
        expect(compareVersions(a, a), `compareVersions(${a}, ${a})`).toBe(0);
        expect(Math.sign(compareVersions(b, a))).toBe(-Math.sign(ab) || 0);
        if (ab <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
        if (!a.includes(':')) expect(compareVersions(`1:${a}`, a)).toBe(0);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('compareVersions on components too long for a double (a hostile Version of 400 digits) is still an order', () => {
    const huge = '9'.repeat(400);
    expect(compareVersions(huge, huge)).toBe(0);
    expect(compareVersions(`7.${huge}-1`, `7.${huge}-1`)).toBe(0);
    expect(Math.sign(compareVersions(`${huge}0`, huge))).toBe(1);
    expect(Number.isNaN(compareVersions(huge, `1${huge}`))).toBe(false);
  });

  it('requestedVersion, resolvePackage and availableVersions take any DD_AGENT_VERSION and any index', () => {
    fc.assert(
      fc.property(fc.oneof(version, fieldText, fc.constant(undefined)), fc.constantFrom('6' as const, '7' as const), fc.array(deb822ish, { maxLength: 4 }), (wanted, major, stanzas) => {
        const requested = requestedVersion(wanted, major);
        expect(typeof requested.version).toBe('string');
        const entries = agentPackages(parseStanzas(stanzas.join('\n\n')));
        const found = resolvePackage(entries, requested.version);
        if (found !== undefined) expect(found.version).toBe(requested.version);
        for (const name of AGENT_PACKAGES) {
          const versions = availableVersions(entries, name);
          for (let i = 1; i < versions.length; i++) expect(compareVersions(versions[i - 1]!, versions[i]!)).toBeGreaterThanOrEqual(0);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// .deb archives.

type TarType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'chardev';
interface TarEntry {
  name: string;
  type: TarType;
  body?: string;
  linkname?: string;
}
const TYPE_FLAG: Record<TarType, string> = { file: '0', hardlink: '1', symlink: '2', chardev: '3', dir: '5', fifo: '6' };

/** A ustar archive of any entries, names and links as given (dpkg-deb and node-tar would clean them). */
function tar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.type === 'file' ? (entry.body ?? '') : '');
    const header = Buffer.alloc(512);
    header.write(entry.name.slice(0, 100), 0, 100);
    header.write((entry.type === 'dir' ? 0o755 : 0o644).toString(8).padStart(7, '0'), 100);
    header.write('0000000', 108);
    header.write('0000000', 116);
    header.write(body.length.toString(8).padStart(11, '0'), 124);
    header.write('14000000000', 136);
    header.write('        ', 148);
    header.write(TYPE_FLAG[entry.type], 156);
    header.write((entry.linkname ?? '').slice(0, 100), 157, 100);
    header.write('ustar\x0000', 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(header, body);
    if (body.length % 512 !== 0) parts.push(Buffer.alloc(512 - (body.length % 512)));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const control = gzipSync(tar([{ name: './control', type: 'file', body: 'Package: datadog-agent\n' }]));
function debOf(dataName: string, data: Buffer, { order = 'normal' }: { order?: 'normal' | 'data-first' | 'no-binary' } = {}): Buffer {
  const members = [
    { name: 'debian-binary', body: Buffer.from('2.0\n') },
    { name: 'control.tar.gz', body: control },
    { name: dataName, body: data },
  ];
  if (order === 'data-first') members.reverse();
  if (order === 'no-binary') members.shift();
  return arArchive(members);
}

interface Box {
  /** The folder extractDeb writes under. */
  root: string;
  /** Files beside it that no archive may change. */
  victim: string;
  outsideDir: string;
  deb: string;
}
let boxes = 0;
function box(): Box {
  const base = join(work, `box-${boxes++}`);
  const outsideDir = join(base, 'outside');
  mkdirSync(outsideDir, { recursive: true });
  const victim = join(outsideDir, 'victim.txt');
  writeFileSync(victim, 'original\n');
  return { root: join(base, 'root'), victim, outsideDir, deb: join(base, 'agent.deb') };
}

/** Every path under `dir` (not following links). */
function walk(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    out.push(path);
    if (lstatSync(path).isDirectory()) walk(path, out);
  }
  return out;
}

/** Where a link leads, following every link on the way as the kernel does; for a dangling one, where its deepest existing part leads. */
function landing(path: string): string {
  // The native realpath: fs.realpathSync's own walk resolves "b/.." lexically, not through the link b.
  try {
    return realpathSync.native(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return dirname(path); // a loop leads nowhere
  }
  let p = resolve(realpathSync.native(dirname(path)), readlinkSync(path));
  const rest: string[] = [];
  while (!existsSync(p) && p !== dirname(p)) {
    rest.unshift(basename(p));
    p = dirname(p);
  }
  return join(realpathSync.native(p), ...rest);
}

/**
 * What a hostile archive may not have done: change or add anything beside the root, or, when it was
 * accepted, leave a link leading out of it or a special file (a refused one's staging folder is removed
 * by the installer, src/installer/official.ts).
 */
function assertContained(b: Box, outcome: string): void {
  expect(readFileSync(b.victim, 'utf8'), 'a file outside the root was written').toBe('original\n');
  expect(readdirSync(b.outsideDir), 'a file was added outside the root').toEqual(['victim.txt']);
  expect(readdirSync(dirname(b.root)).sort(), 'something appeared beside the root').toEqual(expect.arrayContaining(['agent.deb', 'outside']));
  for (const entry of readdirSync(dirname(b.root))) expect(['agent.deb', 'outside', 'root']).toContain(entry);
  if (outcome !== 'ok' || !existsSync(b.root)) return;
  const root = realpathSync.native(b.root);
  for (const path of walk(b.root)) {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) {
      const to = landing(path);
      expect(to === root || to.startsWith(root + sep), `${path.slice(b.root.length)} -> ${readlinkSync(path)} leads to ${to}, outside the root`).toBe(true);
    }
    if (st.isFile() && st.nlink > 1) {
      // A hard link shared with a file outside the root: writing one writes the other.
      expect(st.ino).not.toBe(lstatSync(b.victim).ino);
    }
    expect(st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice(), `${path}: a special file`).toBe(false);
  }
}

/** extractDeb: resolves, or rejects with a BuildError of one of `codes`; anything else fails. */
async function extractOrRefuse(b: Box, codes: readonly string[] = ['DEB_INVALID', 'UNSAFE_ARCHIVE_ENTRY']): Promise<'ok' | string> {
  try {
    await extractDeb(b.deb, b.root);
    return 'ok';
  } catch (error) {
    if (!(error instanceof BuildError)) throw new Error(`extractDeb threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
    expect(codes, error.message).toContain(error.code);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.fix.length).toBeGreaterThan(0);
    return error.code;
  }
}

describe('.deb archives', () => {
  it('arMembers: arbitrary bytes and mutated archives give members or a DEB_INVALID, never another exception', () => {
    const good = debOf('data.tar.gz', gzipSync(tar([{ name: './opt/a', type: 'file', body: 'a' }])));
    const file = join(work, 'ar-fuzz.deb');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.concat([Buffer.from('!<arch>\n'), b])),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          fc.tuple(fc.nat({ max: good.length }), fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([cut, flips]) => {
            const b = Buffer.from(good.subarray(0, cut));
            for (const [at, v] of flips) if (at < b.length) b[at] = v;
            return b;
          }),
        ),
        (bytes) => {
          writeFileSync(file, bytes);
          try {
            for (const m of arMembers(file)) {
              expect(Number.isSafeInteger(m.size) && m.size >= 0).toBe(true);
              expect(m.offset).toBeGreaterThanOrEqual(68);
            }
          } catch (error) {
            if (!(error instanceof BuildError)) throw error;
            expect(error.code).toBe('DEB_INVALID');
          }
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('truncated, reordered and oversized archives: DEB_INVALID or a contained result', async () => {
    const data = gzipSync(tar([{ name: './opt/', type: 'dir' }, { name: './opt/agent', type: 'file', body: 'x'.repeat(5000) }]));
    const whole = debOf('data.tar.gz', data);
    const cases: [string, Buffer][] = [
      ['truncated in the data member', whole.subarray(0, whole.length - 700)],
      ['truncated in a header', whole.subarray(0, 8 + 60 + 4 + 30)],
      ['only the magic', Buffer.from('!<arch>\n')],
      ['data member first', debOf('data.tar.gz', data, { order: 'data-first' })],
      ['no debian-binary', debOf('data.tar.gz', data, { order: 'no-binary' })],
      ['no data member', arArchive([{ name: 'debian-binary', body: Buffer.from('2.0\n') }])],
      ['empty data member', debOf('data.tar.gz', Buffer.alloc(0))],
      ['unknown compression', debOf('data.tar.lz4', data)],
      ['xz garbage', debOf('data.tar.xz', Buffer.from('\xfd7zXZ\x00 garbage garbage', 'latin1'))],
      ['zstd garbage', debOf('data.tar.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5]))],
      ['gzip garbage', debOf('data.tar.gz', Buffer.from([0x1f, 0x8b, 8, 0, 9, 9, 9]))],
      ['plain tar garbage', debOf('data.tar', Buffer.alloc(1536, 0x41))],
      ['gzip data named .xz', debOf('data.tar.xz', data)],
    ];
    // A member whose size claims far more than the file holds (1 GB), and one past MAX_SAFE_INTEGER.
    const oversized = Buffer.from(whole);
    const dataHeader = oversized.indexOf('data.tar.gz');
    oversized.write('1000000000', dataHeader + 48, 'latin1');
    cases.push(['member size past the end of the file', oversized]);
    const unsafeSize = Buffer.from(whole);
    unsafeSize.write('9999999999', unsafeSize.indexOf('control.tar.gz') + 48, 'latin1');
    cases.push(['control member of 9999999999 bytes', unsafeSize]);
    for (const [what, bytes] of cases) {
      const b = box();
      writeFileSync(b.deb, bytes);
      const result = await extractOrRefuse(b);
      assertContained(b, result);
      if (!['data member first', 'no debian-binary', 'member size past the end of the file', 'control member of 9999999999 bytes'].includes(what)) {
        expect(result, what).toBe('DEB_INVALID');
      }
    }
  });

  it('xz and zstd streams: real garbage after a valid magic, and a valid stream of junk, are DEB_INVALID', async () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 0xff;
    for (const [name, tool] of [['data.tar.xz', 'xz'], ['data.tar.zst', 'zstd']] as const) {
      const b = box();
      writeFileSync(b.deb, debOf(name, execFileSync(tool, ['-c', '-q'], { input: junk })));
      const outcome = await extractOrRefuse(b);
      assertContained(b, outcome);
      expect(outcome).toBe('DEB_INVALID');
      const c = box();
      const stream = execFileSync(tool, ['-c', '-q'], { input: tar([{ name: './opt/a', type: 'file', body: 'a' }]) });
      writeFileSync(c.deb, debOf(name, stream.subarray(0, stream.length - 9)));
      const cut = await extractOrRefuse(c);
      assertContained(c, cut);
      expect(cut).toBe('DEB_INVALID');
    }
  });

  it('targeted escapes: "..", absolute paths, symlinks out, writes through links, link chains, hard links out', async () => {
    const cases: [string, TarEntry[]][] = [
      ['dotdot file', [{ name: './opt/../../outside/victim.txt', type: 'file', body: 'owned' }]],
      ['absolute file', [{ name: '/PLACEHOLDER/victim.txt', type: 'file', body: 'owned' }]],
      ['relative symlink out then a write through it', [{ name: './opt/out', type: 'symlink', linkname: '../../outside' }, { name: './opt/out/victim.txt', type: 'file', body: 'owned' }]],
      ['symlink at the root to ..', [{ name: 'up', type: 'symlink', linkname: '..' }, { name: 'up/outside/victim.txt', type: 'file', body: 'owned' }]],
      ['absolute symlink with .. (re-rooted)', [{ name: './opt/abs', type: 'symlink', linkname: '/../outside' }]],
      ['absolute symlink far up (re-rooted)', [{ name: './opt/abs', type: 'symlink', linkname: '/../../../../../../../../../../../../etc' }]],
      ['chained symlinks that escape only when followed', [{ name: 'a/', type: 'dir' }, { name: 'a/b', type: 'symlink', linkname: '..' }, { name: 'a/c', type: 'symlink', linkname: 'b/..' }]],
      [
        'a hard link through a symlink chain to a file outside, then written',
        [{ name: 'a/', type: 'dir' }, { name: 'a/b', type: 'symlink', linkname: '..' }, { name: 'a/c', type: 'symlink', linkname: 'b/..' }, { name: 'h', type: 'hardlink', linkname: 'a/c/outside/victim.txt' }, { name: 'h', type: 'file', body: 'owned' }],
      ],
      [
        'a hard link to a symlink, then a write through the hard link',
        [{ name: 'out', type: 'symlink', linkname: 'inside' }, { name: 'inside/', type: 'dir' }, { name: 'h', type: 'hardlink', linkname: 'out' }, { name: 'h/x', type: 'file', body: 'owned' }],
      ],
      ['hard link with ..', [{ name: 'h', type: 'hardlink', linkname: '../outside/victim.txt' }, { name: 'h', type: 'file', body: 'owned' }]],
      ['hard link absolute', [{ name: 'h', type: 'hardlink', linkname: '/PLACEHOLDER/victim.txt' }, { name: 'h', type: 'file', body: 'owned' }]],
      ['a file replaced by a symlink then written', [{ name: 'f', type: 'file', body: 'x' }, { name: 'f', type: 'symlink', linkname: '../outside/victim.txt' }, { name: 'f', type: 'file', body: 'owned' }]],
      ['a directory replaced by a symlink out', [{ name: 'd/', type: 'dir' }, { name: 'd', type: 'symlink', linkname: '../outside' }, { name: 'd/victim.txt', type: 'file', body: 'owned' }]],
      ['a FIFO and a device', [{ name: 'p', type: 'fifo' }, { name: 'c', type: 'chardev' }]],
      ['backslashes', [{ name: '..\\..\\outside\\victim.txt', type: 'file', body: 'owned' }]],
      ['a symlink loop inside', [{ name: 'l1', type: 'symlink', linkname: 'l2' }, { name: 'l2', type: 'symlink', linkname: 'l1' }, { name: 'l1/x', type: 'file', body: 'x' }]],
    ];
    const failures: string[] = [];
    for (const [what, entries] of cases) {
      const b = box();
      const fixed = entries.map((e) => ({ ...e, name: e.name.replace('/PLACEHOLDER', b.outsideDir), ...(e.linkname !== undefined ? { linkname: e.linkname.replace('/PLACEHOLDER', b.outsideDir) } : {}) }));
      for (const [name, data] of [['data.tar', tar(fixed)], ['data.tar.gz', gzipSync(tar(fixed))]] as const) {
        rmSync(b.root, { recursive: true, force: true, maxRetries: 3 });
        writeFileSync(b.deb, debOf(name, data));
        try {
          const outcome = await extractOrRefuse(b);
          assertContained(b, outcome);
        } catch (error) {
          failures.push(`${what} (${name}): ${(error as Error).message.split('\n')[0]}`);
          writeFileSync(b.victim, 'original\n');
          for (const f of readdirSync(b.outsideDir)) if (f !== 'victim.txt') rmSync(join(b.outsideDir, f), { recursive: true, force: true });
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a hard link to a missing target or to its own folder is one DEB_INVALID (or skipped), not a hang', async () => {
    const hangs: string[] = [];
    const cases: [string, TarEntry[]][] = [
      ['alone', [{ name: 'h', type: 'hardlink', linkname: 'missing' }]],
      ['in a new folder', [{ name: 'a/h', type: 'hardlink', linkname: 'a' }]],
      ['then a folder', [{ name: 'a/opt', type: 'hardlink', linkname: 'a' }, { name: 'opt', type: 'dir' }]],
      ['then a file', [{ name: 'h', type: 'hardlink', linkname: 'missing' }, { name: 'f', type: 'file', body: 'x' }]],
    ];
    for (const [what, entries] of cases) {
      for (const [name, data] of [['data.tar', tar(entries)], ['data.tar.gz', gzipSync(tar(entries))]] as const) {
        const b = box();
        writeFileSync(b.deb, debOf(name, data));
        const outcome = await Promise.race([extractOrRefuse(b), new Promise<string>((r) => setTimeout(() => r('hang'), 3000).unref())]);
        if (outcome === 'hang') hangs.push(`${what} (${name})`);
        else assertContained(b, outcome);
      }
    }
    expect(hangs, 'extractDeb never settled').toEqual([]);
  }, 60_000);

  it('random tar trees of files, folders, symlinks and hard links with hostile names: refused or contained', async () => {
    const segment = fc.constantFrom('opt', 'a', 'b', '..', '.', '', 'outside', 'victim.txt', 'x');
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
    const link = fc.oneof(path, path.map((p) => `/${p}`));
    const entry = fc.oneof(
      fc.record({ name: path, type: fc.constant<TarType>('file'), body: fc.constant('owned') }),
      fc.record({ name: path, type: fc.constant<TarType>('dir') }),
      fc.record({ name: path, type: fc.constant<TarType>('symlink'), linkname: link }),
      fc.record({ name: path, type: fc.constant<TarType>('hardlink'), linkname: link }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), fc.boolean(), async (entries, gz) => {
        const b = box();
        writeFileSync(b.deb, debOf(gz ? 'data.tar.gz' : 'data.tar', gz ? gzipSync(tar(entries)) : tar(entries)));
        assertContained(b, await extractOrRefuse(b));
        rmSync(dirname(b.root), { recursive: true, force: true });
        n++;
      }),
      { seed: SEED, numRuns: 300, timeout: 2000 },
    );
    expect(n).toBe(300);
  });
});

// Fuzzing conf.d (issue 11, point 4): arbitrary YAML-ish text and hostile trees (deep nesting,
// alias bombs, self-referencing anchors, huge files, binary junk, symlink loops, unreadable files,
// FIFOs and devices) through scanConfd, loadInstances and the collector's start. Properties: never a
// throw, each bad file one config error naming it, the good files beside them still loaded and run.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../../src/agent/checks/check.js';
import { scanConfd } from '../../src/agent/checks/confd.js';
import { CheckRunner, loadInstances } from '../../src/agent/checks/runner.js';
import { createLogger } from '../../src/log.js';

const SEED = 0x11_04_c0;
const repo = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'fuzz-confd-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

let serial = 0;
function confdDir(): string {
  const dir = join(work, `confd-${serial++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Checks of the test's own: nothing reaches the network whatever the fuzzed settings say.
let goodRuns = 0;
const definitions: CheckDefinition[] = [
  { name: 'good', create: () => ({ async run(sender) { goodRuns++; sender.gauge('fuzz.good', 1); } }) },
  { name: 'junk', create: () => ({ async run(sender) { sender.gauge('fuzz.junk', 1); } }) },
];
const GOOD = 'init_config:\ninstances:\n  - name: beside\n    min_collection_interval: 3600\n';

const logs: string[] = [];
const common = {
  hostname: 'fuzz-host',
  globalTags: ['dyno:web.1'],
  histogram: { aggregates: ['max', 'median', 'avg', 'count'], percentiles: [0.95] },
  logger: createLogger('CORE', 'debug', (line) => logs.push(line)),
  disableImplicitChecks: true,
  definitions,
} as const;

/** scanConfd then loadInstances then a collector start on `dir`: none may throw; the good file is loaded and its instance runs. */
async function throughCollector(dir: string, badFiles: readonly string[]): Promise<void> {
  const scan = scanConfd(dir);
  const good = scan.files.filter((f) => f.name === 'good');
  expect(good, JSON.stringify(scan.errors)).toHaveLength(1);
  expect(good[0]!.instances).toEqual([{ name: 'beside', min_collection_interval: 3600 }]);
  // Each bad file is either loaded (when it happens to be valid) or exactly one config error.
  for (const file of badFiles) {
    const errors = scan.errors.filter((e) => e.file === file);
    const loaded = scan.files.filter((f) => f.file === file);
    expect(errors.length + loaded.length, `${file}: ${JSON.stringify(errors)}`).toBeLessThanOrEqual(1);
    for (const e of errors) {
      expect(typeof e.error).toBe('string');
      expect(e.error.length).toBeGreaterThan(0);
      expect(e.error.length).toBeLessThan(2000);
    }
  }
  const loaded = await loadInstances({ confdPath: dir, ...common });
  expect(loaded.instances.some((i) => i.name === 'good' && i.configError === undefined)).toBe(true);
  const runner = new CheckRunner({ confdPath: dir, ...common, submit: () => undefined });
  const before = goodRuns;
  try {
    await runner.start();
    await runner.runAll();
    expect(goodRuns).toBeGreaterThan(before);
    const status = runner.status() as { configErrors: unknown[]; runningChecks: Record<string, unknown[]> };
    expect(status.runningChecks.good).toHaveLength(1);
    expect(JSON.stringify(status).length).toBeGreaterThan(0);
  } finally {
    await runner.stop();
  }
}

// YAML-ish text: the syntax YAML reacts to (anchors, aliases, merges, tags, flow, block scalars,
// directives, documents), strung together with junk.
const TOKENS = [
  'instances:', 'init_config:', '\n', '\n  ', '\n    ', '- ', '-', ': ', ':', '&a ', '&b ', '*a', '*b', '<<: *a', '[', ']', '{', '}', ',',
  '"', "'", '|', '>-', '#', '!!binary ', '!!str ', '!!map ', '!!seq ', '!custom ', '---', '...', '%YAML 1.2\n', '%TAG ! tag:x,2024:\n', '? ',
  '\t', '\u0000', '\uFEFF', '\r', 'null', '~', '123', '0x1F', '.inf', 'yes', 'host: 127.0.0.1', 'port: 6379', 'password: hunter2',
  'name: x', 'min_collection_interval: ', '-1', '1e400', 'tags: [a, b]', '\\', '%', '@', '`', 'é', '\u{1F600}', '\uD800',
];
const yamlish = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join('')),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  // Structurally valid YAML of arbitrary values, under and beside `instances`.
  fc.anything({ maxDepth: 4 }).map((v) => {
    try {
      return stringify({ init_config: v, instances: [v, { name: 'n' }] }) ?? '';
    } catch {
      return '';
    }
  }),
  fc.anything({ maxDepth: 4 }).map((v) => {
    try {
      return stringify(v) ?? '';
    } catch {
      return '';
    }
  }),
);

describe('conf.d fuzzing', () => {
  it('arbitrary YAML-ish files beside a good one: never a throw, each a config error or a loaded file, the good one runs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('junk.yaml', 'junk.d/conf.yaml', 'junk.d/other.yml', 'junk.d/conf.yaml.default', 'junk.yml'), yamlish), { minLength: 1, maxLength: 3 }), async (entries) => {
        const dir = confdDir();
        mkdirSync(join(dir, 'junk.d'), { recursive: true });
        writeFileSync(join(dir, 'good.yaml'), GOOD);
        const files = new Map(entries.map(([name, text]) => [join(dir, name), text]));
        for (const [file, text] of files) writeFileSync(file, text);
        await throughCollector(dir, [...files.keys()]);
        rmSync(dir, { recursive: true, force: true });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('alias bombs (billion laughs, wide fan-out, merge-key chains) are config errors, found quickly', async () => {
    const dir = confdDir();
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    let laughs = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 10; i++) laughs += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    writeFileSync(join(dir, 'laughs.yaml'), `${laughs}instances:\n  - bomb: *a9\n`);
    let wide = `a0: &a0 [${Array(5000).fill('lolololololololololololololol').join(', ')}]\n`;
    wide += `instances:\n  - bomb: [${Array(99).fill('*a0').join(', ')}]\n`;
    writeFileSync(join(dir, 'wide.yaml'), wide);
    let merges = 'm0: &m0 {k0: v}\n';
    for (let i = 1; i < 60; i++) merges += `m${i}: &m${i} {<<: [${Array(4).fill(`*m${i - 1}`).join(', ')}], k${i}: v}\n`;
    writeFileSync(join(dir, 'merges.yaml'), `${merges}instances:\n  - <<: *m59\n`);
    const started = Date.now();
    await throughCollector(dir, ['laughs.yaml', 'wide.yaml', 'merges.yaml'].map((f) => join(dir, f)));
    // Billion laughs never expands: the parser's alias limit refuses it.
    const scan = scanConfd(dir);
    expect(scan.errors.map((e) => e.file)).toContain(join(dir, 'laughs.yaml'));
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a self-referencing anchor (an instance that contains itself) is a config error; the collector still starts', async () => {
    const dir = confdDir();
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    writeFileSync(join(dir, 'junk.yaml'), 'instances:\n  - &self\n    name: loop\n    me: *self\n');
    writeFileSync(join(dir, 'junk.d/conf.yaml'.replace('/', '-')), 'instances:\n  - name: list\n    l: &l [1, *l]\n');
    await throughCollector(dir, [join(dir, 'junk.yaml'), join(dir, 'junk.d-conf.yaml')]);
  });

  it('deep nesting (10^5 flow levels, 3000 block levels, deep but parseable) is a config error or loaded, never a crash', async () => {
    const dir = confdDir();
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    writeFileSync(join(dir, 'flow.yaml'), `instances:\n  - d: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    writeFileSync(join(dir, 'maps.yaml'), `instances:\n  - d: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`);
    writeFileSync(join(dir, 'block.yaml'), `instances:\n  - d:\n${Array.from({ length: 3_000 }, (_, i) => `${'  '.repeat(i + 3)}- `).join('\n')}x\n`);
    writeFileSync(join(dir, 'parseable.yaml'), `instances:\n  - d: ${'['.repeat(200)}${']'.repeat(200)}\n`);
    await throughCollector(dir, ['flow', 'maps', 'block', 'parseable'].map((f) => join(dir, `${f}.yaml`)));
  });

  it('a huge file (4 MiB), a file of 200k comment lines, binary junk, NULs and invalid UTF-8 beside a good one', async () => {
    const dir = confdDir();
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    writeFileSync(join(dir, 'huge.yaml'), `instances:\n  - s: "${'x'.repeat(4 * 1024 * 1024)}"\n`);
    writeFileSync(join(dir, 'comments.yaml'), `${'# nothing here\n'.repeat(200_000)}`);
    const junk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(dir, 'binary.yaml'), junk);
    writeFileSync(join(dir, 'nuls.yaml'), Buffer.alloc(4096));
    writeFileSync(join(dir, 'utf8.yaml'), Buffer.from([0x69, 0x6e, 0x73, 0x74, 0x61, 0x6e, 0x63, 0x65, 0x73, 0x3a, 0x20, 0xff, 0xfe, 0xc0, 0x80, 0x0a]));
    const started = Date.now();
    await throughCollector(dir, ['huge', 'comments', 'binary', 'nuls', 'utf8'].map((f) => join(dir, `${f}.yaml`)));
    expect(Date.now() - started).toBeLessThan(45_000);
  }, 60_000);

  it('symlink loops, dangling links, directories named like files, and files named like folders', async () => {
    const dir = confdDir();
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    symlinkSync('loop-b.yaml', join(dir, 'loop-a.yaml'));
    symlinkSync('loop-a.yaml', join(dir, 'loop-b.yaml'));
    symlinkSync('self.yaml', join(dir, 'self.yaml'));
    symlinkSync('nowhere/at/all.yaml', join(dir, 'dangling.yaml'));
    symlinkSync('..', join(dir, 'up.d'));
    symlinkSync('.', join(dir, 'here.d'));
    mkdirSync(join(dir, 'folder.yaml'));
    mkdirSync(join(dir, 'nested.d', 'conf.yaml'), { recursive: true });
    writeFileSync(join(dir, 'plain.d'), 'instances: [{}]\n');
    mkdirSync(join(dir, 'deep.d', 'a', 'b', 'c'), { recursive: true });
    symlinkSync(join(dir, 'deep.d'), join(dir, 'deep.d', 'a', 'b', 'c', 'back'));
    const bad = ['loop-a.yaml', 'loop-b.yaml', 'self.yaml', 'dangling.yaml', 'folder.yaml', 'nested.d/conf.yaml'].map((f) => join(dir, f));
    await throughCollector(dir, bad);
    const scan = scanConfd(dir);
    // Links that lead nowhere, and a folder where a file is expected, are each one config error.
    for (const file of ['loop-a.yaml', 'loop-b.yaml', 'self.yaml', 'dangling.yaml', 'nested.d/conf.yaml']) {
      expect(scan.errors.filter((e) => e.file === join(dir, file)), file).toHaveLength(1);
    }
    // `folder.yaml/` is an (empty) check folder: nothing to load, nothing to complain about. `up.d` and
    // `here.d` are folders of checks "up" and "here" holding conf.d's own files (good.yaml among them):
    // read once each, not followed further.
    expect(scan.files.filter((f) => f.file.includes('folder.yaml'))).toEqual([]);
    expect(scan.files.length + scan.errors.length).toBeLessThan(100);
  });
});

// A FIFO, a character device and an unreadable file can block or exhaust the process that reads them:
// they run in a child (as an unprivileged user when the tests run as root, so permissions hold),
// bounded in time and address space, from a bundle of the real sources.
describe('conf.d entries that block or never end (in a bounded child process)', () => {
  const script = join(work, 'scan.cjs');
  const entry = join(work, 'scan-entry.ts');
  writeFileSync(
    entry,
    `import { scanConfd } from ${JSON.stringify(join(repo, 'src/agent/checks/confd.ts'))};
const scan = scanConfd(process.argv[2]);
process.stdout.write(JSON.stringify({ files: scan.files.map((f) => f.file), errors: scan.errors.map((e) => [e.file, e.error]) }));\n`,
  );
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: script, logLevel: 'silent' });
  chmodSync(script, 0o644);
  const asRoot = process.getuid?.() === 0;

  function scanInChild(dir: string): { status: number | null; signal: string | null; files: string[]; errors: [string, string][]; stderr: string } {
    // 3 GB of address space and 8 s: a reader that never ends is killed, not the machine.
    const child = spawnSync('bash', ['-c', 'ulimit -v 3000000; exec node "$0" "$1"', script, dir], {
      timeout: 8_000,
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    let parsed: { files: string[]; errors: [string, string][] } = { files: [], errors: [] };
    try {
      parsed = JSON.parse(child.stdout);
    } catch {
      // Reported below through status and stderr.
    }
    return { status: child.status, signal: child.signal, ...parsed, stderr: child.stderr.slice(0, 500) };
  }

  function tree(): string {
    const dir = confdDir();
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'good.yaml'), GOOD);
    chmodSync(join(dir, 'good.yaml'), 0o644);
    return dir;
  }

  it('an unreadable file and an unreadable folder are config errors; the good file loads', () => {
    const dir = tree();
    writeFileSync(join(dir, 'secret.yaml'), 'instances: [{a: 1}]\n');
    chmodSync(join(dir, 'secret.yaml'), 0o000);
    mkdirSync(join(dir, 'closed.d'));
    writeFileSync(join(dir, 'closed.d', 'conf.yaml'), 'instances: [{a: 1}]\n');
    chmodSync(join(dir, 'closed.d'), 0o000);
    if (asRoot) chownSync(join(dir, 'secret.yaml'), 0, 0);
    const result = scanInChild(dir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.files).toEqual([join(dir, 'good.yaml')]);
    expect(result.errors.map(([file]) => file)).toContain(join(dir, 'secret.yaml'));
    expect(result.errors.find(([file]) => file === join(dir, 'secret.yaml'))![1]).toMatch(/EACCES|permission/i);
  });

  it('a FIFO named like a config file is a config error, not a hang', () => {
    const dir = tree();
    const made = spawnSync('mkfifo', [join(dir, 'pipe.yaml')]);
    expect(made.status).toBe(0);
    chmodSync(join(dir, 'pipe.yaml'), 0o644);
    const result = scanInChild(dir);
    expect(result.signal, 'scanConfd blocked on the FIFO and was killed after 8 s').toBeNull();
    expect(result.status, result.stderr).toBe(0);
    expect(result.files).toEqual([join(dir, 'good.yaml')]);
    expect(result.errors.map(([file]) => file)).toEqual([join(dir, 'pipe.yaml')]);
  }, 30_000);

  it('a link to a device that never ends (/dev/zero, /dev/urandom) is a config error, not an exhausted process', () => {
    const dir = tree();
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    symlinkSync('/dev/urandom', join(dir, 'random.yaml'));
    const result = scanInChild(dir);
    expect(result.signal, 'scanConfd read the device until killed').toBeNull();
    expect(result.status, result.stderr).toBe(0);
    expect(result.files).toEqual([join(dir, 'good.yaml')]);
    expect(result.errors.map(([file]) => file).sort()).toEqual([join(dir, 'random.yaml'), join(dir, 'zero.yaml')]);
  }, 30_000);
});

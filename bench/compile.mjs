#!/usr/bin/env node
// bin/compile cold vs warm, and the slug size it adds, per flavour, against the local signed
// test repository (test/helpers/apt-repo.mjs). No network.
//
//   node bench/compile.mjs [--runs N] [--payload FILE] [--json FILE]
//
// --payload FILE puts FILE into the pinned package (e.g. the node binary, ~95 MiB of ELF) so
// download, SHA256, xz extraction and caching are measured on a package of realistic size;
// without it the stand-in packages are a few KiB and the figures are the fixed overhead.
// Slug size added: apparent bytes (`du -sb`) of what bin/compile adds, and the same compressed
// as Heroku measures a slug (a gzip tarball of /app): `tar -cz` of the build dir, minus that of
// the app before the build. --json FILE writes the rows as JSON too (bench/run.mjs charts them).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 5) || 5;
const payload = args.includes('--payload') ? args[args.indexOf('--payload') + 1] : undefined;
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

/** Apparent size in bytes (what the slug tarball holds), 0 when missing. */
function bytes(path) {
  const result = spawnSync('du', ['-sb', path], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.split(/\s/)[0]) : 0;
}

/** Bytes of a gzip tarball of `dir` (gzip's default level, as `tar -czf` makes a slug). */
function gzippedBytes(dir) {
  const result = spawnSync('bash', ['-c', 'tar -C "$1" -cf - . | gzip -c | wc -c', 'tar', dir], { encoding: 'utf8' });
  return Number(result.stdout.trim());
}

async function startRepo(dir) {
  const child = spawn(process.execPath, [join(root, 'test/helpers/apt-repo.mjs'), '--dir', dir, '--node-dist', ...(payload ? ['--payload', payload] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  for await (const chunk of child.stdout) {
    text += chunk;
    if (text.includes('REPO_DIR=')) break;
  }
  const urls = Object.fromEntries(text.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
  return { child, urls };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A PATH with every command of /usr/bin but node: a build machine without Node. */
function pathWithoutNode(work) {
  const bin = join(work, 'no-node-bin');
  mkdirSync(bin);
  for (const name of readdirSync('/usr/bin')) if (name !== 'node') symlinkSync(join('/usr/bin', name), join(bin, name));
  return bin;
}

function compile(work, env, { cache, appNode, path = process.env.PATH, gz = false }) {
  const build = mkdtempSync(join(work, 'build-'));
  if (appNode) {
    mkdirSync(join(build, '.heroku/node/bin'), { recursive: true });
    symlinkSync(process.execPath, join(build, '.heroku/node/bin/node'));
  }
  const gzBefore = gz ? gzippedBytes(build) : 0;
  const envDir = mkdtempSync(join(work, 'env-'));
  for (const [name, value] of Object.entries(env)) writeFileSync(join(envDir, name), value);
  const started = process.hrtime.bigint();
  const result = spawnSync('bash', [join(root, 'bin/compile'), build, cache, envDir], { env: { ...process.env, PATH: path, STACK: 'heroku-24' }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`bin/compile failed:\n${result.stdout}\n${result.stderr}`);
  const added = bytes(join(build, '.apt')) + bytes(join(build, '.profile.d'));
  const addedGz = gz ? gzippedBytes(build) - gzBefore : undefined; // gzip outside the timed part, last run only
  rmSync(build, { recursive: true, force: true });
  return { ms, added, addedGz };
}

const work = mkdtempSync(join(tmpdir(), 'dd-bench-compile-'));
try {
  const { child, urls } = await startRepo(join(work, 'repo'));
  const official = { DD_APT_REPO_URL: urls.APT_REPO_URL, DD_APT_KEYS_URL: urls.APT_KEYS_URL };
  const noNode = pathWithoutNode(work);
  const bootstrap = { DD_AGENT_FLAVOR: 'builtin', DD_NODE_DIST_URL: urls.NODE_DIST_URL };
  const scenarios = [
    { name: 'official, cold cache (download + verify + extract)', env: official, warm: false, appNode: true },
    { name: 'official, warm cache (no network)', env: official, warm: true, appNode: true },
    { name: 'official, warm cache, no app Node (node copied)', env: official, warm: true, appNode: false },
    { name: 'builtin, app Node reused', env: { DD_AGENT_FLAVOR: 'builtin' }, warm: true, appNode: true },
    { name: 'builtin, no app Node (node copied)', env: { DD_AGENT_FLAVOR: 'builtin' }, warm: true, appNode: false },
    { name: 'builtin, no Node on the build machine, cold (pinned Node fetched)', env: bootstrap, warm: false, appNode: false, path: noNode },
    { name: 'builtin, no Node on the build machine, warm (cached Node)', env: bootstrap, warm: true, appNode: false, path: noNode },
  ];
  const rows = [];
  for (const scenario of scenarios) {
    const times = [];
    let added = 0;
    let addedGz = 0;
    const warmCache = mkdtempSync(join(work, 'cache-'));
    if (scenario.warm) compile(work, scenario.env, { cache: warmCache, appNode: true, path: scenario.path });
    for (let i = 0; i < runs; i++) {
      const cache = scenario.warm ? warmCache : mkdtempSync(join(work, 'cache-'));
      const result = compile(work, scenario.env, { cache, appNode: scenario.appNode, path: scenario.path, gz: i === runs - 1 });
      times.push(result.ms);
      added = result.added;
      addedGz = result.addedGz ?? addedGz;
      if (!scenario.warm) rmSync(cache, { recursive: true, force: true });
    }
    rows.push({ name: scenario.name, median: median(times), min: Math.min(...times), added, addedGz, times });
  }
  child.kill('SIGTERM');
  const deb = payload ? bytes(join(work, 'repo/apt/pool/7/datadog-heroku-agent_7.81.2-1_amd64.deb')) : undefined;
  console.log(`bin/compile, ${runs} runs each, median (min); node ${process.version}; ${payload ? `pinned package ${(deb / 1048576).toFixed(1)} MiB (payload ${payload})` : 'stand-in packages of a few KiB'}`);
  console.log('| Scenario | Median | Min | Slug size added | Added, tar.gz |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.median.toFixed(0)} ms | ${row.min.toFixed(0)} ms | ${(row.added / 1048576).toFixed(2)} MiB | ${(row.addedGz / 1048576).toFixed(2)} MiB |`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ runs, node: process.version, payload: payload ?? null, debBytes: deb ?? null, rows }, null, 1));
} finally {
  rmSync(work, { recursive: true, force: true });
}

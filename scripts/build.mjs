#!/usr/bin/env node
// Bundles src/ into the committed lib/ bundles.
//   node scripts/build.mjs [name...]   build all bundles, or only the named ones
//   node scripts/build.mjs --check     build to a temporary folder and fail when lib/ differs
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** lib/<name>.js ← src/<entry> */
export const bundles = {
  installer: 'src/installer/bin.ts',
  'agent-wrapper': 'src/runtime/bin.ts',
  agent: 'src/agent/bin.ts',
  intake: 'src/intake/bin.ts',
};

/**
 * Each integration check is a bundle of its own, lib/checks/<name>.js ← src/agent/checks/<name>/index.ts,
 * required by lib/agent.js only when an instance of it is configured: an agent without checks keeps
 * neither their code (pg, ioredis…) nor its source text in memory.
 */
const checksDir = 'src/agent/checks';
const checkNames = () => readdirSync(join(root, checksDir), { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(root, checksDir, e.name, 'index.ts'))).map((e) => e.name).sort();

/** In the agent bundle, the registry's `import('./<name>/index.js')` becomes a require of lib/checks/<name>.js. */
const checksExternal = {
  name: 'checks-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z_]+\/index\.js$/ }, (args) =>
      args.importer.endsWith(join(checksDir, 'registry.ts')) ? { path: `./checks/${args.path.split('/')[1]}.js`, external: true } : undefined,
    );
  },
};

/**
 * OTLP ingest (receivers, decoders, translators) is lib/otlp.js ← src/agent/otlp/ingest.ts, required by
 * lib/agent.js only when an OTLP endpoint is set; @grpc/grpc-js is lib/otlp-grpc.js, required by
 * lib/otlp.js only when the gRPC one is.
 */
const lazyBundles = [
  { entry: 'src/agent/otlp/ingest.ts', out: 'otlp.js', importer: 'src/agent/otlp/component.ts', specifier: './ingest.js' },
  { entry: 'src/agent/otlp/receiver/grpc-js.ts', out: 'otlp-grpc.js', importer: 'src/agent/otlp/receiver/grpc-receiver.ts', specifier: './grpc-js.js' },
];
/** The importer's `import(specifier)` becomes a require of lib/<out>. */
const lazyExternal = {
  name: 'lazy-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
      const lazy = lazyBundles.find((l) => l.specifier === args.path && args.importer.endsWith(l.importer));
      return lazy ? { path: `./${lazy.out}`, external: true } : undefined;
    });
  },
};

/** Browser assets of the intake page: lib/intake-ui/<name> ← src/intake/ui/<entry>. */
const uiEntry = 'src/intake/ui/app.ts';

const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Helpers in other languages (the Perl relay and supervisor) are their own files, bundled as text.
  loader: { '.pl': 'text' },
};

async function buildInto(outDir, names) {
  mkdirSync(outDir, { recursive: true });
  // CommonJS, so the bundles run the same in this repo and in a slug with no package.json.
  writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  for (const name of names) {
    await build({
      ...nodeBundle,
      entryPoints: [join(root, bundles[name])],
      outfile: join(outDir, `${name}.js`),
      banner: { js: '#!/usr/bin/env node' },
      plugins: name === 'agent' ? [checksExternal, lazyExternal] : [],
    });
  }
  if (names.includes('agent')) {
    for (const lazy of lazyBundles) await build({ ...nodeBundle, entryPoints: [join(root, lazy.entry)], outfile: join(outDir, lazy.out), plugins: [lazyExternal] });
    for (const check of checkNames()) {
      await build({ ...nodeBundle, entryPoints: [join(root, checksDir, check, 'index.ts')], outfile: join(outDir, 'checks', `${check}.js`) });
    }
  }
  if (names.includes('intake') && existsSync(join(root, uiEntry))) {
    await build({
      entryPoints: [join(root, uiEntry)],
      outfile: join(outDir, 'intake-ui', 'app.js'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    cpSync(join(root, 'src/intake/ui/static'), join(outDir, 'intake-ui'), { recursive: true });
  }
}

function listFiles(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

const args = process.argv.slice(2);
const check = args.includes('--check');
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names) {
  if (!(name in bundles)) {
    console.error(`unknown bundle ${name}; known: ${Object.keys(bundles).join(', ')}`);
    process.exit(2);
  }
}
const selected = names.length > 0 ? names : Object.keys(bundles);

if (check) {
  const tmp = mkdtempSync(join(tmpdir(), 'dd-build-'));
  try {
    await buildInto(tmp, selected);
    const lib = join(root, 'lib');
    const fresh = listFiles(tmp);
    const stale = fresh.filter((f) => !existsSync(join(lib, f)) || !readFileSync(join(lib, f)).equals(readFileSync(join(tmp, f))));
    const extra = names.length > 0 ? [] : listFiles(lib).filter((f) => !fresh.includes(f));
    if (stale.length > 0 || extra.length > 0) {
      for (const f of stale) console.error(`lib/${f} differs from what src builds`);
      for (const f of extra) console.error(`lib/${f} is not built from src`);
      console.error('lib/ is stale: run `npm run build` and commit lib/.');
      process.exit(1);
    }
    console.log(`lib/ is up to date (${fresh.length} files)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  await buildInto(join(root, 'lib'), selected);
}

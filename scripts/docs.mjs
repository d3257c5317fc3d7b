#!/usr/bin/env node
// Regenerates the README variable table from src/config/variables.ts (`--check` only compares).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = await build({ entryPoints: [join(root, 'src/config/docs.ts')], bundle: true, format: 'esm', platform: 'node', write: false });
const { withVariableTable } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const updated = withVariableTable(readme);
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md variable table is stale: run `npm run docs`.');
    process.exit(1);
  }
} else if (updated !== readme) {
  writeFileSync(readmePath, updated);
  console.log('README.md variable table updated');
}

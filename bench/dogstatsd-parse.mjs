#!/usr/bin/env node
// The DogStatsD parser and aggregator alone, in process (no socket): what the built-in agent's
// own code costs per datagram, apart from Node's receive path. Bundles src/ with esbuild first.
//   node bench/dogstatsd-parse.mjs [--rounds 7] [--contexts 100]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const ROUNDS = flag('rounds', 7);
const CONTEXTS = flag('contexts', 100);

const dir = mkdtempSync(join(tmpdir(), 'bench-parse-'));
const entry = join(dir, 'entry.mjs');
await build({
  stdin: {
    contents: `export { parseDatagram } from './src/agent/dogstatsd/parser.ts';
      export { DogStatsdCounters } from './src/agent/dogstatsd/counters.ts';
      export { Aggregator } from './src/agent/aggregator/aggregator.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: entry,
  logLevel: 'warning',
});
const { parseDatagram, DogStatsdCounters, Aggregator } = await import(pathToFileURL(entry).href);
rmSync(dir, { recursive: true, force: true });

/** The datagrams of bench/dogstatsd-sender.mjs: one counter, or ~1400 bytes of mixed types. */
function payload(kind, i) {
  if (kind === 'single') return Buffer.from(`bench.requests:1|c|#route:r${i % CONTEXTS},env:bench`);
  const lines = [];
  let size = 0;
  const types = ['c', 'g', 'ms', 'h', 'd'];
  for (let n = 0; size < 1360; n++) {
    const line = `bench.packed.m${(i + n) % CONTEXTS}:${(n * 7) % 500}|${types[n % types.length]}|#route:r${n % 10},env:bench`;
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(lines.join('\n'));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(`Parser + aggregator in process, ${ROUNDS} rounds, ${CONTEXTS} contexts; node ${process.version}`);
console.log('| Payload | Datagrams/s (median) | Samples/s (median) | Best round | Flush of the bucket (median) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const kind of ['single', 'packed']) {
  const templates = Array.from({ length: 64 }, (_, i) => payload(kind, i));
  const datagrams = kind === 'single' ? 2_000_000 : 100_000;
  const rates = [];
  const flushes = [];
  let samplesPerDatagram = 0;
  let now = Date.now();
  // The real clock, as in the agent (one read per datagram), moved on 20 s between rounds.
  const aggregator = new Aggregator({ hostname: 'bench', globalTags: ['dyno:web.1'], histogram: { aggregates: ['max', 'median', 'avg', 'count'], percentiles: [95] }, clock: () => Date.now() - now });
  for (let round = 0; round < ROUNDS; round++) {
    const counters = new DogStatsdCounters();
    const start = performance.now();
    for (let i = 0; i < datagrams; i++) {
      const buf = templates[i & 63];
      parseDatagram(buf, buf.length, aggregator, counters);
    }
    rates.push(datagrams / ((performance.now() - start) / 1000));
    samplesPerDatagram = counters.metricSamples / datagrams;
    now -= 20_000;
    const flushStart = performance.now();
    await aggregator.flush();
    flushes.push(performance.now() - flushStart);
  }
  const f = (n) => Math.round(n).toLocaleString('en-US');
  console.log(`| ${kind === 'single' ? 'single metric' : 'packed ~1400 B'} | ${f(median(rates))} | ${f(median(rates) * samplesPerDatagram)} | ${f(Math.max(...rates))} | ${median(flushes).toFixed(0)} ms |`);
}

#!/usr/bin/env node
// `npm run bench`: runs the benchmarks of bench/, each in its own process with `--json`, draws a
// chart per benchmark (SVG, written here from the JSON: bench/svg.mjs) under docs/bench/ beside
// the output file, and rewrites the generated sections of BENCHMARKS.md — the text between
// `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` — leaving the rest as written. A
// section without markers yet is inserted after its heading's "Command" paragraph (or as a new
// heading after the previous benchmark's section).
//
//   npm run bench [-- --only dogstatsd,apm,…] [--quick] [--out BENCHMARKS.md] [--render]
//   npm run bench -- --soak [--minutes 10]
//
// --quick   short steps and few runs, to try the runner (the whole run takes under 4 minutes);
//           figures from it are not the ones to publish.
// --only    a comma-separated subset of: compile, slug, boot, shutdown, dogstatsd, apm, otlp, checks, footprint
//           (soak only runs with --soak).
// --out     the Markdown file to rewrite (default BENCHMARKS.md); charts go to docs/bench/ beside it,
//           with each benchmark's JSON, from which --render redraws charts and sections without
//           running anything.
// --soak    the agent under steady traffic for --minutes (default 10; 1 with --quick), RSS and
//           CPU sampled every 5 s and charted over time; runs the soak alone unless --only says more.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildC } from './c/build.mjs';
import { barChart, hbarChart, lineChart } from './svg.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { values: opts } = parseArgs({
  args: argv,
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(root, 'BENCHMARKS.md') },
    soak: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    render: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const QUICK = opts.quick;
const out = resolve(opts.out);
const chartDir = join(dirname(out), 'docs/bench');
const chartLink = (file) => relative(dirname(out), join(chartDir, file));
const tmp = mkdtempSync(join(tmpdir(), 'dd-bench-run-'));
const invoked = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}` : `node bench/run.mjs ${argv.join(' ')}`.trim();

// ---------------------------------------------------------------------------------------------
// The machine, recorded in every section.

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown CPU';
  return {
    nproc: cpus().length,
    cpu: model.trim(),
    memGiB: totalmem() / 2 ** 30,
    freeGiB: freemem() / 2 ** 30,
    node: process.version,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    rmemMax: Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')),
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers.

const n0 = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const n1 = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : 'n/a');
const n2 = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : 'n/a');
const mib = (bytes) => bytes / 1048576;
const table = (head, align, rows) => [`| ${head.join(' | ')} |`, `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `node bench/<script> …args --json <tmp file>`, its output shown as it goes; returns the JSON and the command as recorded. */
async function runScript(script, args, { display = {}, json = true } = {}) {
  const jsonFile = join(tmp, `${script.replace(/\W/g, '_')}-${Math.random().toString(36).slice(2, 8)}.json`);
  const full = [join(root, 'bench', script), ...args, ...(json ? ['--json', jsonFile] : [])];
  const shown = `node bench/${script} ${args.map((a) => display[a] ?? (/[\s']/.test(a) ? `'${a}'` : a)).join(' ')}`.trim();
  console.log(`\n== ${shown}`);
  const started = Date.now();
  let stdout = '';
  const code = await new Promise((resolvePromise) => {
    const child = spawn(process.execPath, full, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.on('exit', (c, signal) => resolvePromise(c ?? signal));
  });
  if (code !== 0) throw new Error(`${shown} exited with ${code}`);
  return { json: json ? JSON.parse(readFileSync(jsonFile, 'utf8')) : undefined, stdout, command: shown, seconds: (Date.now() - started) / 1000 };
}

let cBinaries;
/** The C sender and receiver, compiled with the system `cc` once per run. */
function cPrograms() {
  cBinaries ??= { sender: buildC('udp-sender', tmp), receiver: buildC('recvmmsg-receiver', tmp) };
  return cBinaries;
}
const ccVersion = () => {
  try {
    return execFileSync(process.env.CC || 'cc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'cc';
  }
};
const cDisplay = () => ({ [cPrograms().sender]: '$TMP/udp-sender', [cPrograms().receiver]: '$TMP/recvmmsg-receiver' });

// ---------------------------------------------------------------------------------------------
// The benchmarks: how each runs (full and --quick), and how its section and charts are drawn.
// `heading`: the BENCHMARKS.md section its markers go in; `intro`: the prose of a new section.

const BENCHES = {
  compile: {
    heading: '## Compile (bin/compile)',
    async run() {
      const stand = await runScript('compile.mjs', ['--runs', QUICK ? '1' : '7']);
      // The node binary stands for a real agent (29 MiB as xz); --quick skips it (building that
      // package and the test repository again takes a minute).
      if (QUICK) return { commands: [stand.command], data: { standIn: stand.json, payload: null } };
      const payload = await runScript('compile.mjs', ['--runs', '5', '--payload', process.execPath]);
      return { commands: [stand.command, payload.command], data: { standIn: stand.json, payload: payload.json } };
    },
    render({ standIn, payload }) {
      const short = (name) => name.replace(' (download + verify + extract)', '').replace(' (no network)', '').replace('no Node on the build machine', 'no build Node');
      const big = payload ? `${n1(mib(payload.debBytes))} MiB package` : undefined;
      const charts = {
        'compile.svg': hbarChart({
          title: 'bin/compile: median time per scenario',
          subtitle: `${standIn.runs} runs (stand-in packages of a few KiB)${payload ? ` and ${payload.runs} runs (pinned package of ${n1(mib(payload.debBytes))} MiB)` : ''}; node ${standIn.node}`,
          xLabel: 'milliseconds (median)',
          categories: standIn.rows.map((r) => short(r.name)),
          series: [{ name: 'stand-in packages', values: standIn.rows.map((r) => r.median) }, ...(payload ? [{ name: `pinned ${big}`, values: payload.rows.map((r) => r.median) }] : [])],
        }),
      };
      const rows = standIn.rows.map((r, i) => [r.name, `${n0(r.median)} ms (${n0(r.min)})`, ...(payload ? [`${n0(payload.rows[i].median)} ms (${n0(payload.rows[i].min)})`] : []), `${n2(mib(r.added))} MiB`, ...(payload ? [`${n2(mib(payload.rows[i].added))} MiB`] : [])]);
      const head = ['Scenario', 'Stand-in packages: median (min)', ...(payload ? [`${big}: median (min)`] : []), 'Slug added (stand-in)', ...(payload ? [`Slug added (${big})`] : [])];
      return { charts, markdown: table(head, ['l', ...head.slice(1).map(() => 'r')], rows) };
    },
  },

  slug: {
    heading: '## Slug size (compressed, as Heroku counts it)',
    intro: [
      'Heroku limits and reports a slug by its compressed size: a slug is a gzip-compressed tarball of',
      '`/app` (Heroku Dev Center, "Slug Compiler" and "Creating Slugs from Scratch"). This is what',
      '`bin/compile` adds to it, measured the same way: `tar -c` of the build directory piped through',
      '`gzip` (default level), minus the same of the app before the build. The target for the builtin',
      'flavour is < 40 MB compressed including Node (the "no app Node" rows).',
    ].join('\n'),
    async run(done) {
      if (done.compile) return { commands: done.compile.commands, data: done.compile.data };
      const stand = await runScript('compile.mjs', ['--runs', '1']);
      if (QUICK) return { commands: [stand.command], data: { standIn: stand.json, payload: null } };
      const payload = await runScript('compile.mjs', ['--runs', '1', '--payload', process.execPath]);
      return { commands: [stand.command, payload.command], data: { standIn: stand.json, payload: payload.json } };
    },
    render({ standIn, payload }) {
      const pick = (rows, flavour) => rows.filter((r) => r.name.startsWith(flavour) && !/cold/.test(r.name));
      const builtin = pick(standIn.rows, 'builtin');
      const official = payload ? pick(payload.rows, 'official') : [];
      const rows = [...builtin.map((r) => ({ ...r, label: r.name })), ...official.map((r) => ({ ...r, label: `${r.name.replace(' (no network)', '')}, ${n1(mib(payload.debBytes))} MiB stand-in package` }))];
      return {
        charts: {
          'slug.svg': hbarChart({
            title: 'Slug bytes added by bin/compile',
            subtitle: 'tar.gz as Heroku measures a slug, against apparent size (du -sb)',
            xLabel: 'MiB',
            categories: rows.map((r) => r.label.replace(/, warm cache|, warm \(cached Node\)| \(node copied\)/g, '').replace('no Node on the build machine', 'no build Node')),
            series: [
              { name: 'compressed (tar.gz)', values: rows.map((r) => mib(r.addedGz)) },
              { name: 'apparent size (du -sb)', values: rows.map((r) => mib(r.added)) },
            ],
            marks: [{ x: 40 / 1.048576, label: 'target 40 MB compressed' }],
          }),
        },
        markdown: table(['Build', 'Added, compressed (tar.gz)', 'Added, apparent size'], ['l', 'r', 'r'], rows.map((r) => [r.label, `${n2(mib(r.addedGz))} MiB`, `${n2(mib(r.added))} MiB`])),
      };
    },
  },

  boot: {
    heading: '## Dyno boot (agent-wrapper)',
    async run() {
      const r = await runScript('dyno-boot.mjs', ['--runs', QUICK ? '2' : '7']);
      return { commands: [r.command], data: r.json };
    },
    render(d) {
      const phases = [['sourced', 'profile script returns'], ['ready', 'agent ready (auth_token)'], ['stopped', 'SIGTERM to all → all exited']];
      const cell = (s) => (s ? `${n0(s.median)} ms (${n0(s.min)})` : '–');
      return {
        charts: {
          'boot.svg': hbarChart({
            title: 'Dyno boot and stop, builtin flavour',
            subtitle: `median of ${d.runs} runs; node ${d.node}`,
            xLabel: 'milliseconds (median)',
            categories: d.cases.flatMap((c) => phases.filter(([k]) => c[k]).map(([, label]) => `${c.name.replace(/ \(.*\)/, '')}: ${label}`)),
            series: [{ name: 'median', values: d.cases.flatMap((c) => phases.filter(([k]) => c[k]).map(([k]) => c[k].median)) }],
          }),
        },
        markdown: table(['Case', ...phases.map(([, l]) => l)], ['l', 'r', 'r', 'r'], d.cases.map((c) => [c.name, ...phases.map(([k]) => cell(c[k]))])),
      };
    },
  },

  shutdown: {
    heading: '## SIGTERM with pending contexts (built-in agent)',
    intro: [
      'Command: `node bench/shutdown.mjs`. The built-in agent (`lib/agent.js run`, forwarding to the',
      'local intake `lib/intake.js`, which decodes what it receives) gets N gauges of distinct names',
      'over UDP, 40 per datagram, then SIGTERM before its first 10 s flush: the time until it has',
      'exited is the final flush of N pending contexts. "At the intake" counts the contexts the intake',
      'decoded from that flush (plus the agent\'s own metrics, so it may exceed N by a few).',
    ].join('\n'),
    async run() {
      const r = await runScript('shutdown.mjs', QUICK ? ['--contexts', '1000,50000'] : ['--contexts', '1000,10000,50000,100000,200000,300000']);
      return { commands: [r.command], data: r.json };
    },
    render(d) {
      return {
        charts: {
          'shutdown.svg': lineChart({
            title: 'SIGTERM → exit of the built-in agent, by pending contexts',
            subtitle: `node ${d.node}; each point a fresh agent`,
            xLabel: 'pending contexts',
            yLabel: 'milliseconds',
            series: [{ name: 'SIGTERM → exited', points: d.rows.map((r) => [r.contexts, r.exitMs]) }],
          }),
        },
        markdown: table(['Pending contexts', 'RSS before SIGTERM', 'Anonymous', 'SIGTERM → exited', 'Exit', 'Contexts at the intake after'], ['r', 'r', 'r', 'r', 'l', 'r'], d.rows.map((r) => [n0(r.contexts), `${n1(r.rss)} MB`, `${n1(r.anon)} MB`, `${n0(r.exitMs)} ms`, r.signal ?? `code ${r.code}`, n0(r.delivered)])),
      };
    },
  },

  dogstatsd: {
    heading: '## DogStatsD (built-in agent)',
    async run() {
      const { sender, receiver } = cPrograms();
      const args = QUICK
        ? ['--step-seconds', '1', '--boots', '1', '--ladder', '1000,10000,50000,100000,200000,400000,800000,1600000']
        : ['--step-seconds', '3', '--max-rate', '1600000'];
      const r = await runScript('dogstatsd.mjs', [...args, '--sender', sender, '--c-receiver', receiver], { display: cDisplay() });
      return { commands: [r.command], data: r.json };
    },
    render(d) {
      const receivers = d.receivers;
      const kinds = [['single', 'single metric'], ['packed', 'packed ~1400 B']];
      const charts = {
        'dogstatsd.svg': barChart({
          title: 'DogStatsD: loss-free datagrams/s, side by side in one run',
          subtitle: `C sender (sendmmsg); ${d.stepSeconds} s per step; loss limit ${d.lossLimit * 100} %; a bar at the sender's own ceiling is a floor`,
          yLabel: 'loss-free datagrams/s',
          yLog: true,
          categories: kinds.map(([, label]) => label),
          series: receivers.map((r) => ({ name: r.name, values: kinds.map(([k]) => r[k].best?.datagramsPerSec) })),
        }),
      };
      for (const [kind, label] of kinds) {
        charts[`dogstatsd-${kind}-cpu.svg`] = lineChart({
          title: `DogStatsD, ${label}: receiver CPU by offered rate`,
          subtitle: 'each line ends at its first step over the loss limit (or at the sender\'s ceiling)',
          xLabel: 'datagrams/s sent',
          yLabel: 'CPU, % of one core',
          xLog: true,
          series: receivers.map((r) => ({ name: r.name, points: r[kind].steps.map((s) => [s.datagramsPerSec, s.cpu * 100]) })),
        });
      }
      const byName = (p) => receivers.find((r) => r.name.startsWith(p));
      const agent = receivers[0];
      const etsy = byName('Etsy');
      const ceiling = byName('C recvmmsg');
      const bound = (run) => (run.best?.senderBound ? ' (sender max)' : '');
      const rows = receivers.flatMap((r) => kinds.map(([k, label]) => [r.name, label, `${n0(r[k].best?.datagramsPerSec)}${bound(r[k])}`, n0(r[k].best?.samplesPerSec), r[k].best ? `${n0(r[k].best.cpu * 100)} %` : 'n/a', `${n1(r.peakRss)} MB`]));
      const ratio = (a, b, k) => (a?.[k].best && b?.[k].best ? a[k].best.datagramsPerSec / b[k].best.datagramsPerSec : NaN);
      const lines = [
        table(['Receiver', 'Payload', 'Loss-free datagrams/s', 'Samples/s', 'CPU at that rate', 'Peak RSS'], ['l', 'l', 'r', 'r', 'r', 'r'], rows),
        '',
        `Loss-free rate, built-in agent ÷ Etsy statsd: single metric ${n1(ratio(agent, etsy, 'single'))}×, packed ${n1(ratio(agent, etsy, 'packed'))}×` +
          (ceiling ? `; built-in agent ÷ C recvmmsg receiver: single metric ${n0(100 * ratio(agent, ceiling, 'single'))} %, packed ${n0(100 * ratio(agent, ceiling, 'packed'))} %` : ''),
        '',
        table(['Receiver', 'Boot to listening', 'RSS idle', 'RSS with 100 000 contexts'], ['l', 'r', 'r', 'r'], receivers.map((r) => [r.name, `${n0(r.bootMs)} ms`, `${n1(r.idleRss)} MB`, `${n1(r.rss100k)} MB`])),
        '',
        '<details><summary>Ladder (target → sent datagrams/s, loss, CPU)</summary>',
        '',
        ...receivers.flatMap((r) => kinds.map(([k]) => `- ${r.name}, ${k}: ${r[k].steps.map((s) => `${n0(s.target / 1000)}k→${n1(s.datagramsPerSec / 1000)}k${s.senderBound ? ' (sender max)' : ''} ${n2(s.loss * 100)}% ${n0(s.cpu * 100)}%`).join('; ')}`)),
        '',
        '</details>',
      ];
      return { charts, markdown: lines.join('\n') };
    },
  },

  apm: {
    heading: '## APM trace receiver (built-in agent)',
    async run() {
      const args = QUICK ? ['--seconds', '2', '--rates', '200,2000'] : ['--seconds', '10'];
      const def = await runScript('apm.mjs', args);
      const small = await runScript('apm.mjs', [...args, '--node-options', '--max-semi-space-size=4']);
      return { commands: [def.command, small.command], data: { default: def.json, small: small.json } };
    },
    render(d) {
      const runs = [['default', 'default Node flags'], ['small', '--max-semi-space-size=4']];
      const charts = {
        'apm-latency.svg': lineChart({
          title: 'APM receiver: request latency by accepted spans/s',
          subtitle: `v0.4 msgpack, ${d.default.tracesPerPayload} traces × ${d.default.spansPerTrace} spans per payload; the last point of each line is 8 clients as fast as they go`,
          xLabel: 'spans/s accepted',
          yLabel: 'milliseconds',
          series: runs.flatMap(([k, label], i) => [
            { name: `p50, ${label}`, points: d[k].rows.map((r) => [r.spansPerSecond, r.p50]), color: ['#632ca6', '#e8830c'][i] },
            { name: `p99, ${label}`, points: d[k].rows.map((r) => [r.spansPerSecond, r.p99]), color: ['#632ca6', '#e8830c'][i], dashed: true },
          ]),
        }),
        'apm-resources.svg': lineChart({
          title: 'APM receiver: agent CPU and RSS by accepted spans/s',
          subtitle: 'solid: CPU (% of one core); dashed: RSS at the end of the step (MiB)',
          xLabel: 'spans/s accepted',
          yLabel: 'CPU % of a core (solid), RSS MiB (dashed)',
          series: runs.flatMap(([k, label], i) => [
            { name: `CPU %, ${label}`, points: d[k].rows.map((r) => [r.spansPerSecond, r.cpuPct]), color: ['#632ca6', '#e8830c'][i] },
            { name: `RSS MiB, ${label}`, points: d[k].rows.map((r) => [r.spansPerSecond, r.rssMiB]), color: ['#632ca6', '#e8830c'][i], dashed: true },
          ]),
        }),
      };
      const md = runs.map(([k, label]) => [
        `${label} (idle RSS ${n1(d[k].idleRssMiB)} MiB, peak ${n1(d[k].peakRssMiB)} MiB)`,
        table(['Offered traces/s', 'Spans/s accepted', 'Request p50', 'Request p99', 'Agent CPU', 'Agent RSS (end)', 'Refused'], ['r', 'r', 'r', 'r', 'r', 'r', 'r'], d[k].rows.map((r) => [r.offered === 'max' ? 'max (8 clients)' : n0(r.offered), n0(r.spansPerSecond), `${n1(r.p50)} ms`, `${n1(r.p99)} ms`, `${n0(r.cpuPct)} %`, `${n1(r.rssMiB)} MiB`, n0(r.refused)])),
      ].join('\n'));
      return { charts, markdown: md.join('\n\n') };
    },
  },

  otlp: {
    heading: '## OTLP ingest (built-in agent)',
    async run() {
      const r = await runScript('otlp.mjs', QUICK ? ['--seconds', '2'] : ['--seconds', '10']);
      return { commands: [r.command], data: r.json };
    },
    render(d) {
      const rows = d.rows.map((r) => [r.signal, r.path, n0(r.perSecond), `${n0(r.cpuPct)} %`, n2(r.cpuSecondsPerMillion), `${n1(r.rssMiB)} MiB`, n0(r.refused + (r.droppedAtFlushCap ?? 0))]);
      return {
        charts: {
          'otlp.svg': hbarChart({
            title: 'OTLP ingest beside the Datadog-native paths: CPU seconds per million items',
            subtitle: `${d.spansPerRequest} spans or ${d.pointsPerRequest} points per request, ${d.clients} clients as fast as they go (DogStatsD: a paced sender)`,
            xLabel: 'CPU seconds per million spans or points',
            categories: d.rows.map((r) => `${r.signal}: ${r.path}`),
            series: [{ name: 'CPU s per million', values: d.rows.map((r) => r.cpuSecondsPerMillion) }],
          }),
        },
        markdown: [
          table(['Signal', 'Path', 'Items/s taken', 'Agent CPU', 'CPU s per million', 'RSS at the end', 'Refused or dropped'], ['l', 'l', 'r', 'r', 'r', 'r', 'r'], rows),
          '',
          `Idle RSS ${n1(d.idleRssMiB)} MiB (agent + UDP relay, both OTLP receivers listening), ${n1(d.endRssMiB)} MiB after the run. Request sizes: spans ${n0(d.sizesKiB.protobuf)} KiB protobuf, ${n0(d.sizesKiB.json)} KiB JSON, ${n0(d.sizesKiB.msgpack)} KiB msgpack; metrics ${n0(d.sizesKiB.metrics)} KiB protobuf.`,
        ].join('\n'),
      };
    },
  },

  checks: {
    heading: '## Integration checks (built-in agent)',
    async run() {
      const r = await runScript('checks.mjs', QUICK ? ['--seconds', '8', '--warmup', '5'] : ['--seconds', '60']);
      return { commands: [r.command], data: r.json };
    },
    render(d) {
      return {
        charts: {
          'checks.svg': barChart({
            title: 'Integration checks: memory of the agent (+ its UDP relay)',
            subtitle: `after ${d.warmupSeconds} s of warm-up; CPU over ${d.seconds} s in the table; instances every ${d.interval} s`,
            yLabel: 'MB',
            categories: d.rows.map((r) => `${r.agent} (${r.instances} instances)`),
            series: [
              { name: 'RSS', values: d.rows.map((r) => r.rss) },
              { name: 'PSS', values: d.rows.map((r) => r.pss) },
              { name: 'anonymous', values: d.rows.map((r) => r.anon) },
            ],
            marks: [{ y: 60, label: 'target: 60 MB idle, everything added up' }],
          }),
        },
        markdown: [
          table(['Agent', 'Check instances', 'CPU (% of a core)', 'RSS MB', 'PSS MB', 'Anonymous MB'], ['l', 'r', 'r', 'r', 'r', 'r'], d.rows.map((r) => [r.agent, n0(r.instances), n2(r.cpuPct), n1(r.rss), n1(r.pss), n1(r.anon)])),
          ...d.rows.flatMap((r) => r.failing.map((f) => `- ${r.agent}, failing: ${f}`)),
        ].join('\n'),
      };
    },
  },

  footprint: {
    heading: '## Footprint of every dyno process (builtin flavour)',
    intro: [
      'Everything the buildpack runs in a dyno, each process\'s RSS, PSS and anonymous memory',
      '(`/proc/<pid>/smaps_rollup`), idle, at load and under hostile input (`bench/footprint.mjs`).',
      'Targets (DESIGN.md): < 60 MB RSS idle, < 128 MB at any load, all processes added up.',
    ].join('\n'),
    async run() {
      const file = join(root, 'bench/footprint.mjs');
      if (!existsSync(file)) return { commands: [], data: { missing: true } };
      // Written by another hand: pass --json, --quick or a short --idle only when it declares them.
      const source = readFileSync(file, 'utf8');
      const declares = (name) => new RegExp(`['"]?${name}['"]?\\s*:\\s*\\{\\s*type`).test(source);
      const args = QUICK ? (declares('quick') ? ['--quick'] : declares('idle') ? ['--idle', '5'] : []) : [];
      const r = await runScript('footprint.mjs', args, { json: declares('json') });
      return { commands: [r.command], data: r.json ?? { stdout: r.stdout } };
    },
    render: renderFootprint,
  },

  soak: {
    heading: '## Soak (built-in agent under steady traffic)',
    intro: [
      'Command: `npm run bench -- --soak --minutes N` (`bench/soak.mjs`). The built-in agent and its UDP',
      'relay under steady DogStatsD traffic from two C senders (single-metric and packed datagrams over a',
      'fixed set of contexts) for N minutes; RSS, PSS, anonymous memory and CPU of both processes added',
      'up, sampled every 5 s. A line that keeps rising is a leak; a sawtooth is the 10 s buckets.',
    ].join('\n'),
    async run() {
      const minutes = opts.minutes ?? (QUICK ? '1' : '10');
      const r = await runScript('soak.mjs', ['--minutes', minutes, '--interval', '5', '--sender', cPrograms().sender], { display: cDisplay() });
      return { commands: [r.command], data: r.json };
    },
    render(d) {
      const pts = (k) => d.samples.map((s) => [s.t / 60, s[k]]);
      const rateNote = `${n0(d.singleRate)} single + ${n0(d.packedRate)} packed datagrams/s over ${n0(d.contexts)} contexts; every ${d.interval} s for ${d.minutes} min`;
      const mean = (k) => d.samples.reduce((s, x) => s + x[k], 0) / d.samples.length;
      const max = (k) => Math.max(...d.samples.map((x) => x[k]));
      const half = d.samples.filter((s) => s.t >= (d.minutes * 60) / 2);
      const meanOf = (xs, k) => xs.reduce((s, x) => s + x[k], 0) / xs.length;
      return {
        charts: {
          'soak-memory.svg': lineChart({ title: 'Soak: memory of the agent + relay over time', subtitle: rateNote, xLabel: 'minutes', yLabel: 'MB', series: [{ name: 'RSS', points: pts('rss') }, { name: 'PSS', points: pts('pss') }, { name: 'anonymous', points: pts('anon') }], marks: [{ y: 128, label: 'target: 128 MB at any load' }] }),
          'soak-cpu.svg': lineChart({ title: 'Soak: CPU of the agent + relay over time', subtitle: rateNote, xLabel: 'minutes', yLabel: 'CPU, % of one core', series: [{ name: 'CPU', points: pts('cpuPct') }] }),
        },
        markdown: [
          `${rateNote}.`,
          '',
          table(['', 'RSS MB', 'PSS MB', 'Anonymous MB', 'CPU (% of a core)'], ['l', 'r', 'r', 'r', 'r'], [
            ['mean', n1(mean('rss')), n1(mean('pss')), n1(mean('anon')), n0(mean('cpuPct'))],
            ['max', n1(max('rss')), n1(max('pss')), n1(max('anon')), n0(max('cpuPct'))],
            ['mean, second half', n1(meanOf(half, 'rss')), n1(meanOf(half, 'pss')), n1(meanOf(half, 'anon')), n0(meanOf(half, 'cpuPct'))],
          ]),
        ].join('\n'),
      };
    },
  },
};
const ORDER = ['compile', 'slug', 'boot', 'shutdown', 'dogstatsd', 'apm', 'otlp', 'checks', 'footprint', 'soak'];

/**
 * bench/footprint.mjs is written separately; its JSON is drawn when it has
 *   { scenarios: [{ name, processes: [{ name, rss, pss, anon }] }] }   (MB, one entry per process;
 *   scenario names such as "idle", "at load", "hostile input")
 * or `{ rows: [{ label, rss, pss, anon }], unit?: 'KiB' | 'MB' }` (one idle measurement), and shown
 * as given otherwise; without `--json` its printed output goes in the section as is.
 */
function renderFootprint(d) {
  if (d.stdout !== undefined) return { charts: {}, markdown: `_bench/footprint.mjs has no \`--json\` yet: its output as printed._\n\n${d.stdout.trim()}` };
  // One idle measurement, as `{ rows: [{ label, rss, pss, anon }] }` in KiB (smaps_rollup's unit) or MB.
  if (!d.scenarios && Array.isArray(d.rows)) {
    const kib = d.unit ? /^KiB$/i.test(d.unit) : d.rows.some((r) => r.rss > 4096);
    const mbOf = (v) => (kib ? v / 1024 : v);
    d = { scenarios: [{ name: d.name ?? 'idle', processes: d.rows.map((r) => ({ name: r.label ?? r.name, rss: mbOf(r.rss), pss: mbOf(r.pss), anon: mbOf(r.anon) })) }] };
  }
  if (d.missing) return { charts: {}, markdown: '_Not measured: `bench/footprint.mjs` is not there yet. `npm run bench` runs it with `--json <file>` (and `--quick`) once it is._' };
  if (!Array.isArray(d.scenarios) || !d.scenarios.every((s) => Array.isArray(s.processes))) {
    return { charts: {}, markdown: ['```json', JSON.stringify(d, null, 1).slice(0, 6000), '```'].join('\n') };
  }
  const total = (s, k) => s.processes.reduce((sum, p) => sum + (p[k] ?? 0), 0);
  return {
    charts: {
      'footprint.svg': barChart({
        title: 'Footprint: every dyno process added up',
        subtitle: 'RSS counts Node\'s file pages once per process; PSS shares them; anonymous is what grows with load',
        yLabel: 'MB',
        categories: d.scenarios.map((s) => s.name),
        series: [
          { name: 'RSS', values: d.scenarios.map((s) => total(s, 'rss')) },
          { name: 'PSS', values: d.scenarios.map((s) => total(s, 'pss')) },
          { name: 'anonymous', values: d.scenarios.map((s) => total(s, 'anon')) },
        ],
        marks: [{ y: 60, label: 'idle target 60 MB' }, { y: 128, label: 'load target 128 MB' }],
      }),
    },
    markdown: table(['Scenario', 'Process', 'RSS MB', 'PSS MB', 'Anonymous MB'], ['l', 'l', 'r', 'r', 'r'], d.scenarios.flatMap((s) => [...s.processes.map((p) => [s.name, p.name, n1(p.rss), n1(p.pss), n1(p.anon)]), [`**${s.name}**`, '**all added up**', `**${n1(total(s, 'rss'))}**`, `**${n1(total(s, 'pss'))}**`, `**${n1(total(s, 'anon'))}**`]])),
  };
}

// ---------------------------------------------------------------------------------------------
// BENCHMARKS.md: generated sections between markers, the rest as written.

const start = (name) => `<!-- bench:${name}:start -->`;
const end = (name) => `<!-- bench:${name}:end -->`;

function section(name, result, m) {
  const rendered = BENCHES[name].render(result.data);
  mkdirSync(chartDir, { recursive: true });
  for (const [file, svg] of Object.entries(rendered.charts)) writeFileSync(join(chartDir, file), svg);
  writeFileSync(join(chartDir, `${name}.json`), `${JSON.stringify({ machine: m, invoked: result.invoked, commands: result.commands, quick: result.quick, seconds: result.seconds, cc: result.cc, data: result.data }, null, 1)}\n`);
  const commands = result.commands.length ? result.commands.map((c) => `\`${c}\``).join(', then ') : 'none';
  const meta = [
    `_Generated by \`${result.invoked}\` on ${result.machine.date}${result.quick ? ' — **a --quick run: short steps, few runs; not figures to quote**' : ''}._`,
    `Machine: ${result.machine.nproc} cores (${result.machine.cpu}), ${n1(result.machine.memGiB)} GiB, Linux ${result.machine.kernel}, \`net.core.rmem_max\` ${n0(result.machine.rmemMax)}, node ${result.machine.node}; load average before: ${result.machine.load}.`,
    `Ran: ${commands}${result.seconds ? ` (${n0(result.seconds)} s)` : ''}.${commands.includes('$TMP/') ? ` \`$TMP/\`: the programs of \`bench/c/\` compiled by the runner with \`cc -O2\` (${result.cc ?? 'cc'}).` : ''}`,
  ];
  const images = Object.keys(rendered.charts).map((file) => `![${name}: ${file.replace(/\.svg$/, '')}](${chartLink(file)})`);
  return [start(name), `<!-- generated by bench/run.mjs from docs/bench/${name}.json; edits between these markers are overwritten -->`, meta.join('\n'), '', ...(images.length ? [images.join('\n'), ''] : []), rendered.markdown, '', end(name)].join('\n');
}

/** Puts `block` between the markers of `name`, inserting markers (and a section) the first time. */
function place(doc, name, block) {
  const s = doc.indexOf(start(name));
  const e = doc.indexOf(end(name));
  if (s !== -1 && e > s) return doc.slice(0, s) + block + doc.slice(e + end(name).length);
  const lines = doc.split('\n');
  const bench = BENCHES[name];
  const h = lines.findIndex((l) => l.trim() === bench.heading);
  if (h !== -1) {
    // After the heading's "Command" paragraph (else right after the heading).
    let i = h + 1;
    while (i < lines.length && lines[i].trim() === '') i++;
    if (/^Commands?:/.test(lines[i] ?? '')) {
      while (i < lines.length && lines[i].trim() !== '') i++;
    } else i = h + 1;
    lines.splice(i, 0, '', block);
    return lines.join('\n');
  }
  // A new section, after the section of the benchmark before it in ORDER that the file has.
  const text = ['', bench.heading, '', ...(bench.intro ? [bench.intro, ''] : []), block, ''];
  let at = lines.length;
  for (let k = ORDER.indexOf(name) - 1; k >= 0; k--) {
    const prev = lines.findIndex((l) => l.trim() === BENCHES[ORDER[k]].heading);
    if (prev === -1) continue;
    const next = lines.findIndex((l, j) => j > prev && /^## /.test(l));
    at = next === -1 ? lines.length : next;
    break;
  }
  while (at > 0 && lines[at - 1].trim() === '') at--;
  lines.splice(at, 0, ...text);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const all = ORDER.filter((n) => n !== 'soak');
  let names = opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : opts.soak ? [] : all;
  if (opts.soak && !names.includes('soak')) names.push('soak');
  for (const n of names) if (!BENCHES[n]) throw new Error(`unknown benchmark ${n}; known: ${ORDER.join(', ')}`);
  names = ORDER.filter((n) => names.includes(n));

  const results = {};
  const began = Date.now();
  if (opts.render) {
    for (const name of names) {
      const file = join(chartDir, `${name}.json`);
      if (!existsSync(file)) continue;
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      results[name] = { ...saved, machine: saved.machine };
    }
  } else {
    for (const name of names) {
      const m = machine();
      const t0 = Date.now();
      try {
        const r = await BENCHES[name].run(results);
        results[name] = { ...r, machine: m, invoked, quick: QUICK, seconds: (Date.now() - t0) / 1000, ...(cBinaries ? { cc: ccVersion() } : {}) };
      } catch (error) {
        console.error(`\n!! ${name}: ${error.message}`);
        results[name] = { failed: error.message };
      }
    }
  }

  if (!existsSync(out)) copyFileSync(join(root, 'BENCHMARKS.md'), out);
  let doc = readFileSync(out, 'utf8');
  const written = [];
  for (const name of names) {
    const r = results[name];
    if (!r || r.failed) continue;
    doc = place(doc, name, section(name, r, r.machine));
    written.push(name);
  }
  writeFileSync(out, doc.endsWith('\n') ? doc : `${doc}\n`);
  const failed = names.filter((n) => results[n]?.failed);
  console.log(`\nbench: ${written.length ? `rewrote ${written.join(', ')} in ${relative(process.cwd(), out) || out}` : 'nothing rewritten'}; charts in ${relative(process.cwd(), chartDir) || chartDir}; ${n0((Date.now() - began) / 1000)} s${failed.length ? `; FAILED: ${failed.map((n) => `${n} (${results[n].failed})`).join(', ')}` : ''}`);
  rmSync(tmp, { recursive: true, force: true });
  if (failed.length) process.exitCode = 1;
}

await main();

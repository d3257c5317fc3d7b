#!/usr/bin/env node
// DogStatsD throughput and footprint: the built-in agent (lib/agent.js) vs Etsy's statsd daemon,
// side by side on this machine. A paced sender (its own process) climbs a ladder of rates for
// single-metric and ~1400-byte packed datagrams; each step's loss = 1 - received/sent samples.
//   node bench/dogstatsd.mjs [--step-seconds 2] [--max-rate 400000] [--rcvbuf <bytes, 0 = kernel default>] [--uds] [--no-relay]
//                            [--sender <udp-sender binary>] [--c-receiver <recvmmsg-receiver binary>] [--json <file>]
//                            [--ladder 1000,10000,…] [--boots 3]
// --sender: the C sender (bench/c/udp-sender.c, `cc -O2 -o /tmp/udp-sender bench/c/udp-sender.c`)
// instead of the Node one, which tops out near 240k datagrams/s; --c-receiver: a third receiver
// on the same ladder, bench/c/recvmmsg-receiver.c, which only counts (the machine's ceiling);
// --json: the results as JSON too (bench/run.mjs charts them). `npm run bench` passes all three.
// --no-relay: the built-in agent without perl on its PATH, so Node's dgram reads UDP.
// --uds: the built-in agent alone, the sender on DD_DOGSTATSD_SOCKET (Etsy's daemon has no Unix
// socket); loss includes what the sender had to drop while the socket's queue was full.
// The built-in agent's CPU and RSS include its Perl relay's (the process that reads the socket).
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createServer as createHttpServer, request } from 'node:http';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const STEP_SECONDS = flag('step-seconds', 2);
const MAX_RATE = flag('max-rate', 400_000);
// The agent's DD_DOGSTATSD_SO_RCVBUF: absent = its default (rmem_max, at most 4 MiB); 0 = the kernel default, as Etsy's daemon.
const RCVBUF = flag('rcvbuf', undefined);
const UDS = args.includes('--uds');
const NO_RELAY = args.includes('--no-relay');
const option = (name) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const SENDER = option('sender');
const C_RECEIVER = option('c-receiver');
const JSON_OUT = option('json');
const LADDER = [1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 100_000, 120_000, 140_000, 160_000, 200_000, 240_000, 280_000, 320_000, 400_000, 500_000, 640_000, 800_000, 1_000_000, 1_250_000, 1_600_000].filter((r) => r <= MAX_RATE);
if (option('ladder')) LADDER.splice(0, LADDER.length, ...option('ladder').split(',').map(Number));
const BOOTS = flag('boots', 3);
const LOSS_LIMIT = 0.005;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** CPU seconds of a receiver: its processes added up (the agent and its relays). */
const cpuSeconds = (receiver) => receiver.pids.reduce((sum, pid) => sum + procStats(pid).cpuSeconds, 0);

/** RSS and peak RSS of a receiver, its processes added up. */
function memory(receiver) {
  const stats = receiver.pids.map(procStats);
  return { rssMb: stats.reduce((sum, s) => sum + s.rssMb, 0), peakRssMb: stats.reduce((sum, s) => sum + s.peakRssMb, 0) };
}

function waitForOutput(child, pattern, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${timeoutMs} ms: ${seen}`)), timeoutMs);
    const on = (d) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
  });
}

/** The built-in agent, forwarding to a local sink that accepts everything. */
async function startBuiltin(sinkUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-agent-'));
  const [port, cmdPort] = [await freePort(), await freePort()];
  const socket = join(dir, 'dsd.socket');
  writeFileSync(join(dir, 'datadog.yaml'), `dogstatsd_port: ${port}\ncmd_port: ${cmdPort}\n${UDS ? `dogstatsd_socket: ${socket}\n` : ''}`);
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'lib/agent.js'), 'run', '-c', join(dir, 'datadog.yaml')], {
    env: { ...process.env, ...(NO_RELAY ? { PATH: dir } : {}), DD_API_KEY: 'bench0000000000000000000000000000', DD_DD_URL: sinkUrl, DD_APM_ENABLED: 'false', DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'info', ...(RCVBUF !== undefined ? { DD_DOGSTATSD_SO_RCVBUF: String(RCVBUF) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForOutput(child, UDS ? /dogstatsd: listening on Unix socket/ : /dogstatsd: listening on UDP/);
  const bootMs = performance.now() - started;
  const token = readFileSync(join(dir, 'auth_token'), 'utf8').trim();
  const dogstatsd = () =>
    new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: cmdPort, path: '/agent/status?format=json', headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body).components.dogstatsd));
      }).on('error', reject).end();
    });
  const samples = async () => (await dogstatsd()).metricSamples;
  // The agent and the relays reading its sockets: their CPU and memory are the receiver's.
  const status = await dogstatsd();
  const pids = [child.pid, status.udpRelayPid, status.unixSocketRelayPid].filter((pid) => pid !== undefined);
  return { name: UDS ? 'built-in agent, Unix socket' : NO_RELAY ? 'built-in agent, Node dgram' : 'built-in agent', child, pids, port, target: UDS ? socket : port, bootMs, samples, stop: () => stop(child, dir) };
}

/** Etsy's statsd daemon flushing every 10 s (its default) to a backend that only counts. */
async function startEtsy() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-statsd-'));
  const [port, mgmtPort] = [await freePort(), await freePort()];
  const config = join(dir, 'config.js');
  writeFileSync(config, `{ port: ${port}, address: '127.0.0.1', mgmt_address: '127.0.0.1', mgmt_port: ${mgmtPort}, backends: [${JSON.stringify(join(root, 'bench/statsd-count-backend.cjs'))}], flushInterval: 10000 }`);
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'node_modules/statsd/stats.js'), config], { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(root, 'node_modules/statsd') });
  await waitForOutput(child, /server is up/);
  const bootMs = performance.now() - started;
  const mgmt = (command) =>
    new Promise((resolve, reject) => {
      const socket = connect(mgmtPort, '127.0.0.1', () => socket.write(`${command}\n`));
      let body = '';
      socket.on('data', (d) => {
        body += d;
        if (body.includes('END')) {
          socket.end();
          resolve(body);
        }
      });
      socket.on('error', reject);
    });
  // Flushed so far (the counting backend) + received since the last flush (the live counter).
  const samples = async () => {
    const counters = await mgmt('counters');
    const stats = await mgmt('stats');
    return Number(/benchcount\.metrics_received_total: (\d+)/.exec(stats)?.[1] ?? 0) + Number(/'statsd\.metrics_received': (\d+)/.exec(counters)?.[1] ?? 0);
  };
  return { name: 'Etsy statsd 0.9', child, pids: [child.pid], port, target: port, bootMs, samples, stop: () => stop(child, dir) };
}

/** bench/c/recvmmsg-receiver: counts datagrams and lines, parses nothing; answers a stdin line with its counts. */
async function startC() {
  const started = performance.now();
  const child = spawn(C_RECEIVER, ['0', RCVBUF !== undefined ? String(RCVBUF) : String(4 << 20)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiting = [];
  let buffered = '';
  child.stdout.on('data', (d) => {
    buffered += d;
    let i;
    while ((i = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (waiting.length) waiting.shift()(line);
      else lines.push(line);
    }
  });
  const next = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((resolve) => waiting.push(resolve)));
  const port = Number((await next()).split(' ')[1]);
  const bootMs = performance.now() - started;
  const samples = async () => {
    child.stdin.write('\n');
    return Number((await next()).split(' ')[1]);
  };
  return { name: 'C recvmmsg (ceiling)', child, pids: [child.pid], port, target: port, bootMs, samples, stop: () => stop(child) };
}

async function stop(child, dir) {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
}

function send(target, rate, seconds, kind, contexts = 100) {
  const argv = [String(target), String(rate), String(seconds), kind, String(contexts)];
  const out = SENDER ? execFileSync(SENDER, argv, { encoding: 'utf8' }) : execFileSync(process.execPath, [join(root, 'bench/dogstatsd-sender.mjs'), ...argv], { encoding: 'utf8' });
  return JSON.parse(out);
}

async function settle(receiver) {
  // Received count stops moving once the socket buffer is drained.
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const now = await receiver.samples();
    if (now === last) return now;
    last = now;
    await sleep(100);
  }
  return last;
}

/** One step: `rate` datagrams/s of `kind` for STEP_SECONDS, loss and CPU of the receiver. */
async function step(receiver, rate, kind) {
  const before = await settle(receiver);
  const cpuBefore = cpuSeconds(receiver);
  const sent = send(receiver.target, rate, STEP_SECONDS, kind);
  const received = (await settle(receiver)) - before;
  const cpu = (cpuSeconds(receiver) - cpuBefore) / sent.seconds;
  return { target: rate, datagramsPerSec: Math.round(sent.datagrams / sent.seconds), samplesPerSec: Math.round(received / sent.seconds), loss: 1 - received / sent.samples, cpu, senderBound: sent.datagrams / sent.seconds < rate * 0.9, dropped: sent.dropped ?? 0 };
}

/**
 * Both receivers climb the same ladder step by step, one right after the other, so a busy
 * moment on the machine hits both alike; each stops at its first step over the loss limit.
 */
async function ladders(receivers, kind) {
  const runs = receivers.map(() => ({ best: undefined, steps: [], done: false }));
  for (const rate of LADDER) {
    for (const [i, receiver] of receivers.entries()) {
      const run = runs[i];
      if (run.done) continue;
      const s = await step(receiver, rate, kind);
      run.steps.push(s);
      if (s.loss < LOSS_LIMIT) run.best = s;
      if (s.loss >= LOSS_LIMIT || s.senderBound) run.done = true;
    }
    if (runs.every((r) => r.done)) break;
  }
  return runs;
}

async function contextsRss(receiver) {
  const count = 100_000;
  const socket = createSocket('udp4');
  for (let i = 0; i < count; i += 40) {
    const lines = Array.from({ length: Math.min(40, count - i) }, (_, j) => `bench.ctx.m${i + j}:1|g|#shard:${(i + j) % 7}`);
    await new Promise((resolve) => socket.send(lines.join('\n'), receiver.port, '127.0.0.1', resolve));
    if (i % 4000 === 0) await sleep(2);
  }
  socket.close();
  await settle(receiver);
  await sleep(500);
  return memory(receiver).rssMb;
}

const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sink = createHttpServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(202).end('{}'));
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;

const starters = UDS ? [() => startBuiltin(sinkUrl)] : [() => startBuiltin(sinkUrl), startEtsy, ...(C_RECEIVER ? [startC] : [])];
const results = [];
for (const start of starters) {
  const boots = [];
  for (let i = 0; i < BOOTS; i++) {
    const r = await start();
    boots.push(r.bootMs);
    await r.stop();
  }
  boots.sort((a, b) => a - b);
  // Footprint on a fresh process: idle, then with 100 000 live contexts.
  const fresh = await start();
  await sleep(2_000);
  const idleRss = memory(fresh).rssMb;
  const rss100k = await contextsRss(fresh);
  await fresh.stop();
  results.push({ name: fresh.name, bootMs: boots[Math.floor(boots.length / 2)], idleRss, rss100k });
}
const receivers = [];
for (const start of starters) receivers.push(await start());
await sleep(1_000);
const [singles, packeds] = [await ladders(receivers, 'single'), await ladders(receivers, 'packed')];
receivers.forEach((receiver, i) => Object.assign(results[i], { single: singles[i], packed: packeds[i], peakRss: memory(receiver).peakRssMb }));
for (const receiver of receivers) await receiver.stop();
sink.close();

const f = (n, d = 0) => (n === undefined ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const node = process.version;
console.log(`DogStatsD${UDS ? ' over DD_DOGSTATSD_SOCKET' : ''}, ${STEP_SECONDS} s per step, loss limit ${LOSS_LIMIT * 100} %, agent DD_DOGSTATSD_SO_RCVBUF ${RCVBUF !== undefined ? RCVBUF : 'unset (rmem_max, at most 4 MiB)'}; ${cpus().length} cores, node ${node}; load average before: ${loadBefore}`);
console.log('| Receiver | Payload | Loss-free datagrams/s | Samples/s | CPU at that rate | Peak RSS |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const r of results) {
  for (const [kind, run] of [['single metric', r.single], ['packed ~1400 B', r.packed]]) {
    console.log(`| ${r.name} | ${kind} | ${f(run.best?.datagramsPerSec)} | ${f(run.best?.samplesPerSec)} | ${run.best ? f(run.best.cpu * 100) + ' %' : 'n/a'} | ${f(r.peakRss, 1)} MB |`);
  }
}
if (JSON_OUT) {
  writeFileSync(JSON_OUT, JSON.stringify({ stepSeconds: STEP_SECONDS, lossLimit: LOSS_LIMIT, rcvbuf: RCVBUF ?? null, uds: UDS, relay: !NO_RELAY, sender: SENDER ? 'c' : 'node', cores: cpus().length, node, loadBefore, receivers: results }, null, 1));
}
const ratio = (kind) => {
  const [agent, etsy] = results.map((r) => r[kind].best?.datagramsPerSec);
  if (agent === undefined) return 'n/a';
  return etsy === undefined ? `> ${f(agent / LADDER[0])}× (Etsy lost over 0.5 % at the first step)` : `${f(agent / etsy, 1)}×`;
};
if (!UDS) {
  console.log('');
  console.log(`Loss-free rate, built-in agent ÷ Etsy statsd: single metric ${ratio('single')}, packed ${ratio('packed')}`);
  const ceiling = results.find((r) => r.name.startsWith('C recvmmsg'));
  if (ceiling) {
    const share = (kind) => (results[0][kind].best && ceiling[kind].best ? `${f((100 * results[0][kind].best.datagramsPerSec) / ceiling[kind].best.datagramsPerSec)} %` : 'n/a');
    console.log(`Loss-free rate, built-in agent ÷ C recvmmsg receiver (the machine's ceiling${SENDER ? '' : ', with the Node sender'}): single metric ${share('single')}, packed ${share('packed')}`);
  }
}
console.log('');
console.log(`| Receiver | Boot to listening (median of ${BOOTS}) | RSS idle | RSS with 100 000 contexts |`);
console.log('| --- | ---: | ---: | ---: |');
for (const r of results) console.log(`| ${r.name} | ${f(r.bootMs)} ms | ${f(r.idleRss, 1)} MB | ${f(r.rss100k, 1)} MB |`);
console.log('');
console.log('Ladder (target → sent datagrams/s, loss, CPU):');
for (const r of results) {
  for (const [kind, run] of [['single', r.single], ['packed', r.packed]]) {
    console.log(`- ${r.name}, ${kind}: ${run.steps.map((s) => `${f(s.target / 1000, s.target % 1000 ? 1 : 0)}k→${f(s.datagramsPerSec / 1000, 1)}k${s.senderBound ? ' (sender max)' : ''} ${f(s.loss * 100, 2)}%${s.dropped ? ` (${f(s.dropped)} dropped by the sender)` : ''} ${f(s.cpu * 100)}%`).join('; ')}`);
  }
}

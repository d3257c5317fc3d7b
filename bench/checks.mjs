#!/usr/bin/env node
// The built-in agent's CPU and memory with every integration check running, against the same
// agent with the host checks only, side by side in one run. Real servers on 127.0.0.1: Redis,
// PostgreSQL (initdb as the postgres user), gunicorn with 3 workers, an HTTP page and an
// OpenMetrics endpoint (200 series) served by this script.
//   node bench/checks.mjs [--seconds 60] [--interval 15] [--warmup 20] [--json FILE]
// --interval: min_collection_interval of every integration instance (the agent's default is 15 s).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const SECONDS = flag('seconds', 60);
const INTERVAL = flag('interval', 15);
const WARMUP_SECONDS = flag('warmup', 20);
const JSON_OUT = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const work = mkdtempSync(join(tmpdir(), 'bench-checks-'));
const cleanups = [];

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port, what, timeoutMs = 30_000) {
  const start = Date.now();
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = createServer().listen(port, '127.0.0.1');
      socket.on('listening', () => socket.close(() => resolve(false)));
      socket.on('error', () => resolve(true));
    });
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`${what} did not listen on ${port}`);
    await sleep(100);
  }
}

function spawnServer(command, argv, options = {}) {
  const child = spawn(command, argv, { stdio: 'ignore', ...options });
  cleanups.push(() => child.kill('SIGTERM'));
  return child;
}

async function startRedis() {
  const port = await freePort();
  spawnServer('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', 'bench-redis-pw']);
  await waitForPort(port, 'redis-server');
  return port;
}

async function startPostgres() {
  const bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1']).toString().trim();
  const data = join(work, 'pg');
  mkdirSync(data);
  chownSync(data, uid('postgres'), gid('postgres'));
  chmodSync(work, 0o755);
  const pwfile = join(work, 'pgpw');
  writeFileSync(pwfile, 'bench-pg-pw\n');
  chmodSync(pwfile, 0o644);
  execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/initdb`, '-D', data, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-U', 'postgres'], { stdio: 'ignore' });
  const port = await freePort();
  spawnServer('runuser', ['-u', 'postgres', '--', `${bin}/postgres`, '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${data}`]);
  await waitForPort(port, 'postgres');
  return port;
}

const uid = (user) => Number(execFileSync('id', ['-u', user]).toString());
const gid = (user) => Number(execFileSync('id', ['-g', user]).toString());

async function startGunicorn() {
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'app.py'), "def app(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok']\n");
  const port = await freePort();
  spawnServer('/usr/bin/gunicorn', ['--chdir', app, '--name', 'bench-app', '--workers', '3', '--bind', `127.0.0.1:${port}`, 'app:app']);
  await waitForPort(port, 'gunicorn');
  return port;
}

/** A page for http_check and an OpenMetrics endpoint of 200 series whose counters move. */
async function startHttp() {
  let hits = 0;
  const server = createHttpServer((req, res) => {
    hits++;
    if (req.url === '/metrics') {
      const lines = ['# TYPE bench_requests_total counter'];
      for (let i = 0; i < 100; i++) lines.push(`bench_requests_total{route="/r${i}",code="200"} ${hits * (i + 1)}`);
      lines.push('# TYPE bench_queue_depth gauge');
      for (let i = 0; i < 100; i++) lines.push(`bench_queue_depth{queue="q${i}"} ${i}`);
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
    } else res.writeHead(200).end('bench ok');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  return server.address().port;
}

function memory(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
  return { rss: kb('Rss'), pss: kb('Pss'), anon: kb('Anonymous') };
}

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startAgent(name, sinkUrl, confd) {
  const dir = mkdtempSync(join(work, 'agent-'));
  const [port, cmdPort, apmPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(join(dir, 'conf.d'));
  for (const [file, text] of Object.entries(confd)) writeFileSync(join(dir, 'conf.d', file), text);
  writeFileSync(join(dir, 'datadog.yaml'), `dogstatsd_port: ${port}\ncmd_port: ${cmdPort}\n`);
  const child = spawn(process.execPath, [join(root, 'lib/agent.js'), 'run', '-c', join(dir, 'datadog.yaml')], {
    env: { ...process.env, DD_API_KEY: 'bench0000000000000000000000000000', DD_DD_URL: sinkUrl, DD_APM_RECEIVER_PORT: String(apmPort), DD_LOG_LEVEL: 'warn', DD_HOSTNAME: name },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  cleanups.push(() => child.kill('SIGTERM'));
  const token = () => readFileSync(join(dir, 'auth_token'), 'utf8').trim();
  const status = () =>
    new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: cmdPort, path: '/agent/status?format=json', headers: { Authorization: `Bearer ${token()}` } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body)));
      })
        .on('error', reject)
        .end();
    });
  for (let i = 0; ; i++) {
    try {
      await status();
      break;
    } catch (error) {
      if (i > 100) throw error;
      await sleep(100);
    }
  }
  const relay = (await status()).components.dogstatsd.udpRelayPid;
  const pids = [child.pid, relay].filter((pid) => pid !== undefined);
  return { name, pids, status };
}

async function main() {
  const sink = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202).end('{}'));
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => sink.close());
  const sinkUrl = `http://127.0.0.1:${sink.address().port}`;
  const [redisPort, pgPort, gunicornPort, httpPort] = await Promise.all([startRedis(), startPostgres(), startGunicorn(), startHttp()]);
  const every = `    min_collection_interval: ${INTERVAL}\n`;
  const confd = {
    'redisdb.yaml': `instances:\n  - host: 127.0.0.1\n    port: ${redisPort}\n    password: bench-redis-pw\n${every}`,
    'postgres.yaml': `instances:\n  - host: 127.0.0.1\n    port: ${pgPort}\n    username: postgres\n    password: bench-pg-pw\n    dbname: postgres\n${every}`,
    'gunicorn.yaml': `instances:\n  - proc_name: bench-app\n${every}`,
    'process.yaml': `instances:\n  - name: gunicorn\n    search_string: ['gunicorn']\n${every}`,
    'http_check.yaml': `instances:\n  - name: page\n    url: http://127.0.0.1:${gunicornPort}/\n${every}  - name: local\n    url: http://127.0.0.1:${httpPort}/\n${every}`,
    'openmetrics.yaml': `instances:\n  - openmetrics_endpoint: http://127.0.0.1:${httpPort}/metrics\n    namespace: bench\n    metrics: ['.*']\n${every}`,
  };
  const agents = [await startAgent('host-checks-only', sinkUrl, {}), await startAgent('all-checks', sinkUrl, confd)];
  await sleep(WARMUP_SECONDS * 1000);
  const before = agents.map((a) => a.pids.map(cpuSeconds));
  await sleep(SECONDS * 1000);
  const rows = [];
  for (const [i, agent] of agents.entries()) {
    const cpu = agent.pids.map((pid, j) => cpuSeconds(pid) - before[i][j]).reduce((a, b) => a + b, 0);
    const mem = agent.pids.map(memory).reduce((a, m) => ({ rss: a.rss + m.rss, pss: a.pss + m.pss, anon: a.anon + m.anon }), { rss: 0, pss: 0, anon: 0 });
    const status = await agent.status();
    const running = status.components.collector.runningChecks;
    const instances = Object.values(running).flat();
    const failing = instances.filter((s) => s.state !== 'OK').map((s) => `${s.id}: ${s.error}`);
    rows.push({ agent: agent.name, instances: instances.length, failing, cpuPct: (100 * cpu) / SECONDS, ...mem });
  }
  console.log(`\nbuilt-in agent (+ its UDP relay), ${SECONDS} s after ${WARMUP_SECONDS} s of warm-up; integration instances every ${INTERVAL} s; node ${process.version}`);
  console.log('| Agent | Check instances | CPU (% of a core) | RSS MB | PSS MB | Anonymous MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.agent} | ${r.instances} | ${r.cpuPct.toFixed(2)} | ${r.rss.toFixed(1)} | ${r.pss.toFixed(1)} | ${r.anon.toFixed(1)} |`);
  for (const r of rows) for (const f of r.failing) console.log(`  ! ${r.agent}: ${f}`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ node: process.version, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, interval: INTERVAL, rows }, null, 1));
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) cleanup();
  await sleep(500);
  rmSync(work, { recursive: true, force: true });
}

// End to end, as a new user would: the gunicorn example compiled by the real bin/compile in the
// builtin flavour, with redisdb, gunicorn, http_check, openmetrics and process files in its
// datadog/conf.d and DATABASE_URL + DD_ENABLE_HEROKU_POSTGRES=true, booted like a dyno against
// real Redis and PostgreSQL servers: every check reaches the intake with the dyno's tags,
// `agent-wrapper check redisdb` prints its metrics, `agent-wrapper status` shows the Collector,
// and no password is shown anywhere.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDyno, restartSignal, waitForWeb, type Dyno } from '../../../scripts/demo/dyno.js';
import { buildSlug } from '../../../scripts/demo/slug.js';
import type { CheckRun, Serie } from '../../../src/agent/aggregator/payloads.js';
import { startPostgres, SUPERUSER_PASSWORD, type PostgresServer } from '../../helpers/postgres-server.js';
import { startRecordingIntake, type RecordingIntake } from '../../helpers/recording-intake.js';
import { startRedis, type RedisServer } from '../../helpers/redis-server.js';
import { freePort, until } from '../agent-harness.js';

const repo = join(import.meta.dirname, '../../..');
const API_KEY = 'e2e0checks0000000000000000000000';
const REDIS_PASSWORD = 'redis-Pa55-e2e-9134';
const run = promisify(execFile);

describe('a compiled builtin dyno with conf.d checks and Heroku Postgres', () => {
  let work: string;
  let slug: string;
  let intake: RecordingIntake;
  let redis: RedisServer;
  let postgres: PostgresServer;
  let page: Server;
  let dyno: Dyno;
  let env: Record<string, string>;
  let scrapes = 0;

  const wrapper = (...args: string[]) =>
    run('bash', ['-c', 'source .profile.d/datadog.sh >/dev/null 2>&1; agent-wrapper "$@"', 'agent-wrapper', ...args], { cwd: slug, env: { PATH: process.env.PATH!, ...env, HOME: slug, DISABLE_DATADOG_AGENT: 'not-again' } }).catch(
      (error: { stdout: string; stderr: string; code: number }) => ({ stdout: error.stdout, stderr: error.stderr, code: error.code }),
    );
  const series = () => intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: Serie[] }>().series);
  const checks = () => intake.accepted('/api/v1/check_run').flatMap((r) => r.json<CheckRun[]>());

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'checks-dyno-'));
    slug = join(work, 'slug');
    [intake, redis, postgres] = await Promise.all([
      startRecordingIntake(),
      startRedis({ password: REDIS_PASSWORD }),
      // Heroku Postgres serves TLS only; the runtime's instance says `ssl: require`.
      startPostgres({ hba: ['hostssl all all 127.0.0.1/32 scram-sha-256'], tls: true }),
    ]);
    page = createServer((req, res) => {
      if (req.url === '/metrics') {
        scrapes++;
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(`# TYPE shop_orders_total counter\nshop_orders_total{kind="book"} ${10 * scrapes}\n# TYPE shop_queue_depth gauge\nshop_queue_depth 7\n`);
      } else res.writeHead(200).end('shop is up');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const pagePort = (page.address() as { port: number }).port;

    const build = await buildSlug(repo, 'gunicorn-app', slug, join(work, 'cache'), join(work, 'env'), { DD_AGENT_FLAVOR: 'builtin' });
    expect(build.ok, build.output).toBe(true);
    const confd = join(slug, 'datadog', 'conf.d');
    mkdirSync(confd, { recursive: true });
    const every = '    min_collection_interval: 2\n';
    writeFileSync(join(confd, 'redisdb.yaml'), `init_config:\ninstances:\n  - host: 127.0.0.1\n    port: ${redis.port}\n    password: ${REDIS_PASSWORD}\n${every}`);
    writeFileSync(join(confd, 'gunicorn.yaml'), `init_config:\ninstances:\n  - proc_name: shop\n${every}`);
    writeFileSync(join(confd, 'http_check.yaml'), `init_config:\ninstances:\n  - name: shop-page\n    url: http://127.0.0.1:${pagePort}/\n    content_match: shop is up\n${every}`);
    writeFileSync(join(confd, 'openmetrics.yaml'), `init_config:\ninstances:\n  - openmetrics_endpoint: http://127.0.0.1:${pagePort}/metrics\n    namespace: shop\n    metrics: [{shop_orders: orders}, {shop_queue_depth: queue_depth}]\n${every}`);
    writeFileSync(join(confd, 'process.yaml'), `init_config:\ninstances:\n  - name: gunicorn\n    search_string: ['^gunicorn: master \\[shop\\]']\n    exact_match: false\n${every}`);
    // The example's Procfile with a process name for the gunicorn check.
    writeFileSync(join(slug, 'Procfile'), 'web: gunicorn --name shop --bind 127.0.0.1:$PORT --workers 2 app:app\n');

    const admin = await postgres.admin();
    await admin.query("CREATE ROLE shop LOGIN PASSWORD 'pg-Pa55-e2e-7781'");
    await admin.query('CREATE DATABASE shop OWNER shop');
    await admin.end();
    const [web, statsd, apm, cmd] = [await freePort(), await freePort(), await freePort(), await freePort()];
    env = {
      DYNO: 'web.1',
      PORT: String(web),
      HEROKU_APP_NAME: 'shop-app',
      DD_API_KEY: API_KEY,
      DD_DD_URL: intake.url,
      DD_APM_DD_URL: intake.url,
      DD_DOGSTATSD_PORT: String(statsd),
      DD_APM_RECEIVER_PORT: String(apm),
      DD_CMD_PORT: String(cmd),
      DATABASE_URL: `postgres://shop:pg-Pa55-e2e-7781@127.0.0.1:${postgres.port}/shop`,
      DD_ENABLE_HEROKU_POSTGRES: 'true',
    };
    dyno = bootDyno(slug, 'gunicorn --name shop --bind 127.0.0.1:$PORT --workers 2 app:app', env, join(work, 'dyno.log'));
    await waitForWeb(web, dyno);
  }, 120_000);

  afterAll(async () => {
    if (dyno !== undefined) await restartSignal(dyno, 25_000);
    await Promise.allSettled([intake?.close(), redis?.stop(), postgres?.stop(), new Promise((resolve) => page?.close(resolve))]);
    rmSync(work, { recursive: true, force: true });
  });

  it('reports every check to the intake with the dyno tags', { timeout: 90_000 }, async () => {
    // Postgres comes from DATABASE_URL at the collector's default 15 s; the first flush is 15 s after boot.
    const expected = ['redis.can_connect', 'postgres.can_connect', 'gunicorn.is_running', 'http.can_connect', 'shop.openmetrics.health', 'process.up'];
    // The agent starts before the app's command: the first gunicorn runs find no master yet.
    const latest = (name: string) => checks().filter((c) => c.check === name).at(-1);
    await until(() => expected.every((name) => latest(name)?.status === 0), 60_000, `service checks ${expected.join(', ')} OK`);
    for (const name of expected) expect(latest(name), name).toMatchObject({ status: 0, tags: expect.arrayContaining(['dyno:web.1', 'appname:shop-app']) });
    await until(() => series().some((s) => s.metric === 'shop.orders.count'), 30_000, 'the openmetrics counter (two scrapes)');
    const named = (metric: string) => series().filter((s) => s.metric === metric);
    for (const metric of ['redis.net.clients', 'postgresql.connections', 'gunicorn.workers', 'network.http.response_time', 'shop.queue_depth', 'shop.orders.count', 'system.processes.number']) {
      expect(named(metric).length, metric).toBeGreaterThan(0);
      expect(named(metric)[0]!.tags, metric).toEqual(expect.arrayContaining(['dyno:web.1', 'dynotype:web', 'appname:shop-app']));
    }
    expect(named('postgresql.connections').some((s) => s.tags.includes('db:shop'))).toBe(true);
    expect(named('redis.net.clients')[0]!.tags).toContain(`redis_port:${redis.port}`);
    const workers = named('gunicorn.workers').filter((s) => s.points[0]![0] === Math.max(...named('gunicorn.workers').map((w) => w.points[0]![0])));
    expect(workers.reduce((sum, s) => sum + s.points[0]![1], 0), JSON.stringify(workers)).toBe(2);
    expect(named('shop.queue_depth')[0]!.points[0]![1]).toBe(7);
    // The agent starts before the app's command: the last run counts the master.
    expect(named('system.processes.number').at(-1)!.points[0]![1]).toBe(1);
  });

  it('`agent-wrapper check redisdb` prints its metrics; `agent-wrapper status` shows the Collector', { timeout: 60_000 }, async () => {
    const check = await wrapper('check', 'redisdb');
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/=== Series ===/);
    expect(check.stdout).toContain('"metric": "redis.net.clients"');
    expect(check.stdout).toMatch(/Instance ID: redisdb:[0-9a-f]+ \[OK\]/);
    const status = await wrapper('status');
    expect(status.stdout).toContain('=========\nCollector\n=========');
    for (const name of ['redisdb', 'postgres', 'gunicorn', 'http_check', 'openmetrics', 'process']) {
      expect(status.stdout, name).toMatch(new RegExp(`\\n    ${name}\\n    -+\\n      Instance ID: ${name}:[^\\n]+ \\[OK\\]`));
    }
    for (const text of [check.stdout, check.stderr, status.stdout, status.stderr, readFileSync(join(work, 'dyno.log'), 'utf8')]) {
      expect(text).not.toContain(REDIS_PASSWORD);
      expect(text).not.toContain('pg-Pa55-e2e-7781');
      expect(text).not.toContain(SUPERUSER_PASSWORD);
      expect(text).not.toContain(API_KEY);
    }
  });
});

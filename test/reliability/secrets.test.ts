// Secrets never leak (issue 11, point 4; CONTRIBUTING: "Secrets (DD_API_KEY, database URLs) never
// appear in output, logs, status or errors"). A builtin slug compiled by the real bin/compile with the
// API key in ENV_DIR, booted like a dyno with a Postgres password in DATABASE_URL, a Redis password in
// REDIS_URL and passwords in conf.d (http_check, redisdb), every server pointed at a closed local port
// so every check fails and says why. Every byte of every command's output, the dyno log, what the
// agent sent to the intake, every world-readable file under the slug and its temp dirs, and the agent
// processes' command lines are searched for each secret; files that must hold one are not world-readable.
import { execFile } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDyno, restartSignal, type Dyno } from '../../scripts/demo/dyno.js';
import { buildSlug } from '../../scripts/demo/slug.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { freePort } from '../integration/agent-harness.js';

const repo = join(import.meta.dirname, '../..');
// Recognisable, each unlike anything else the agent prints.
const API_KEY = 'f00dfacecafe5ec7e7a91b0c0ffee123'; // 32 characters, as Datadog's
const PG_PASSWORD = 'pgPa55wordXq7Lz';
const REDIS_PASSWORD = 'redisPa55Kv9Wm';
const REDISDB_PASSWORD = 'confdRedisPa55Tr4';
const HTTP_PASSWORD = 'httpCheckPa55Yb2';
const HTTP_URL_PASSWORD = 'urlUserPa55Hn6';
const INTAKE_URL_PASSWORD = 'intakeUrlPa55Gd3';
const BAD_YAML_PASSWORD = 'badYamlPa55Jc8';
const SECRETS = { API_KEY, PG_PASSWORD, REDIS_PASSWORD, REDISDB_PASSWORD, HTTP_PASSWORD, HTTP_URL_PASSWORD, INTAKE_URL_PASSWORD, BAD_YAML_PASSWORD };
// The API key's last 5 characters are what `agent status` may show (masked as the official agent does).
const needles = (text: string): string[] => Object.entries(SECRETS).filter(([, secret]) => text.includes(secret)).map(([name]) => name);

interface Captured {
  what: string;
  text: string;
}

describe('no secret leaks from a compiled builtin dyno', () => {
  let work: string;
  let slug: string;
  let tmp: string;
  let intake: RecordingIntake;
  let dyno: Dyno;
  let env: Record<string, string>;
  let buildOutput = '';
  const captured: Captured[] = [];

  /** bash in the slug with the dyno's variables, as `heroku run` gives them, after the profile script (which does not start a second agent). */
  const inDyno = (script: string, extra: Record<string, string> = {}) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(
        'bash',
        ['-c', `source .profile.d/datadog.sh >/dev/null 2>&1; ${script}`],
        { cwd: slug, env: { PATH: process.env.PATH!, LANG: 'C.UTF-8', ...env, HOME: slug, TMPDIR: tmp, DISABLE_DATADOG_AGENT: 'not-again', ...extra }, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ stdout, stderr, code: error === null ? 0 : ((error as { code?: number }).code ?? 1) }),
      );
    });
  const capture = async (what: string, script: string, extra: Record<string, string> = {}) => {
    const result = await inDyno(script, extra);
    captured.push({ what: `${what} (stdout)`, text: result.stdout }, { what: `${what} (stderr)`, text: result.stderr });
    return result;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'secrets-'));
    slug = join(work, 'slug');
    tmp = join(work, 'tmp');
    mkdirSync(tmp, { recursive: true });
    intake = await startRecordingIntake();
    const build = await buildSlug(repo, 'gunicorn-app', slug, join(work, 'cache'), join(work, 'env'), { DD_AGENT_FLAVOR: 'builtin', DD_API_KEY: API_KEY });
    buildOutput = build.output;
    expect(build.ok, build.output).toBe(true);

    // Closed ports: nothing listens there, so every check fails with its connection error.
    const [pgPort, redisPort, confdRedisPort, httpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const confd = join(slug, 'datadog', 'conf.d');
    mkdirSync(confd, { recursive: true });
    // The app's own files, kept private as a careful user would: the test judges what the agent makes of them.
    const own = (name: string, text: string) => {
      writeFileSync(join(confd, name), text);
      chmodSync(join(confd, name), 0o600);
    };
    own('redisdb.yaml', `init_config:\ninstances:\n  - host: 127.0.0.1\n    port: ${confdRedisPort}\n    password: ${REDISDB_PASSWORD}\n    min_collection_interval: 2\n`);
    own(
      'http_check.yaml',
      `init_config:\ninstances:\n  - name: private-page\n    url: http://admin:${HTTP_URL_PASSWORD}@127.0.0.1:${httpPort}/health\n    username: admin\n    password: ${HTTP_PASSWORD}\n    min_collection_interval: 2\n`,
    );
    // Unparseable YAML whose broken line holds a password: the config error must not quote it.
    own('openmetrics.yaml', `init_config:\ninstances:\n  - openmetrics_endpoint: http://127.0.0.1:1/metrics\n    password: "${BAD_YAML_PASSWORD}\n    : [\n`);

    const [statsd, apm, cmd] = [await freePort(), await freePort(), await freePort()];
    env = {
      DYNO: 'web.1',
      HEROKU_APP_NAME: 'secret-app',
      DD_API_KEY: API_KEY,
      DD_DD_URL: intake.url,
      DD_APM_DD_URL: intake.url,
      DD_DOGSTATSD_PORT: String(statsd),
      DD_APM_RECEIVER_PORT: String(apm),
      DD_CMD_PORT: String(cmd),
      DATABASE_URL: `postgres://appuser:${PG_PASSWORD}@127.0.0.1:${pgPort}/appdb`,
      DD_ENABLE_HEROKU_POSTGRES: 'true',
      REDIS_URL: `redis://h:${REDIS_PASSWORD}@127.0.0.1:${redisPort}`,
      DD_ENABLE_HEROKU_REDIS: 'true',
      DD_LOG_LEVEL: 'debug',
    };
    dyno = bootDyno(slug, 'sleep 600', { ...env, TMPDIR: tmp }, join(work, 'dyno.log'));
    // Up once status answers; then let every check fail at least once.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await inDyno('agent-wrapper status --json');
      if (status.code === 0 && status.stdout.includes('"collector"')) break;
      if (Date.now() > deadline) throw new Error(`the agent did not answer status: ${status.stdout}${status.stderr}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    await new Promise((r) => setTimeout(r, 5000));
  }, 180_000);

  afterAll(async () => {
    if (dyno !== undefined) await restartSignal(dyno, 25_000);
    await intake?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('bin/compile never prints the API key from ENV_DIR', () => {
    expect(buildOutput.length).toBeGreaterThan(0);
    expect(needles(buildOutput)).toEqual([]);
  });

  it('agent-wrapper prepare, status, status --json, check redisdb/postgres/http_check, config and forced errors print no secret', { timeout: 120_000 }, async () => {
    const prepare = await capture('agent-wrapper prepare', 'agent-wrapper prepare');
    expect(prepare.stdout).toMatch(/export /);
    const status = await capture('agent-wrapper status', 'agent-wrapper status');
    expect(status.stdout).toContain('Collector');
    const json = await capture('agent-wrapper status --json', 'agent-wrapper status --json');
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    // The checks failed for real (closed ports), so their errors were there to leak.
    expect(status.stdout).toMatch(/redisdb[\s\S]*ERROR|ERROR[\s\S]*redisdb/);
    for (const name of ['redisdb', 'postgres', 'http_check', 'openmetrics']) await capture(`agent-wrapper check ${name}`, `agent-wrapper check ${name}`);
    await capture('agent-wrapper config', 'agent-wrapper config');
    await capture('agent-wrapper health', 'agent-wrapper health');
    // Forced errors: intake URLs holding credentials (valid, unparseable, wrong scheme), an API key of the
    // wrong form, a bad log level. A URL's user info is a secret wherever the URL is shown.
    const bad: [string, Record<string, string>][] = [
      ['DD_DD_URL with credentials', { DD_DD_URL: `https://intake:${INTAKE_URL_PASSWORD}@127.0.0.1:1/` }],
      ['DD_DD_URL with credentials and a bad port', { DD_DD_URL: `https://intake:${INTAKE_URL_PASSWORD}@127.0.0.1:notaport/` }],
      ['DD_APM_DD_URL with credentials and an ftp scheme', { DD_APM_DD_URL: `ftp://x:${INTAKE_URL_PASSWORD}@127.0.0.1/` }],
      ['DD_API_KEY with a trailing space', { DD_API_KEY: `${API_KEY} ` }],
      ['DD_API_KEY too long', { DD_API_KEY: `${API_KEY}${API_KEY}` }],
      ['DD_LOG_LEVEL unknown', { DD_LOG_LEVEL: 'loud' }],
    ];
    for (const [label, extra] of bad) {
      await capture(`agent-wrapper config with bad ${label}`, 'agent-wrapper config', extra);
      await capture(`agent-wrapper check redisdb with bad ${label}`, 'agent-wrapper check redisdb', extra);
      await capture(`agent-wrapper prepare with bad ${label}`, 'agent-wrapper prepare', extra);
    }
    // Each leak with the first line that shows it (the secrets are the test's own).
    const leaks = captured
      .filter((c) => needles(c.text).length > 0)
      .map((c) => `${c.what}: ${needles(c.text).join(', ')} in ${JSON.stringify(c.text.split('\n').find((line) => needles(line).length > 0)?.slice(0, 300))}`);
    expect(leaks).toEqual([]);
  });

  it('the dyno log holds no secret', () => {
    const log = readFileSync(join(work, 'dyno.log'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    expect(needles(log)).toEqual([]);
  });

  it('what the agent sent to the intake (service check messages, events, tags, payloads) holds no secret', () => {
    expect(intake.requests.length).toBeGreaterThan(0);
    const leaks = intake.requests.filter((r) => needles(r.body.toString('latin1')).length > 0).map((r) => `${r.path}: ${needles(r.body.toString('latin1')).join(', ')}`);
    expect(leaks).toEqual([]);
    // The key travels in its header, nowhere else.
    expect(intake.requests.every((r) => r.headers['dd-api-key'] === API_KEY)).toBe(true);
  });

  it('no world-readable file under the slug or its temp dir holds a secret; files that must hold one are private', () => {
    const worldReadable: string[] = [];
    const holdingSecrets: { file: string; mode: number; secrets: string[] }[] = [];
    const walk = (dir: string): void => {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        const path = join(dir, name);
        const st = lstatSync(path);
        if (st.isDirectory()) {
          if (path === join(slug, 'node_modules')) continue;
          walk(path);
        } else if (st.isFile() && st.size < 64 * 1024 * 1024) {
          const found = needles(readFileSync(path).toString('latin1'));
          if (found.length === 0) continue;
          holdingSecrets.push({ file: path.slice(work.length), mode: st.mode & 0o777, secrets: found });
          if (st.mode & 0o004) worldReadable.push(`${path.slice(work.length)} (${(st.mode & 0o777).toString(8)}): ${found.join(', ')}`);
        }
      }
    };
    walk(slug);
    walk(tmp);
    expect(worldReadable).toEqual([]);
    // The generated Postgres/Redis instances and the copied conf.d must hold their passwords (the agent reads them), privately.
    const generated = holdingSecrets.filter((h) => !h.file.startsWith('/slug/datadog/'));
    expect(generated.some((h) => h.secrets.includes('PG_PASSWORD')), JSON.stringify(holdingSecrets)).toBe(true);
    for (const h of generated) expect(h.mode & 0o077, `${h.file} mode ${h.mode.toString(8)}`).toBe(0);
  });

  it('the agent processes carry no secret in their command lines (world-readable in /proc)', () => {
    const pids = dyno.pids();
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
      } catch {
        continue;
      }
      expect(needles(cmdline), cmdline).toEqual([]);
    }
  });
});

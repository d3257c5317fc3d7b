import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import type { AgentProcess } from '../../../src/runtime/agent-processes.js';
import { ChildLog } from '../../../src/runtime/log-filter.js';
import { restartDelay, Supervisor } from '../../../src/runtime/supervisor.js';

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function harness(processes: (dir: string) => AgentProcess[], options: { graceMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dd-supervisor-'));
  dirs.push(dir);
  let out = '';
  const write = (text: string) => void (out += text);
  const supervisor = new Supervisor({
    processes: processes(dir),
    env: { ...process.env, WORK: dir },
    authToken: join(dir, 'auth_token'),
    level: 'info',
    log: createLogger('SUP', 'info', write),
    write,
    graceMs: options.graceMs ?? 5_000,
    backoff: { base: 50, cap: 200, stableAfter: 60_000 },
  });
  return { dir, supervisor, out: () => out };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const core = (dir: string, body: string): AgentProcess => {
  const command = script(dir, 'agent', body);
  return { name: 'agent', command, program: command, args: [], needsAuthToken: false };
};

describe('ChildLog', () => {
  it('prefixes lines, filters by the agent level field, and lets continuation lines follow their line', () => {
    let out = '';
    const log = new ChildLog('trace-agent', 'info', (t) => (out += t));
    log.push('2026-01-01 00:00:00 UTC | TRACE | DEBUG | hidden\n  continuation of hidden\n');
    log.push('2026-01-01 00:00:00 UTC | TRACE | INFO | shown\n  continuation of shown\nplain');
    log.push(' line\n');
    log.push('2026-01-01 00:00:00 UTC | CORE | WARNING | (pkg/x.go:1 in f) | warned\npartial');
    log.end();
    expect(out).toBe(
      '[trace-agent] 2026-01-01 00:00:00 UTC | TRACE | INFO | shown\n[trace-agent]   continuation of shown\n[trace-agent] plain line\n' +
        '[trace-agent] 2026-01-01 00:00:00 UTC | CORE | WARNING | (pkg/x.go:1 in f) | warned\n[trace-agent] partial\n',
    );
  });

  it('prints nothing at all with level off', () => {
    let out = '';
    const log = new ChildLog('agent', 'off', (t) => (out += t));
    log.push('2026-01-01 00:00:00 UTC | CORE | CRITICAL | boom\nplain\n');
    expect(out).toBe('');
  });
});

describe('restart backoff', () => {
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => restartDelay(n, { base: 1000, cap: 5000 }))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

const satellite = (command: string): AgentProcess => ({ name: 'trace-agent', command, program: command, args: [], needsAuthToken: true });

describe('Supervisor', () => {
  it('starts a satellite only once the core agent wrote its auth token', async () => {
    const h = harness((dir) => [
      core(dir, 'trap "exit 0" TERM; sleep 0.3; echo token > "$WORK/auth_token"; while :; do sleep 0.1; done'),
      satellite(script(dir, 'trace', '[ -s "$WORK/auth_token" ] && echo saw-token > "$WORK/trace.out"; trap "exit 0" TERM; while :; do sleep 0.1; done')),
    ]);
    writeFileSync(join(h.dir, 'auth_token'), 'stale');
    h.supervisor.start();
    await until(() => existsSync(join(h.dir, 'trace.out')), 'trace-agent');
    expect(readFileSync(join(h.dir, 'trace.out'), 'utf8')).toBe('saw-token\n');
    await h.supervisor.stop();
    expect(h.out()).toMatch(/started agent[\s\S]*started trace-agent/);
  });

  it('restarts a crashing child with growing delays, one line per attempt', async () => {
    const h = harness((dir) => [core(dir, 'echo run >> "$WORK/runs"; exit 3')]);
    h.supervisor.start();
    const runs = () => (existsSync(join(h.dir, 'runs')) ? readFileSync(join(h.dir, 'runs'), 'utf8').split('\n').length - 1 : 0);
    await until(() => runs() >= 4, 'four runs');
    await h.supervisor.stop();
    const out = h.out();
    expect(out).toContain('agent exited with code 3; restarting in 0.05 s (attempt 1)');
    expect(out).toContain('agent exited with code 3; restarting in 0.1 s (attempt 2)');
    expect(out).toContain('agent exited with code 3; restarting in 0.2 s (attempt 3)');
    expect(out.match(/attempt 1\)/g)).toHaveLength(1);
  });

  it('a child stopped by SIGTERM just before the supervisor (Heroku signals all) is not reported as a crash', async () => {
    const h = harness((dir) => [core(dir, 'trap "exit 0" TERM; echo up > "$WORK/up"; while :; do sleep 0.1; done')]);
    h.supervisor.start();
    await until(() => existsSync(join(h.dir, 'up')), 'the child');
    process.kill(h.supervisor.pids().agent as number, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await h.supervisor.stop();
    expect(h.out()).not.toContain('restarting');
    expect(h.out()).toContain('agent exited with code 0');
  });

  it('a clean exit with no SIGTERM to follow is restarted all the same', async () => {
    const h = harness((dir) => [core(dir, 'echo run >> "$WORK/runs"; exit 0')]);
    h.supervisor.start();
    await until(() => h.out().includes('started agent (pid') && h.out().split('started agent').length > 2, 'a restart');
    await h.supervisor.stop();
    expect(h.out()).toContain('agent exited with code 0; restarting in 0.05 s (attempt 1)');
  });

  it('SIGKILLs a child that ignores SIGTERM once the grace period is over', async () => {
    const h = harness((dir) => [core(dir, 'trap "" TERM; echo up > "$WORK/up"; while :; do sleep 0.1; done')], { graceMs: 300 });
    h.supervisor.start();
    await until(() => existsSync(join(h.dir, 'up')), 'the child');
    const pid = h.supervisor.pids().agent as number;
    await h.supervisor.stop();
    expect(h.out()).toContain('agent still running 0.3 s after SIGTERM: killing it');
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('a command that cannot be spawned is retried, not fatal', async () => {
    const h = harness(() => [{ name: 'agent', command: '/nonexistent/agent', program: '/nonexistent/agent', args: [], needsAuthToken: false }]);
    h.supervisor.start();
    await until(() => h.out().includes('attempt 2'), 'two attempts');
    await h.supervisor.stop();
    expect(h.out()).toContain('agent could not start (ENOENT); restarting in 0.05 s (attempt 1)');
  });
});

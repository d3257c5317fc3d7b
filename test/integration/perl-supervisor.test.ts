// The builtin flavour's supervisor (src/runtime/supervisor.pl) as `start` runs it, with real processes
// and signals: stand-in agents (bash) and the built-in agent (lib/agent.js) against a local intake.
// Short stop grace and backoff come from the arguments tests may pass (perl-supervisor.ts).
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLevel } from '../../src/log.js';
import type { AgentProcess } from '../../src/runtime/agent-processes.js';
import { encode } from '@msgpack/msgpack';
import { spawnPerlSupervisor, type HeldSockets, type PerlSupervisorSpec } from '../../src/runtime/perl-supervisor.js';
import { readState } from '../../src/runtime/pid-file.js';
import type { SlugPaths } from '../../src/runtime/paths.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { deliveredCounts, deliveredSpans } from '../reliability/traffic.js';
import { freePort } from './agent-harness.js';

const AGENT = fileURLToPath(new URL('../../lib/agent.js', import.meta.url));
const API_KEY = 'abcdef0123456789abcdef0123456789';

const dirs: string[] = [];
const pids: number[] = [];
let intake: RecordingIntake | undefined;
afterEach(async () => {
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await intake?.close();
  intake = undefined;
});

async function until<T>(value: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const found = value();
    if (found !== undefined && found !== false) return found;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function standIn(dir: string, body: string): AgentProcess {
  const command = join(dir, 'agent');
  writeFileSync(command, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(command, 0o755);
  return { name: 'agent', command, program: command, args: [], needsAuthToken: false };
}

interface Run {
  readonly dir: string;
  readonly pid: number;
  readonly paths: Pick<SlugPaths, 'pidFile' | 'stateFile'>;
  out(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function supervise(
  agent: (dir: string) => AgentProcess,
  options: { level?: LogLevel; graceMs?: number; env?: NodeJS.ProcessEnv; sockets?: (dir: string) => HeldSockets; backoffBase?: number } = {},
): Run {
  const dir = mkdtempSync(join(tmpdir(), 'dd-perl-supervisor-'));
  dirs.push(dir);
  const paths = { pidFile: join(dir, 'agent-wrapper.pid'), stateFile: join(dir, 'agent-wrapper.json') };
  const spec: PerlSupervisorSpec = {
    process: agent(dir),
    level: options.level ?? 'info',
    ...paths,
    authToken: join(dir, 'auth_token'),
    flavour: 'builtin flavour',
    graceMs: options.graceMs ?? 10_000,
    backoff: { base: options.backoffBase ?? 50, cap: Math.max(200, options.backoffBase ?? 0), stableAfter: 60_000 },
    ...(options.sockets !== undefined ? { sockets: options.sockets(dir) } : {}),
    cleanExitGraceMs: 300,
  };
  const child = spawnPerlSupervisor(spec, { env: { PATH: process.env.PATH, WORK: dir, ...options.env }, output: 'pipe' });
  pids.push(child.pid as number);
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (out += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { dir, pid: child.pid as number, paths, out: () => out, exited };
}

const agentPid = (run: Run): number | undefined => readState(run.paths as SlugPaths)?.children[0]?.pid;

describe('the Perl supervisor', () => {
  it('writes the pid file and the state file (schema of pid-file.ts), and removes both when it stops', async () => {
    const run = supervise((dir) => standIn(dir, 'trap "exit 0" TERM; while :; do sleep 0.1; done'));
    const pid = await until(() => agentPid(run), 'the agent');
    expect(readFileSync(run.paths.pidFile, 'utf8')).toBe(`${run.pid}\n`);
    const state = readState(run.paths as SlugPaths);
    expect(state).toEqual({ pid: run.pid, startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/), children: [{ name: 'agent', pid, restarts: 0, state: 'running' }] });
    // As JSON.stringify(state, null, 2) writes it.
    expect(readFileSync(run.paths.stateFile, 'utf8')).toBe(`${JSON.stringify(state, null, 2)}\n`);
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(run.paths.pidFile)).toBe(false);
    expect(existsSync(run.paths.stateFile)).toBe(false);
    expect(run.out()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \| DATADOG-BUILDPACK \| INFO \| supervising agent \(builtin flavour\)\n/);
    expect(run.out()).toContain('| INFO | started agent (pid ');
    expect(run.out()).toContain('| INFO | SIGTERM received: stopping the agents\n');
    expect(run.out()).toContain('| INFO | agent exited with code 0\n');
    expect(run.out()).toMatch(/\| INFO \| all agents stopped\n$/);
  });

  it('an agent killed with -9 is restarted after the logged backoff; the state file counts the restart', async () => {
    const run = supervise((dir) => standIn(dir, 'trap "exit 0" TERM; while :; do sleep 0.1; done'));
    const first = await until(() => agentPid(run), 'the agent');
    process.kill(first, 'SIGKILL');
    const second = await until(() => { const pid = agentPid(run); return pid !== first && pid; }, 'the restarted agent');
    expect(readState(run.paths as SlugPaths)?.children).toEqual([{ name: 'agent', pid: second, restarts: 1, state: 'running' }]);
    expect(run.out()).toContain('| WARN | agent was killed by SIGKILL; restarting in 0.05 s (attempt 1)\n');
    expect(run.out()).toContain(`| INFO | started agent (pid ${second})\n`);
    process.kill(run.pid, 'SIGTERM');
    expect((await run.exited).code).toBe(0);
  });

  it('restarts a crashing agent with growing delays, one line per attempt', async () => {
    const run = supervise((dir) => standIn(dir, 'echo run >> "$WORK/runs"; exit 3'));
    const runs = () => (existsSync(join(run.dir, 'runs')) ? readFileSync(join(run.dir, 'runs'), 'utf8').split('\n').length - 1 : 0);
    await until(() => runs() >= 5, 'five runs');
    process.kill(run.pid, 'SIGTERM');
    expect((await run.exited).code).toBe(0);
    const out = run.out();
    expect(out).toContain('agent exited with code 3; restarting in 0.05 s (attempt 1)\n');
    expect(out).toContain('agent exited with code 3; restarting in 0.1 s (attempt 2)\n');
    expect(out).toContain('agent exited with code 3; restarting in 0.2 s (attempt 3)\n');
    expect(out).toContain('agent exited with code 3; restarting in 0.2 s (attempt 4)\n');
    expect(out.match(/attempt 1\)/g)).toHaveLength(1);
  });

  it('an agent stopped by SIGTERM just before the supervisor (Heroku signals all) is not reported as a crash', async () => {
    const run = supervise((dir) => standIn(dir, 'trap "exit 0" TERM; while :; do sleep 0.1; done'));
    const pid = await until(() => agentPid(run), 'the agent');
    // Once its trap is set (SIGTERM, bit 15, among the caught signals): before, the signal kills it.
    const catchesTerm = () => {
      const mask = /SigCgt:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return mask !== undefined && (BigInt(`0x${mask}`) & (1n << 14n)) !== 0n ? true : undefined;
    };
    await until(catchesTerm, 'the agent trapping SIGTERM');
    process.kill(pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    process.kill(run.pid, 'SIGTERM');
    expect((await run.exited).code).toBe(0);
    expect(run.out()).not.toContain('restarting');
    expect(run.out()).toContain('| INFO | agent exited with code 0\n');
  });

  it('a clean exit with no SIGTERM to follow is restarted after the clean-exit grace', async () => {
    const run = supervise((dir) => standIn(dir, 'exit 0'));
    await until(() => run.out().split('started agent').length > 2, 'a restart');
    process.kill(run.pid, 'SIGTERM');
    expect((await run.exited).code).toBe(0);
    expect(run.out()).toContain('agent exited with code 0; restarting in 0.05 s (attempt 1)\n');
  });

  it('a command that cannot be started is retried, not fatal', async () => {
    const run = supervise(() => ({ name: 'agent', command: '/nonexistent/agent', program: '/nonexistent/agent', args: [], needsAuthToken: false }));
    await until(() => run.out().includes('attempt 2'), 'two attempts');
    process.kill(run.pid, 'SIGTERM');
    expect((await run.exited).code).toBe(0);
    expect(run.out()).toContain('| WARN | agent could not start (ENOENT); restarting in 0.05 s (attempt 1)\n');
    expect(run.out()).not.toContain('started agent');
  });

  it('prefixes the agent lines and filters them by DD_LOG_LEVEL as ChildLog does; off silences everything', async () => {
    const lines = [
      '2026-01-01 00:00:00 UTC | CORE | DEBUG | hidden',
      '  continuation of hidden',
      '2026-01-01 00:00:00 UTC | CORE | WARNING | (pkg/x.go:1 in f) | warned',
      '  continuation of warned',
      '2026-01-01 00:00:00 UTC | CORE | INFO | hidden too',
      '',
      '2026-01-01 00:00:00 UTC | CORE | ERROR | failed\r',
      'stderr line',
    ];
    const body = `printf '%s\\n' ${lines.slice(0, -1).map((l) => `'${l}'`).join(' ')}; echo '${lines.at(-1)}' >&2; printf 'unterminated'; trap "exit 0" TERM; while :; do sleep 0.1; done`;
    for (const level of ['warn', 'off'] as const) {
      const run = supervise((dir) => standIn(dir, body), { level });
      if (level === 'warn') await until(() => run.out().includes('[agent] stderr line'), 'the agent lines');
      else await until(() => agentPid(run), 'the agent');
      await new Promise((r) => setTimeout(r, 200));
      process.kill(run.pid, 'SIGTERM');
      expect((await run.exited).code).toBe(0);
      expect(run.out()).toBe(
        level === 'off'
          ? ''
          : '[agent] 2026-01-01 00:00:00 UTC | CORE | WARNING | (pkg/x.go:1 in f) | warned\n[agent]   continuation of warned\n' +
              '[agent] 2026-01-01 00:00:00 UTC | CORE | ERROR | failed\n[agent] stderr line\n[agent] unterminated\n',
      );
    }
  });

  it('hands its own environment to the agent, and ignores SIGHUP', async () => {
    const run = supervise((dir) => standIn(dir, 'echo "$AGENT_ONLY" > "$WORK/env"; trap "exit 0" TERM; while :; do sleep 0.1; done'), { env: { AGENT_ONLY: 'from start' } });
    await until(() => existsSync(join(run.dir, 'env')) && readFileSync(join(run.dir, 'env'), 'utf8') === 'from start\n', 'the agent');
    const pid = agentPid(run) as number;
    process.kill(run.pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(run.pid) && alive(pid)).toBe(true);
    process.kill(run.pid, 'SIGTERM');
    expect((await run.exited).code).toBe(0);
  });

  it('SIGKILLs an agent stuck (SIGSTOPped) at the grace limit; a second signal changes nothing; exits 0', async () => {
    const run = supervise((dir) => standIn(dir, 'trap "exit 0" TERM; while :; do sleep 0.1; done'), { graceMs: 500 });
    const pid = await until(() => agentPid(run), 'the agent');
    process.kill(pid, 'SIGSTOP');
    process.kill(run.pid, 'SIGTERM');
    await until(() => run.out().includes('SIGTERM received'), 'the first signal');
    process.kill(run.pid, 'SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(alive(pid)).toBe(false);
    const out = run.out();
    expect(out).toContain('| WARN | agent still running 0.5 s after SIGTERM: killing it\n');
    expect(out).toContain('| INFO | agent was killed by SIGKILL\n');
    expect(out.match(/killing it/g)).toHaveLength(1);
    expect(out).not.toContain('restarting');
    expect(out).toMatch(/all agents stopped\n$/);
  });

  it('SIGTERM: the built-in agent flushes what it holds to the intake, and the supervisor exits 0 within the grace', async () => {
    intake = await startRecordingIntake();
    const [statsdPort, cmdPort, apmPort] = [await freePort(), await freePort(), await freePort()];
    const run = supervise(
      (dir) => {
        writeFileSync(join(dir, 'datadog.yaml'), `hostname: perl-supervisor-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\n`);
        return { name: 'agent', command: process.execPath, program: AGENT, args: [AGENT, 'run', '-c', join(dir, 'datadog.yaml')], needsAuthToken: false };
      },
      { env: { DD_API_KEY: API_KEY, DD_DD_URL: intake.url, DD_APM_DD_URL: intake.url, DD_APM_RECEIVER_PORT: String(apmPort), DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'info' } },
    );
    await until(() => /\[agent\] .*dogstatsd.*listening/i.test(run.out()), 'DogStatsD', 20_000);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => socket.send('perl.supervisor.last_flush:7|c', statsdPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    socket.close();
    await new Promise((r) => setTimeout(r, 300));
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const series = intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: { metric: string; host: string }[] }>().series);
    expect(series.filter((s) => s.metric === 'perl.supervisor.last_flush').map((s) => s.host)).toEqual(['perl-supervisor-host']);
    expect(run.out()).not.toContain('killing it');
    expect(run.out()).toMatch(/\| INFO \| agent exited with code 0\n[\s\S]*all agents stopped\n$/);
    expect(run.out()).not.toContain(API_KEY);
  });

  describe('the sockets it holds across agent restarts', () => {
    /** What a stand-in agent saw: the variable, then what each descriptor it names is. */
    const seen = (dir: string): string[][] =>
      readdirSync(dir)
        .filter((f) => f.startsWith('fds.'))
        .sort()
        .map((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
    const recordFds =
      'n=$(date +%s%N); { echo "$DD_BUILDPACK_INHERITED_SOCKETS"; for e in ${DD_BUILDPACK_INHERITED_SOCKETS//,/ }; do readlink /proc/$$/fd/${e#*=}; done; } > "$WORK/tmp.$n"; mv "$WORK/tmp.$n" "$WORK/fds.$n"; trap "exit 0" TERM; while :; do sleep 0.1; done';
    const procNetHas = (file: string, port: number, state: string): boolean =>
      readFileSync(`/proc/net/${file}`, 'utf8')
        .split('\n')
        .slice(1)
        .some((line) => {
          const f = line.trim().split(/\s+/);
          return f[1] !== undefined && parseInt(f[1].split(':')[1]!, 16) === port && f[3] === state;
        });

    it('binds UDP, the Unix socket and the trace listener before the first agent, hands the same ones to every agent it starts, and closes them when it stops', async () => {
      const [udpPort, apmPort] = [await freePort(), await freePort()];
      const run = supervise((dir) => standIn(dir, recordFds), {
        sockets: (dir) => ({ udp: { address: '127.0.0.1', port: udpPort }, unixSocket: join(dir, 'dsd.socket'), receiveBuffer: 1 << 20, apm: { address: '127.0.0.1', port: apmPort } }),
      });
      const first = await until(() => agentPid(run), 'the agent');
      await until(() => seen(run.dir).length === 1 || undefined, 'the first agent');
      const [names, ...links] = seen(run.dir)[0]!;
      expect(names).toMatch(/^udp=\d+,unix=\d+,apm=\d+$/);
      expect(links).toHaveLength(3);
      for (const link of links) expect(link).toMatch(/^socket:\[\d+\]$/);
      expect(procNetHas('udp', udpPort, '07')).toBe(true);
      expect(procNetHas('tcp', apmPort, '0A')).toBe(true);
      // The agent never accepts: the connection waits in the supervisor's listen backlog instead of being refused.
      await new Promise<void>((resolve, reject) => connect(apmPort, '127.0.0.1', resolve).on('error', reject).unref());
      process.kill(first, 'SIGKILL');
      await until(() => seen(run.dir).length === 2 || undefined, 'the restarted agent');
      expect(seen(run.dir)[1]).toEqual(seen(run.dir)[0]);
      expect(existsSync(join(run.dir, 'dsd.socket'))).toBe(true);
      process.kill(run.pid, 'SIGTERM');
      expect((await run.exited).code).toBe(0);
      expect(existsSync(join(run.dir, 'dsd.socket'))).toBe(false);
      expect(procNetHas('udp', udpPort, '07')).toBe(false);
      expect(procNetHas('tcp', apmPort, '0A')).toBe(false);
    });

    it('a port already taken is not held: the agent gets the others, binds that one itself (and says why it cannot); the supervisor tries again before the next start', async () => {
      const taken = createSocket('udp4');
      await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
      const udpPort = taken.address().port;
      const apmPort = await freePort();
      const run = supervise((dir) => standIn(dir, `${recordFds.split('; trap')[0]}; sleep 0.3; exit 3`), {
        sockets: () => ({ udp: { address: '127.0.0.1', port: udpPort }, apm: { address: '127.0.0.1', port: apmPort } }),
      });
      await until(() => seen(run.dir).length >= 1 || undefined, 'the agent');
      expect(seen(run.dir)[0]![0]).toMatch(/^apm=\d+$/);
      taken.close();
      await until(() => seen(run.dir).some((s) => s[0]!.startsWith('udp=')) || undefined, 'the port held once free');
      process.kill(run.pid, 'SIGTERM');
      expect((await run.exited).code).toBe(0);
      expect(run.out()).not.toMatch(/\| (WARN|ERROR) \| .*socket/);
    });

    it('the built-in agent killed with -9: what is sent over UDP, the Unix socket and HTTP until the next agent serves is delivered; its relays leave the queue to the next', async () => {
      intake = await startRecordingIntake();
      const [statsdPort, cmdPort, apmPort] = [await freePort(), await freePort(), await freePort()];
      const run = supervise(
        (dir) => {
          writeFileSync(join(dir, 'datadog.yaml'), `hostname: perl-supervisor-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\ndogstatsd_socket: ${join(dir, 'dsd.socket')}\n`);
          return { name: 'agent', command: process.execPath, program: AGENT, args: [AGENT, 'run', '-c', join(dir, 'datadog.yaml')], needsAuthToken: false };
        },
        {
          env: { DD_API_KEY: API_KEY, DD_DD_URL: intake.url, DD_APM_DD_URL: intake.url, DD_APM_RECEIVER_PORT: String(apmPort), DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'info' },
          sockets: (dir) => ({ udp: { address: '127.0.0.1', port: statsdPort }, unixSocket: join(dir, 'dsd.socket'), apm: { address: '127.0.0.1', port: apmPort } }),
          backoffBase: 1_000,
        },
      );
      const socketPath = join(run.dir, 'dsd.socket');
      await until(() => /listening on Unix socket/.test(run.out()) && /APM receiver listening/.test(run.out()), 'the agent', 20_000);
      const victim = agentPid(run)!;
      const relays = readFileSync(`/proc/${victim}/task/${victim}/children`, 'utf8').trim().split(/\s+/).map(Number)
        .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('dogstatsd-relay\0'));
      expect(relays).toHaveLength(2);
      const udp = createSocket('udp4');
      const sendUdp = async (n: number, name: string): Promise<void> => {
        for (let i = 0; i < n; i++) await new Promise<void>((resolve, reject) => udp.send(`${name}:1|c`, statsdPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      };
      // A blocking client, as the datadog Python client: the kernel queues 10 datagrams, then the sender waits.
      const sendUds = (n: number, name: string): void => {
        const script = 'import socket, sys\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nfor i in range(int(sys.argv[2])): s.sendto(sys.argv[3].encode(), sys.argv[1])\n';
        execFileSync('python3', ['-c', script, socketPath, String(n), `${name}:1|c`], { timeout: 10_000 });
      };
      // The relays frozen: what is sent now waits in the sockets' queues when the agent dies.
      for (const pid of relays) process.kill(pid, 'SIGSTOP');
      await until(() => relays.every((pid) => /^\d+ \(.*\) T /s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'))) || undefined, 'the relays stopped');
      await sendUdp(100, 'held.udp.queued');
      sendUds(5, 'held.uds.queued');
      process.kill(victim, 'SIGKILL');
      // Reaped, not only a zombie: its leader thread is a zombie while other threads still hold its descriptors.
      await until(() => !existsSync(`/proc/${victim}`) || undefined, 'the agent gone');
      // A relay woken up after its agent's death finds a bare end of file: it exits without reading.
      for (const pid of relays) process.kill(pid, 'SIGCONT');
      await until(() => relays.every((pid) => !alive(pid)) || undefined, 'the old relays gone');
      expect(agentPid(run)).toBeUndefined(); // still in the 1 s backoff
      await sendUdp(100, 'held.udp.down');
      sendUds(30, 'held.uds.down'); // blocks past the queue's 10 until the next agent's relay reads
      const traceId = 4242424242n;
      const span = { service: 'held', name: 'web.request', resource: 'GET /', trace_id: traceId, span_id: traceId, parent_id: 0n, start: BigInt(Date.now()) * 1_000_000n, duration: 1_000_000n, error: 0, meta: {}, metrics: {}, type: 'web' };
      const answer = await fetch(`http://127.0.0.1:${apmPort}/v0.4/traces`, { method: 'POST', headers: { 'Content-Type': 'application/msgpack', 'X-Datadog-Trace-Count': '1' }, body: encode([[span]], { useBigInt64: true }) });
      expect(answer.status).toBe(200);
      udp.close();
      await until(() => agentPid(run) !== undefined && agentPid(run) !== victim, 'the restarted agent');
      await new Promise((r) => setTimeout(r, 500));
      process.kill(run.pid, 'SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      const counts = deliveredCounts(intake, 'held');
      expect(Object.fromEntries([...counts].filter(([k]) => k.startsWith('held.')))).toEqual({
        'held.udp.queued|': 100,
        'held.uds.queued|': 5,
        'held.udp.down|': 100,
        'held.uds.down|': 30,
      });
      expect(deliveredSpans(intake).byTrace.get(traceId.toString())).toBe(1);
      expect(run.out()).toContain('agent was killed by SIGKILL; restarting in 1 s (attempt 1)');
    }, 40_000);

    it('SIGTERM with inherited sockets: the agent asks its relays to drain (a byte, then the end of file), and what the sockets held is delivered', async () => {
      intake = await startRecordingIntake();
      const [statsdPort, cmdPort] = [await freePort(), await freePort()];
      const run = supervise(
        (dir) => {
          writeFileSync(join(dir, 'datadog.yaml'), `hostname: perl-supervisor-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\ndogstatsd_socket: ${join(dir, 'dsd.socket')}\n`);
          return { name: 'agent', command: process.execPath, program: AGENT, args: [AGENT, 'run', '-c', join(dir, 'datadog.yaml')], needsAuthToken: false };
        },
        {
          env: { DD_API_KEY: API_KEY, DD_DD_URL: intake.url, DD_APM_ENABLED: 'false', DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'info' },
          sockets: (dir) => ({ udp: { address: '127.0.0.1', port: statsdPort }, unixSocket: join(dir, 'dsd.socket') }),
        },
      );
      await until(() => /listening on Unix socket/.test(run.out()) && /listening on UDP/.test(run.out()), 'the agent', 20_000);
      const agent = agentPid(run)!;
      const relays = readFileSync(`/proc/${agent}/task/${agent}/children`, 'utf8').trim().split(/\s+/).map(Number)
        .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('dogstatsd-relay\0-e\0'));
      // Both read the supervisor's sockets (relay.pl's fd mode), neither binds.
      const modes = relays.map((pid) => { const a = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0'); return a.slice(a.indexOf('--') + 1, a.indexOf('--') + 3).join(' '); });
      expect(modes.sort()).toEqual(['fd udp', 'fd unix']);
      for (const pid of relays) process.kill(pid, 'SIGSTOP');
      await until(() => relays.every((pid) => /^\d+ \(.*\) T /s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'))) || undefined, 'the relays stopped');
      const udp = createSocket('udp4');
      for (let i = 0; i < 50; i++) await new Promise<void>((resolve, reject) => udp.send('held.stop.udp:1|c', statsdPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      udp.close();
      const script = 'import socket, sys\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nfor i in range(5): s.sendto(b"held.stop.uds:1|c", sys.argv[1])\n';
      execFileSync('python3', ['-c', script, join(run.dir, 'dsd.socket')], { timeout: 10_000 });
      process.kill(run.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 300)); // the agent has asked them to stop meanwhile
      for (const pid of relays) process.kill(pid, 'SIGCONT');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      const counts = deliveredCounts(intake, 'held');
      expect([counts.get('held.stop.udp|'), counts.get('held.stop.uds|')]).toEqual([50, 5]);
      expect(existsSync(join(run.dir, 'dsd.socket'))).toBe(false);
    }, 30_000);
  });
});

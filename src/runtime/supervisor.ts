// Keeps the dyno's agent processes running: ordered start (auth token first), restarts with backoff, and
// on SIGTERM a bounded stop (satellites, then the core agent; SIGKILL at the grace limit).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import type { Logger, LogLevel } from '../log.js';
import { RESTART_BACKOFF_MS, SUPERVISOR_CLEAN_EXIT_GRACE_MS, SUPERVISOR_STOP_GRACE_MS } from '../constants.js';
import type { AgentProcess } from './agent-processes.js';
import { ChildLog } from './log-filter.js';
import type { SupervisorState } from './pid-file.js';

export interface SupervisorOptions {
  readonly processes: readonly AgentProcess[];
  readonly env: NodeJS.ProcessEnv;
  readonly authToken: string;
  readonly level: LogLevel;
  readonly log: Logger;
  /** Where children's prefixed lines go (the dyno's stdout). */
  readonly write: (text: string) => void;
  readonly onChange?: (state: SupervisorState['children']) => void;
  readonly graceMs?: number;
  readonly backoff?: { readonly base: number; readonly cap: number; readonly stableAfter: number };
}

/** Delay before restart number `attempt` (1-based): base × 2^(attempt-1), capped. */
export function restartDelay(attempt: number, backoff: { readonly base: number; readonly cap: number } = RESTART_BACKOFF_MS): number {
  return Math.min(backoff.cap, backoff.base * 2 ** Math.max(0, attempt - 1));
}

const TOKEN_POLL_MS = 100;
const TOKEN_SLOW_MS = 30_000;

class Supervised {
  child: ChildProcess | undefined;
  restarts = 0;
  attempt = 0;
  startedAt = 0;
  timer: NodeJS.Timeout | undefined;
  state: 'waiting' | 'running' | 'backoff' | 'stopped' = 'waiting';
  lastExit: string | undefined;
  exited: Promise<void> = Promise.resolve();
  constructor(readonly spec: AgentProcess) {}
}

export class Supervisor {
  private readonly children: Supervised[];
  private stopping = false;
  private readonly backoff: { readonly base: number; readonly cap: number; readonly stableAfter: number };

  constructor(private readonly options: SupervisorOptions) {
    this.children = options.processes.map((spec) => new Supervised(spec));
    this.backoff = options.backoff ?? RESTART_BACKOFF_MS;
  }

  /** Starts every process; satellites wait for the core agent's auth token. A stale token is removed first. */
  start(): void {
    rmSync(this.options.authToken, { force: true });
    for (const child of this.children) this.launch(child);
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.children.map((c) => [c.spec.name, c.child?.pid]));
  }

  private changed(): void {
    this.options.onChange?.(
      this.children.map((c) => ({ name: c.spec.name, pid: c.state === 'running' ? c.child?.pid : undefined, restarts: c.restarts, state: c.state })),
    );
  }

  private tokenReady(): boolean {
    try {
      return statSync(this.options.authToken).size > 0;
    } catch {
      return false;
    }
  }

  private launch(child: Supervised): void {
    if (this.stopping) return;
    if (child.spec.needsAuthToken && !this.tokenReady()) {
      child.state = 'waiting';
      const since = Date.now();
      let slowReported = false;
      const poll = (): void => {
        if (this.stopping) return;
        if (this.tokenReady()) return this.spawn(child);
        if (!slowReported && Date.now() - since >= TOKEN_SLOW_MS) {
          slowReported = true;
          this.options.log.warn(`${child.spec.name} still waiting for the core agent's auth token (${this.options.authToken})`);
        }
        child.timer = setTimeout(poll, TOKEN_POLL_MS);
      };
      child.timer = setTimeout(poll, TOKEN_POLL_MS);
      return;
    }
    this.spawn(child);
  }

  private spawn(child: Supervised): void {
    const { spec } = child;
    const out = new ChildLog(spec.name, this.options.level, this.options.write);
    const proc = spawn(spec.command, [...spec.args], { env: this.options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.child = proc;
    child.state = 'running';
    child.lastExit = undefined;
    child.startedAt = Date.now();
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
    child.exited = new Promise((resolve) => {
      let done = false;
      const finish = (how: string, clean: boolean): void => {
        if (done) return;
        done = true;
        this.exited(child, how, clean);
        resolve();
      };
      proc.once('error', (error: NodeJS.ErrnoException) => finish(`could not start (${error.code ?? error.message})`, false));
      // 'exit', not 'close': a grandchild holding the pipes must not hide the agent's death.
      proc.once('exit', (code, signal) =>
        finish(signal ? `was killed by ${signal}` : `exited with code ${code}`, code === 0 || signal === 'SIGTERM' || signal === 'SIGINT'),
      );
      proc.once('close', () => out.end());
    });
    if (proc.pid !== undefined) this.options.log.info(`started ${spec.name} (pid ${proc.pid})`);
    this.changed();
  }

  private exited(child: Supervised, how: string, clean: boolean): void {
    child.child = undefined;
    if (this.stopping) {
      child.state = 'stopped';
      this.options.log.info(`${child.spec.name} ${how}`);
      this.changed();
      return;
    }
    if (clean && child.state === 'running') {
      // Heroku signals every process of the dyno: an agent that stopped cleanly is most likely
      // ahead of our own SIGTERM, so wait a moment before calling it a crash.
      child.state = 'backoff';
      child.lastExit = how;
      child.timer = setTimeout(() => this.exited(child, how, false), SUPERVISOR_CLEAN_EXIT_GRACE_MS);
      return;
    }
    if (Date.now() - child.startedAt >= this.backoff.stableAfter) child.attempt = 0;
    child.attempt += 1;
    child.restarts += 1;
    const delay = restartDelay(child.attempt, this.backoff);
    child.state = 'backoff';
    this.options.log.warn(`${child.spec.name} ${how}; restarting in ${delay / 1000} s (attempt ${child.attempt})`);
    this.changed();
    child.timer = setTimeout(() => this.launch(child), delay);
  }

  /** Forwards SIGTERM (satellites first, then the core agent), waits for them, SIGKILLs at the grace limit. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const deadline = Date.now() + (this.options.graceMs ?? SUPERVISOR_STOP_GRACE_MS);
    for (const child of this.children) {
      clearTimeout(child.timer);
      if (child.child !== undefined) continue;
      if (child.lastExit !== undefined && child.state === 'backoff') this.options.log.info(`${child.spec.name} ${child.lastExit}`);
      child.state = 'stopped';
    }
    const satellites = this.children.filter((c) => c.spec.needsAuthToken);
    const cores = this.children.filter((c) => !c.spec.needsAuthToken);
    for (const group of [satellites, cores]) {
      const running = group.filter((c) => c.child !== undefined);
      for (const c of running) c.child?.kill('SIGTERM');
      await this.waitUntil(running, deadline);
    }
    const left = this.children.filter((c) => c.child !== undefined);
    for (const c of left) {
      this.options.log.warn(`${c.spec.name} still running ${(this.options.graceMs ?? SUPERVISOR_STOP_GRACE_MS) / 1000} s after SIGTERM: killing it`);
      c.child?.kill('SIGKILL');
    }
    await Promise.all(left.map((c) => c.exited));
    this.changed();
  }

  private async waitUntil(children: readonly Supervised[], deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
    await Promise.race([Promise.all(children.map((c) => c.exited)), timeout]);
    clearTimeout(timer);
  }
}

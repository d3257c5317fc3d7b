// Boots a slug as Heroku boots a dyno, and restarts it the same way: SIGTERM to every process, SIGKILL after 30 s.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';

export interface Dyno {
  readonly id: string;
  readonly logFile: string;
  /** Processes of the dyno still alive: its process group, and those with a marker variable (detached agents). */
  pids(): number[];
  exited: Promise<number | null>;
}

const MARKER = 'DEMO_DYNO_ID';

/** `bash -c 'for f in .profile.d/*.sh; do source $f; done; exec <command>'` in the slug, HOME = slug (Cedar). */
export function bootDyno(slug: string, command: string, env: Record<string, string>, logFile: string): Dyno {
  const id = randomUUID();
  const script = `for f in .profile.d/*.sh; do [ -r "$f" ] && source "$f"; done; exec ${command}`;
  return spawnDyno(id, ['bash', '-c', script], slug, { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...env, HOME: slug, ...dynoMarker(id) }, logFile);
}

/** The variable that marks every process of dyno `id`, detached ones included (give it to whatever starts them). */
export function dynoMarker(id: string): Record<string, string> {
  return { [MARKER]: id };
}

/** Runs `argv` as the dyno's main process, in a process group of its own; `env` must hold dynoMarker(id). */
export function spawnDyno(id: string, argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Dyno {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    id,
    logFile,
    exited,
    pids: () => {
      const found: number[] = [];
      for (const name of readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        try {
          // A process that set its title (gunicorn with setproctitle) has overwritten its environment: its group tells.
          const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
          const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
          if (group === child.pid || readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`${MARKER}=${id}`)) found.push(Number(name));
        } catch {
          // Gone meanwhile, or not ours to read.
        }
      }
      return found;
    },
  };
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

export interface StopResult {
  readonly processes: number;
  readonly seconds: number;
  /** Processes still alive after the grace period, killed. */
  readonly killed: number;
}

/** What Heroku does on a restart: SIGTERM to all the dyno's processes, SIGKILL to what is left after `graceMs`. */
export async function restartSignal(dyno: Dyno, graceMs = 30_000): Promise<StopResult> {
  const started = Date.now();
  const pids = dyno.pids();
  signal(pids, 'SIGTERM');
  while (dyno.pids().length > 0 && Date.now() - started < graceMs) await new Promise((r) => setTimeout(r, 100));
  const left = dyno.pids();
  signal(left, 'SIGKILL');
  return { processes: pids.length, seconds: (Date.now() - started) / 1000, killed: left.length };
}

/** Resolves with the status of the first answer to `GET /` (a request the app counts), rejects after `timeoutMs` (Heroku's boot timeout is 60 s). */
export async function waitForWeb(port: number, dyno: Dyno, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void dyno.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the web process exited during boot (see ${dyno.logFile})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.arrayBuffer();
      return res.status;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`the web process did not bind $PORT=${port} within ${timeoutMs / 1000} s (see ${dyno.logFile})`);
}

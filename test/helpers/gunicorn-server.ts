// A real gunicorn (Debian's, /usr/bin/python3 with setproctitle) serving a tiny WSGI app from a
// temp dir on 127.0.0.1: `/` answers at once, `/burn?s=N` keeps its worker on the CPU for N seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, untilTrue } from './net.js';

export { freePort };

export const GUNICORN = '/usr/bin/gunicorn';

const APP = `import time
from urllib.parse import parse_qs


def app(environ, start_response):
    if environ.get('PATH_INFO') == '/burn':
        seconds = float(parse_qs(environ.get('QUERY_STRING', '')).get('s', ['1.5'])[0])
        deadline = time.process_time() + seconds
        n = 0
        while time.process_time() < deadline:
            n += 1
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok']
`;

export const until = (test: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => untilTrue(test, timeoutMs, what);

/** argv[0] of /proc/<pid>/cmdline (the setproctitle title), '' when gone. */
export function title(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    return '';
  }
}

/** The children of `pid`, read from /proc/*\/stat. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // Exited while listed.
    }
  }
  return found.sort((a, b) => a - b);
}

export interface GunicornServer {
  readonly name: string;
  readonly port: number;
  readonly master: number;
  /** The master's children titled as workers. */
  workers(): number[];
  /** GET path; resolves with the status code. */
  get(path: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startGunicorn(name: string, workers: number): Promise<GunicornServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gunicorn-check-'));
  writeFileSync(join(dir, 'app.py'), APP);
  const port = await freePort();
  const child: ChildProcess = spawn(GUNICORN, ['--name', name, '--workers', String(workers), '--bind', `127.0.0.1:${port}`, '--chdir', dir, '--timeout', '30', '--log-level', 'warning', 'app:app'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const master = child.pid!;
  const workerTitle = `gunicorn: worker [${name}]`;
  const server: GunicornServer = {
    name,
    port,
    master,
    workers: () => childrenOf(master).filter((pid) => title(pid) === workerTitle),
    get: (path) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, timeout: 20_000 }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.end();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await until(() => {
      if (child.exitCode !== null) throw new Error(`gunicorn exited: ${stderr}`);
      return title(master) === `gunicorn: master [${name}]` && server.workers().length === workers;
    }, `gunicorn ${name} and its ${workers} workers`);
    await until(async () => (await server.get('/').catch(() => 0)) === 200, `gunicorn ${name} to answer`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

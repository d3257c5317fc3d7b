// DogStatsD on a Unix datagram socket through the Perl relay (uds-relay-script.ts): the relay
// owns the socket, the agent reads its framed datagrams from a pipe and restarts it if it dies.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { lstatSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { UDS_RELAY_SCRIPT } from './uds-relay-script.js';

export interface UnixSocketRelayOptions {
  readonly path: string;
  readonly receiveBufferBytes?: number;
  readonly onDatagram: (datagram: Buffer) => void;
  readonly logger: Logger;
  /** The perl to run; `perl` from PATH (/usr/bin/perl on every Heroku stack) by default. */
  readonly perl?: string;
}

type RelayProcess = ChildProcessByStdio<Writable, Readable, Readable>;

const RESTART_DELAY_MS = 1_000;
const BIND_TIMEOUT_MS = 5_000;
/** How long a stopping relay may take to hand over what its socket still holds. */
const DRAIN_MS = 2_000;

export class UnixSocketRelay {
  private child: RelayProcess | undefined;
  private ready = false;
  private stopping = false;
  private problem: string | undefined = 'not started';
  private restartTimer: NodeJS.Timeout | undefined;
  restarts = 0;

  constructor(private readonly options: UnixSocketRelayOptions) {}

  /** Why the socket is not served right now, or undefined when it is. */
  get unavailable(): string | undefined {
    return this.ready ? undefined : this.problem;
  }

  get pid(): number | undefined {
    return this.ready ? this.child?.pid : undefined;
  }

  /** Resolves once the socket is bound, or with the reason it could not be (no retry then). */
  start(): Promise<string | undefined> {
    const { path, receiveBufferBytes, perl = 'perl' } = this.options;
    removeStaleSocket(path); // left by a previous run or a killed relay, it would make bind fail
    const args = ['-e', UDS_RELAY_SCRIPT, '--', path, ...(receiveBufferBytes ? [String(receiveBufferBytes)] : [])];
    const child = spawn(perl, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-500);
    });
    child.stdin.on('error', () => {}); // EPIPE once the relay is gone; its exit is reported below
    return new Promise((resolve) => {
      let settled = false;
      const settle = (problem: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(bindTimer);
        this.problem = problem;
        resolve(problem);
      };
      const bindTimer = setTimeout(() => {
        settle(`the relay did not bind within ${BIND_TIMEOUT_MS / 1000} s`);
        child.kill('SIGKILL');
      }, BIND_TIMEOUT_MS);
      this.readFrames(child, () => {
        this.ready = true;
        settle(undefined);
      });
      child.on('error', (error) => {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        settle(missing ? `${perl} not found: the Unix socket relay needs perl (/usr/bin/perl on Heroku stacks)` : `${perl}: ${error.message}`);
      });
      child.on('close', (code, signal) => {
        const wasReady = this.ready;
        this.ready = false;
        this.child = undefined;
        const why = stderr.trim().split('\n').pop() || (signal !== null ? `killed by ${signal}` : `exit code ${code}`);
        settle(why);
        // A relay that never bound fails the same way again; one that served was killed: restart it.
        if (this.stopping || !wasReady) return;
        this.problem = `relay stopped (${why}), restarting`;
        this.options.logger.error(`dogstatsd: Unix socket relay for ${path} stopped (${why}); restarting in ${RESTART_DELAY_MS / 1000} s`);
        this.restartTimer = setTimeout(() => {
          this.restarts++;
          void this.start().then((problem) => {
            if (problem === undefined) this.options.logger.info(`dogstatsd: listening on Unix socket ${path} again`);
            else this.options.logger.error(`dogstatsd: cannot listen on Unix socket ${path}: ${problem}`);
          });
        }, RESTART_DELAY_MS);
      });
    });
  }

  /** Frames of `length:u32be bytes`; the first, empty, means bound. */
  private readFrames(child: RelayProcess, onReady: () => void): void {
    let pending: Buffer | undefined;
    let first = true;
    child.stdout.on('data', (chunk: Buffer) => {
      const buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (offset + 4 <= buf.length) {
        const end = offset + 4 + buf.readUInt32BE(offset);
        if (end > buf.length) break;
        if (first) {
          first = false;
          onReady();
        } else this.options.onDatagram(buf.subarray(offset + 4, end));
        offset = end;
      }
      pending = offset < buf.length ? Buffer.from(buf.subarray(offset)) : undefined;
    });
  }

  /** Ends the relay: it stops reading, hands over what the socket held, and exits; the socket file goes. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child !== undefined) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), DRAIN_MS);
      await closed;
      clearTimeout(timer);
    }
    removeStaleSocket(this.options.path);
  }
}

/** Removes `path` only when it is a socket: a mistyped DD_DOGSTATSD_SOCKET never deletes a file. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) rmSync(path, { force: true });
  } catch {
    // nothing there
  }
}

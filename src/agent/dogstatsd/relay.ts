// A DogStatsD socket (UDP or Unix datagram) read by the Perl relay (relay.pl): the relay
// owns the socket (or reads one inherited from the supervisor, `fd`), the agent reads its framed
// datagrams from a pipe and restarts it if it dies.
import type { ChildProcessByStdio } from 'node:child_process';
import { lstatSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { spawnPerlScript } from '../../perl-script.js';
import type { Logger } from '../../log.js';
import RELAY_SCRIPT from './relay.pl';

export type RelaySocket = { readonly kind: 'udp'; readonly address: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

export interface DatagramRelayOptions {
  readonly socket: RelaySocket;
  /**
   * The socket already bound, as a file descriptor of this process (inherited from the supervisor,
   * which holds it across agent restarts): the relay reads it instead of binding, and leaves a Unix
   * socket's file in place when it stops.
   */
  readonly fd?: number;
  readonly receiveBufferBytes?: number;
  readonly onDatagram: (datagram: Buffer) => void;
  readonly logger: Logger;
  /** The perl to run; `perl` from PATH (/usr/bin/perl on every Heroku stack) by default. */
  readonly perl?: string;
}

type RelayProcess = ChildProcessByStdio<Writable, Readable, Readable>;

const RESTART_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 60_000;
const BIND_TIMEOUT_MS = 5_000;
/** How long a stopping relay may take to hand over what its socket still holds. */
const DRAIN_MS = 2_000;

export class DatagramRelay {
  private child: RelayProcess | undefined;
  private ready = false;
  private stopping = false;
  private problem: string | undefined = 'not started';
  private restartTimer: NodeJS.Timeout | undefined;
  /** SO_RCVBUF as granted by the kernel (twice what was asked, capped by rmem_max). */
  receiveBuffer = 0;
  /** The UDP port bound (the one asked, or the kernel's choice for 0); 0 for a Unix socket. */
  port = 0;
  restarts = 0;

  constructor(private readonly options: DatagramRelayOptions) {}

  /** Why the socket is not served right now, or undefined when it is. */
  get unavailable(): string | undefined {
    return this.ready ? undefined : this.problem;
  }

  get pid(): number | undefined {
    return this.ready ? this.child?.pid : undefined;
  }

  private get where(): string {
    const { socket } = this.options;
    return socket.kind === 'unix' ? `Unix socket ${socket.path}` : `UDP ${socket.address}:${this.port || socket.port}`;
  }

  /**
   * Resolves once the socket is bound, or with the reason it could not be (no retry then):
   * `bind: …` when the socket itself was refused, anything else when the relay could not run.
   */
  start(): Promise<string | undefined> {
    const { socket, fd, receiveBufferBytes, perl = 'perl' } = this.options;
    // A socket file left by a previous run or a killed relay would make bind fail.
    if (socket.kind === 'unix' && fd === undefined) removeStaleSocket(socket.path);
    // An inherited socket is the relay's descriptor 4 (after the script's 3).
    const where =
      fd !== undefined ? ['fd', socket.kind, '4'] : socket.kind === 'unix' ? ['unix', socket.path] : ['udp', socket.address, String(this.port || socket.port)];
    const args = [...where, ...(receiveBufferBytes ? [String(receiveBufferBytes)] : [])];
    const child = spawnPerlScript(RELAY_SCRIPT, args, {
      perl,
      stdio: ['pipe', 'pipe', 'pipe'],
      argv0: 'dogstatsd-relay',
      ...(fd !== undefined ? { extraFds: [fd] } : {}),
    }) as RelayProcess;
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
      this.readFrames(child, (hello) => {
        const [granted, port] = hello.split(' ').map(Number);
        this.receiveBuffer = granted ?? 0;
        if (socket.kind === 'udp') this.port = port ?? 0;
        this.ready = true;
        settle(undefined);
      });
      child.on('error', (error) => {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        settle(missing ? `${perl} not found: the relay needs perl (/usr/bin/perl on Heroku stacks)` : `${perl}: ${error.message}`);
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
        this.options.logger.error(`dogstatsd: the relay of ${this.where} stopped (${why}); restarting in ${RESTART_DELAY_MS / 1000} s`);
        this.restartAfter(RESTART_DELAY_MS);
      });
    });
  }

  /** Starts the relay again after `delayMs`, then every doubled delay (at most 60 s) until it binds. */
  private restartAfter(delayMs: number): void {
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      void this.start().then((problem) => {
        if (problem === undefined) {
          this.options.logger.info(`dogstatsd: listening on ${this.where} again`);
          return;
        }
        if (this.stopping) return;
        const next = Math.min(delayMs * 2, RESTART_MAX_DELAY_MS);
        this.problem = `${problem}, retrying`;
        this.options.logger.error(`dogstatsd: cannot listen on ${this.where}: ${problem}; retrying in ${next / 1000} s`);
        this.restartAfter(next);
      });
    }, delayMs);
  }

  /** Frames of `length:u32be bytes`; the first is the relay's hello. */
  private readFrames(child: RelayProcess, onHello: (hello: string) => void): void {
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
          onHello(buf.toString('latin1', offset + 4, end));
        } else this.options.onDatagram(buf.subarray(offset + 4, end));
        offset = end;
      }
      pending = offset < buf.length ? Buffer.from(buf.subarray(offset)) : undefined;
    });
  }

  /**
   * Ends the relay: it stops reading, hands over what the socket held, and exits; a socket file the
   * relay bound goes (an inherited one stays: its owner removes it). The byte before the end of file
   * tells the relay this is a stop: a bare end of file is this process's death, after which it
   * leaves the socket's queue alone.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child !== undefined) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.stdin.end('s');
      const timer = setTimeout(() => child.kill('SIGKILL'), DRAIN_MS);
      await closed;
      clearTimeout(timer);
    }
    if (this.options.socket.kind === 'unix' && this.options.fd === undefined) removeStaleSocket(this.options.socket.path);
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

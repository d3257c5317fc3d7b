// A real redis-server for check tests: on 127.0.0.1 at a free port (or TLS-only with a
// self-signed certificate), no persistence unless asked, its files in a temp dir; and redis-cli
// to read what the server itself says.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, untilTrue } from './net.js';

export { freePort };

const run = promisify(execFile);

export interface RedisServerOptions {
  readonly password?: string;
  /** TLS only (no plain port), with a self-signed certificate for 127.0.0.1 and localhost. */
  readonly tls?: boolean;
  /** Also listen on a unix socket in the temp dir. */
  readonly unixSocket?: boolean;
  readonly replicaOf?: number;
  readonly appendonly?: boolean;
  readonly args?: readonly string[];
}

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly socketPath: string | undefined;
  readonly certFile: string | undefined;
  /** redis-cli against this server (password through REDISCLI_AUTH, never argv). */
  cli(...args: string[]): Promise<string>;
  /** INFO [section] as fields. */
  info(section?: string): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

export const until = untilTrue;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-check-'));
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendonly === true ? 'yes' : 'no', '--logfile', join(dir, 'redis.log'), '--daemonize', 'no'];
  let certFile: string | undefined;
  if (options.tls === true) {
    certFile = join(dir, 'server.crt');
    const keyFile = join(dir, 'server.key');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { timeout: 30_000 });
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', certFile, '--tls-key-file', keyFile, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  const socketPath = options.unixSocket === true ? join(dir, 'redis.sock') : undefined;
  if (socketPath !== undefined) args.push('--unixsocket', socketPath, '--unixsocketperm', '700');
  if (options.password !== undefined) args.push('--requirepass', options.password);
  if (options.replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(options.replicaOf));
  args.push(...(options.args ?? []));
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const env = { ...process.env, ...(options.password !== undefined ? { REDISCLI_AUTH: options.password } : {}) };
  const cliBase = ['-h', '127.0.0.1', '-p', String(port), ...(options.tls === true ? ['--tls', '--cacert', certFile!] : [])];
  const cli = async (...command: string[]): Promise<string> => (await run('redis-cli', [...cliBase, ...command], { env, timeout: 10_000 })).stdout;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGKILL');
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(async () => (await cli('PING')).trim() === 'PONG', 10_000, `redis-server on port ${port}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    dir,
    socketPath,
    certFile,
    cli,
    async info(section) {
      const text = await cli('INFO', ...(section === undefined ? [] : [section]));
      const fields = new Map<string, string>();
      for (const line of text.split(/\r?\n/)) {
        const at = line.indexOf(':');
        if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1));
      }
      return fields;
    },
    stop,
  };
}

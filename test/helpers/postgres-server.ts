// A real PostgreSQL 15 for check tests: a temp cluster made by initdb as the `postgres` user
// (initdb refuses root), listening on 127.0.0.1 at a free port, its socket in the temp dir.
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, untilTrue } from './net.js';

export { freePort };

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServerOptions {
  /** pg_hba.conf lines for TCP clients; a `local` scram line for the admin is always added. */
  readonly hba: readonly string[];
  /** ssl = on with a self-signed certificate for 127.0.0.1 (and localhost). */
  readonly tls?: boolean;
}

export interface PostgresServer {
  readonly port: number;
  readonly dir: string;
  /** The server's certificate (its own CA) when started with TLS. */
  readonly certFile: string | undefined;
  /** A connected superuser client over the unix socket. */
  admin(database?: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

export const SUPERUSER_PASSWORD = 'super-Secret-7731';

/** Runs as the postgres user when the test runs as root (initdb and pg_ctl refuse root). */
async function asPostgres(command: string, args: string[]): Promise<void> {
  const argv = userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] as const : [command, args] as const;
  await run(argv[0], [...argv[1]], { timeout: 60_000 });
}

function ownByPostgres(path: string, mode: number): void {
  if (userInfo().uid === 0) {
    const { uid, gid } = postgresIds();
    chownSync(path, uid, gid);
  }
  chmodSync(path, mode);
}

let ids: { uid: number; gid: number } | undefined;
/** The postgres user the Debian package made, from /etc/passwd. */
function postgresIds(): { uid: number; gid: number } {
  if (ids === undefined) {
    const fields = (readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:')) ?? '').split(':');
    if (fields.length < 4) throw new Error('no postgres user in /etc/passwd (is the postgresql package installed?)');
    ids = { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return ids;
}

export async function startPostgres(options: PostgresServerOptions): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-check-'));
  ownByPostgres(dir, 0o700);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`);
  ownByPostgres(pwfile, 0o600);
  const port = await freePort();
  try {
    await asPostgres(`${BIN}/initdb`, ['-D', data, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    let certFile: string | undefined;
    const conf = [
      `listen_addresses = '127.0.0.1'`,
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      'max_connections = 30',
      'shared_buffers = 16MB',
      'fsync = off',
      'synchronous_commit = off',
      // Counters only move when the test moves them.
      'autovacuum = off',
      `deadlock_timeout = '100ms'`,
    ];
    if (options.tls === true) {
      certFile = join(dir, 'server.crt');
      const keyFile = join(dir, 'server.key');
      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { timeout: 30_000 });
      ownByPostgres(keyFile, 0o600);
      ownByPostgres(certFile, 0o644);
      conf.push('ssl = on', `ssl_cert_file = '${certFile}'`, `ssl_key_file = '${keyFile}'`);
    }
    appendFileSync(join(data, 'postgresql.conf'), `\n${conf.join('\n')}\n`);
    writeFileSync(join(data, 'pg_hba.conf'), ['local all all scram-sha-256', ...options.hba, ''].join('\n'));
    await asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    let stopped = false;
    return {
      port,
      dir,
      certFile,
      async admin(database = 'postgres') {
        const client = new pg.Client({ host: dir, port, user: 'postgres', password: SUPERUSER_PASSWORD, database });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Polls `condition` every 50 ms until it holds, or fails after `timeoutMs` saying what it waited for. */
export const until = untilTrue;

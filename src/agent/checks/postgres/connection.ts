// Opening the check's connection with libpq's sslmode semantics on top of pg: allow and prefer
// retry the other way when the first attempt fails; require encrypts without verifying (Heroku
// Postgres has no certificate a dyno could verify); verify-ca and verify-full check the chain.
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { PostgresSettings } from './config.js';

/** TLS options of one attempt, or false for a plain connection. */
type Attempt = false | ConnectionOptions;

async function tlsOptions(settings: PostgresSettings, verify: 'none' | 'ca' | 'full'): Promise<ConnectionOptions> {
  const file = async (setting: string, path: string | undefined): Promise<Buffer | undefined> => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path);
    } catch (error) {
      throw new Error(`${setting}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const ca = await file('ssl_root_cert', settings.sslRootCert);
  const cert = await file('ssl_cert', settings.sslCert);
  const key = await file('ssl_key', settings.sslKey);
  const client: ConnectionOptions = {
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(settings.sslPassword !== undefined ? { passphrase: settings.sslPassword } : {}),
  };
  if (verify === 'none') return { ...client, rejectUnauthorized: false };
  const chain = { ...client, ...(ca !== undefined ? { ca } : {}), rejectUnauthorized: true };
  // verify-ca trusts any name on a certificate the CA signed.
  return verify === 'ca' ? { ...chain, checkServerIdentity: () => undefined } : chain;
}

/** The attempts of an sslmode, in libpq's order; a socket directory never uses TLS. */
async function attempts(settings: PostgresSettings): Promise<Attempt[]> {
  if (settings.host.startsWith('/')) return [false];
  switch (settings.ssl) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, await tlsOptions(settings, 'none')];
    case 'prefer':
      return [await tlsOptions(settings, 'none'), false];
    case 'require':
      // As libpq: with a root certificate given, require verifies the chain like verify-ca.
      return [await tlsOptions(settings, settings.sslRootCert !== undefined ? 'ca' : 'none')];
    case 'verify-ca':
      return [await tlsOptions(settings, 'ca')];
    case 'verify-full':
      return [await tlsOptions(settings, 'full')];
  }
}

/** The check's connection: pg's client over a socket the check owns, so a timed-out run can cut it. */
export class PostgresSession {
  readonly client: pg.Client;
  private readonly socket = new Socket();

  constructor(settings: PostgresSettings, ssl: Attempt) {
    this.client = new pg.Client({
      host: settings.host,
      port: settings.port,
      user: settings.username,
      // An empty string rather than undefined: pg would otherwise fall back to PGPASSWORD of the dyno.
      password: settings.password ?? '',
      database: settings.dbname,
      ssl,
      application_name: settings.applicationName,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      keepAlive: true,
      stream: () => this.socket,
    });
  }

  /** Says goodbye to the server when it answers; cuts the socket after `graceMs` when it does not. */
  async close(graceMs = 1_000): Promise<void> {
    const timer = setTimeout(() => this.destroy(), graceMs);
    try {
      await this.client.end();
    } catch {
      // Already failed: destroying the socket below is all that is left.
    } finally {
      clearTimeout(timer);
      this.destroy();
    }
  }

  /** Cuts the connection at once (pg's end() only half-closes a socket that is still connecting). */
  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * A connected session with statement_timeout set, or a rejection saying why none could be made.
 * `onLost` is called if the connection later fails or closes.
 */
export async function openConnection(settings: PostgresSettings, signal: AbortSignal, onLost: (session: PostgresSession) => void): Promise<PostgresSession> {
  const failures: string[] = [];
  const tries = await attempts(settings);
  for (const ssl of tries) {
    if (signal.aborted) throw new Error('aborted before connecting');
    const session = new PostgresSession(settings, ssl);
    // An idle client's socket error is an 'error' event: without a listener it would crash the agent.
    session.client.on('error', () => onLost(session));
    session.client.on('end', () => onLost(session));
    const abort = (): void => session.destroy();
    signal.addEventListener('abort', abort, { once: true });
    try {
      await session.client.connect();
      // SET rather than a startup parameter: pgbouncer refuses unknown startup parameters.
      await session.client.query(`SET statement_timeout = ${settings.queryTimeoutMs}`);
      return session;
    } catch (error) {
      session.destroy();
      const message = (error as Error).message || String(error);
      failures.push(tries.length > 1 ? `${ssl === false ? 'without TLS' : 'with TLS'}: ${message}` : message);
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }
  throw new Error(failures.join('; '));
}

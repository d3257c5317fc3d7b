// The postgres check: one connection per instance kept between runs, pg_stat_database and
// friends turned into the official postgresql.* metrics, and postgres.can_connect.
import { CRITICAL, OK, type Check, type CheckConfig, type CheckDefinition, type Sender } from '../check.js';
import type { Logger } from '../../../log.js';
import { postgresSettings, type PostgresSettings } from './config.js';
import { openConnection, type PostgresSession } from './connection.js';
import { CAN_CONNECT } from './metadata.js';
import { SYSTEM_IDENTIFIER_SQL, VERSION_SQL, collectConnections, collectDatabaseStats, collectLocks, collectTableCounts, metricSink, type Row, type RunQuery } from './queries.js';

/** SQLSTATE classes that mean the session itself is gone or refused, not one query. */
const SESSION_ERROR = /^(08|28|53|57P|3D)/;

class PostgresCheck implements Check {
  private session: PostgresSession | undefined;
  private systemIdentifier: string | undefined;
  private systemIdentifierTried = false;

  constructor(
    private readonly settings: PostgresSettings,
    private readonly logger: Logger,
  ) {
    if (settings.dbm) {
      logger.once(`postgres-dbm:${settings.host}:${settings.port}/${settings.dbname}`, 'info', `postgres ${settings.host}:${settings.port}/${settings.dbname}: dbm is ignored: Database Monitoring (query samples, explain plans) needs the official agent (DD_AGENT_FLAVOR=official); the built-in check sends the postgresql.* metrics only`);
    }
  }

  /** server:, port: and db:, as the official check tags everything it sends. */
  private instanceTags(): string[] {
    const { host, port, dbname, disableGenericTags } = this.settings;
    return [...(disableGenericTags ? [] : [`server:${host}`]), `port:${port}`, `db:${dbname}`];
  }

  async run(sender: Sender, signal: AbortSignal): Promise<void> {
    const hostname = this.settings.reportedHostname;
    const serviceTags = this.instanceTags();
    const abort = (): void => this.drop(this.session);
    signal.addEventListener('abort', abort, { once: true });
    try {
      const session = await this.connection(signal);
      const run = this.queryRunner(session, signal);
      const version = (await this.versionQuery(session, signal))[0]?.server_version;
      if (typeof version === 'string' && version !== '') serviceTags.push(`postgresql_version:${version}`);
      const systemIdentifier = await this.loadSystemIdentifier(run);
      if (systemIdentifier !== undefined) serviceTags.push(`system_identifier:${systemIdentifier}`);
      const withDb = serviceTags;
      const withoutDb = serviceTags.filter((t) => !t.startsWith('db:'));
      const submit = metricSink(sender, hostname);
      await collectDatabaseStats(run, this.settings, submit, withoutDb);
      await collectConnections(run, submit, withoutDb);
      if (this.settings.collectCountMetrics) await collectTableCounts(run, submit, withDb);
      await collectLocks(run, this.settings.relations, submit, withDb);
      sender.serviceCheck(CAN_CONNECT, OK, serviceTags, '', hostname);
    } catch (error) {
      const { host, port, dbname } = this.settings;
      const message = `could not collect from postgres at ${host}:${port}/${dbname}: ${(error as Error).message || String(error)}`;
      sender.serviceCheck(CAN_CONNECT, CRITICAL, serviceTags, message, hostname);
      throw new Error(message);
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  private async connection(signal: AbortSignal): Promise<PostgresSession> {
    if (this.session !== undefined) return this.session;
    const session = await openConnection(this.settings, signal, (lost) => this.drop(lost));
    if (signal.aborted) {
      session.destroy();
      throw new Error('aborted while connecting');
    }
    this.session = session;
    return session;
  }

  /** Forgets `session` if it is the kept one (lost, or its run timed out) and cuts it; the next run reconnects. */
  private drop(session: PostgresSession | undefined): void {
    if (session === undefined) return;
    if (this.session === session) this.session = undefined;
    session.destroy();
  }

  /** The version is the smoke test of the session: any failure of it fails the run. */
  private async versionQuery(session: PostgresSession, signal: AbortSignal): Promise<readonly Row[]> {
    try {
      return await query(session, VERSION_SQL, [], signal);
    } catch (error) {
      this.drop(session);
      throw error;
    }
  }

  /** A refused query is logged once per kind and skipped; a lost session fails the run. */
  private queryRunner(session: PostgresSession, signal: AbortSignal): RunQuery {
    return async (name, sql, values = []) => {
      try {
        return await query(session, sql, values, signal);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string' || SESSION_ERROR.test(code) || signal.aborted) {
          this.drop(session);
          throw error;
        }
        this.logger.once(`postgres-query:${this.settings.host}:${this.settings.port}/${this.settings.dbname}:${name}:${code}`, 'warn', `postgres ${this.settings.host}:${this.settings.port}/${this.settings.dbname}: query ${name} failed, its metrics are skipped: ${(error as Error).message} (SQLSTATE ${code})`);
        return undefined;
      }
    };
  }

  /** Tried once per instance: pg_control_system() may be refused to a monitoring user. */
  private async loadSystemIdentifier(run: RunQuery): Promise<string | undefined> {
    if (!this.systemIdentifierTried) {
      this.systemIdentifierTried = true;
      const value = (await run('system_identifier', SYSTEM_IDENTIFIER_SQL))?.[0]?.system_identifier;
      if (typeof value === 'string' && /^\d+$/.test(value)) this.systemIdentifier = value;
    }
    return this.systemIdentifier;
  }
}

async function query(session: PostgresSession, sql: string, values: unknown[], signal: AbortSignal): Promise<readonly Row[]> {
  if (signal.aborted) throw new Error('aborted: the run timed out');
  const result = await session.client.query(sql, values);
  return Array.isArray(result.rows) ? (result.rows as Row[]) : [];
}

export const definition: CheckDefinition = {
  name: 'postgres',
  needsTwoRuns: true,
  create(config: CheckConfig): Check {
    return new PostgresCheck(postgresSettings(config.instance), config.logger);
  },
};

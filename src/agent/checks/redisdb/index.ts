// redisdb, as integrations-core's check runs it: INFO (with its latency) into redis.* gauges and
// rates tagged redis_host/redis_port/redis_role, keyspace per db, replication, the slow log and
// redis.can_connect; INFO commandstats and CLIENT LIST when the instance asks for them.
import type { Redis } from 'ioredis';
import { CRITICAL, OK, type Check, type CheckConfig, type CheckDefinition, type Sender } from '../check.js';
import type { Logger } from '../../../log.js';
import { RedisConnection } from './connection.js';
import { numeric, parseCommandStats, parseInfo, type RedisInfo } from './info.js';
import { INFO_GAUGES, INFO_RATES } from './metadata.js';
import { DEFAULT_MAX_SLOW_ENTRIES, redisSettings, type RedisSettings } from './settings.js';
import { parseSlowlog } from './slowlog.js';

const MAX_COMMANDS = 512;
const MAX_CLIENT_NAMES = 100;
const CLOSED = 'Connection is closed.';

interface TimedInfo extends RedisInfo {
  readonly infoLatencyMs: number;
  readonly pingLatencyMs: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

class RedisCheck implements Check {
  private readonly connection: RedisConnection;
  /** start_time of the newest slow log entry already sent. */
  private lastSlowEntry = 0;

  constructor(
    private readonly settings: RedisSettings,
    private readonly logger: Logger,
  ) {
    this.connection = new RedisConnection(settings);
  }

  private get where(): string {
    return this.settings.unixSocketPath ?? `${this.settings.host}:${this.settings.port}`;
  }

  async run(sender: Sender, signal: AbortSignal): Promise<void> {
    const abort = (): void => this.connection.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      const { client, info } = await this.connect(sender, signal);
      await this.collect(client, info, sender);
    } finally {
      signal.removeEventListener('abort', abort);
      if (this.settings.disableConnectionCache || signal.aborted) this.connection.close();
    }
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  /** PING, then timed INFO and PING: a failure here is redis.can_connect CRITICAL and the run's error. */
  private async connect(sender: Sender, signal: AbortSignal): Promise<{ client: Redis; info: TimedInfo }> {
    try {
      if (signal.aborted) throw new Error('the run was aborted');
      const client = await this.connection.open();
      await client.ping();
      let started = performance.now();
      const text = await client.info();
      const infoLatencyMs = elapsedMs(started);
      started = performance.now();
      await client.ping();
      const pingLatencyMs = elapsedMs(started);
      sender.serviceCheck('redis.can_connect', OK, this.settings.baseTags);
      return { client, info: { ...parseInfo(typeof text === 'string' ? text : String(text)), infoLatencyMs, pingLatencyMs } };
    } catch (error) {
      const message = messageOf(messageOf(error) === CLOSED ? this.connection.explain(error) : error);
      this.connection.close();
      sender.serviceCheck('redis.can_connect', CRITICAL, this.settings.baseTags, message);
      throw new Error(`cannot read INFO from redis ${this.where}: ${message}`);
    }
  }

  private async collect(client: Redis, info: TimedInfo, sender: Sender): Promise<void> {
    const role = info.fields.get('role');
    const tags = role ? [...this.settings.baseTags, `redis_role:${role}`] : [...this.settings.baseTags];
    sender.gauge('redis.info.latency_ms', info.infoLatencyMs, tags);
    sender.gauge('redis.ping.latency_ms', info.pingLatencyMs, tags);

    for (const db of info.keyspace) {
      const dbTags = [...tags, `redis_db:${db.db}`];
      const persist = db.keys - db.expires;
      sender.gauge('redis.persist', persist, dbTags);
      if (db.keys > 0) {
        sender.gauge('redis.persist.percent', (100 * persist) / db.keys, dbTags);
        sender.gauge('redis.expires.percent', (100 * db.expires) / db.keys, dbTags);
      }
      sender.gauge('redis.keys', db.keys, dbTags);
      sender.gauge('redis.expires', db.expires, dbTags);
    }

    for (const [field, raw] of info.fields) {
      const value = numeric(raw);
      if (value === undefined) continue;
      if (Object.hasOwn(INFO_GAUGES, field)) sender.gauge(INFO_GAUGES[field]!, value, tags);
      else if (Object.hasOwn(INFO_RATES, field)) sender.rate(INFO_RATES[field]!, value, tags);
    }

    this.replication(info, tags, sender);

    // CONFIG is disabled on some managed Redis: maxclients is then left out, as in the official check.
    const config = await this.optional(client, 'CONFIG GET maxclients', () => client.call('CONFIG', 'GET', 'maxclients'));
    if (Array.isArray(config) && config[0] === 'maxclients') {
      const maxclients = numeric(String(config[1]));
      if (maxclients !== undefined) sender.gauge('redis.net.maxclients', maxclients, tags);
    }

    if (this.settings.collectClientMetrics) await this.clients(client, tags, sender);
    if (this.settings.commandStats) await this.commandStats(client, tags, sender);
    await this.slowlog(client, sender);
  }

  private replication(info: RedisInfo, tags: readonly string[], sender: Sender): void {
    const masterOffset = numeric(info.fields.get('master_repl_offset')) ?? 0;
    for (const replica of info.replicas) {
      const delay = masterOffset - replica.offset;
      if (delay < 0) continue;
      const replicaTags = [...tags];
      if (replica.ip !== undefined) replicaTags.push(`slave_ip:${replica.ip}`);
      if (replica.port !== undefined) replicaTags.push(`slave_port:${replica.port}`);
      replicaTags.push(`slave_id:${replica.id}`);
      sender.gauge('redis.replication.delay', delay, replicaTags);
    }
    const link = info.fields.get('master_link_status');
    if (link === undefined) return;
    const up = link === 'up';
    sender.serviceCheck('redis.replication.master_link_status', up ? OK : CRITICAL, tags);
    const downSeconds = up ? 0 : numeric(info.fields.get('master_link_down_since_seconds'));
    if (downSeconds !== undefined) sender.gauge('redis.replication.master_link_down_since_seconds', downSeconds, tags);
  }

  private async clients(client: Redis, tags: readonly string[], sender: Sender): Promise<void> {
    const list = await this.optional(client, 'CLIENT LIST', () => client.call('CLIENT', 'LIST'));
    if (typeof list !== 'string') return;
    const byName = new Map<string, number>();
    for (const line of list.split('\n')) {
      if (line.trim() === '') continue;
      const name = /(?:^| )name=(\S*)/.exec(line)?.[1] || 'unknown';
      if (!byName.has(name) && byName.size >= MAX_CLIENT_NAMES) continue;
      byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    for (const [name, count] of byName) sender.gauge('redis.net.connections', count, [...tags, `source:${name}`]);
  }

  private async commandStats(client: Redis, tags: readonly string[], sender: Sender): Promise<void> {
    const text = await this.optional(client, 'INFO commandstats', () => client.info('commandstats'));
    if (typeof text !== 'string') return;
    for (const stat of parseCommandStats(text, MAX_COMMANDS)) {
      const commandTags = [...tags, `command:${stat.command}`];
      sender.gauge('redis.command.calls', stat.calls, commandTags);
      sender.gauge('redis.command.usec_per_call', stat.usecPerCall, commandTags);
    }
  }

  /** Slow log entries newer than the last run's, as a histogram of their durations (tags without redis_role, as the official check). */
  private async slowlog(client: Redis, sender: Sender): Promise<void> {
    let max = this.settings.maxSlowEntries;
    if (max === undefined) {
      const config = await this.optional(client, 'CONFIG GET slowlog-max-len', () => client.call('CONFIG', 'GET', 'slowlog-max-len'));
      const configured = Array.isArray(config) ? numeric(String(config[1])) : undefined;
      max = Math.min(configured ?? DEFAULT_MAX_SLOW_ENTRIES, DEFAULT_MAX_SLOW_ENTRIES);
    }
    const reply = await this.optional(client, 'SLOWLOG GET', () => client.call('SLOWLOG', 'GET', String(max)));
    let newest = 0;
    for (const entry of parseSlowlog(reply)) {
      if (entry.startTime <= this.lastSlowEntry) continue;
      newest = Math.max(newest, entry.startTime);
      const tags = entry.command === undefined ? [...this.settings.baseTags] : [...this.settings.baseTags, `command:${entry.command}`];
      sender.histogram('redis.slowlog.micros', entry.durationMicros, tags);
    }
    if (newest !== 0) this.lastSlowEntry = newest;
  }

  /** A command some servers refuse (managed Redis disables CONFIG, CLIENT, SLOWLOG): undefined then; a lost connection fails the run. */
  private async optional(client: Redis, what: string, command: () => Promise<unknown>): Promise<unknown> {
    try {
      return await command();
    } catch (error) {
      if (client.status !== 'ready') {
        const message = messageOf(messageOf(error) === CLOSED ? this.connection.explain(error) : error);
        this.connection.close();
        throw new Error(`redis ${this.where}: ${what} failed: ${message}`);
      }
      this.logger.debug(`redisdb ${this.where}: ${what} unavailable: ${messageOf(error)}`);
      return undefined;
    }
  }
}

export const definition: CheckDefinition = {
  name: 'redisdb',
  needsTwoRuns: true,
  create(config: CheckConfig): Check {
    return new RedisCheck(redisSettings(config.instance), config.logger);
  },
};

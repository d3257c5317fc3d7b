// One ioredis connection per instance, opened on the first run and kept between runs: no
// reconnect loop of its own (a failed or closed connection is replaced at the next run).
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from './settings.js';

export class RedisConnection {
  private client: Redis | undefined;
  /** The last socket/AUTH error ioredis emitted: connect() itself only says "Connection is closed." */
  private lastError: Error | undefined;

  constructor(private readonly settings: RedisSettings) {}

  /** A ready client, connecting (again) when the previous one is gone. */
  async open(): Promise<Redis> {
    if (this.client?.status === 'ready') return this.client;
    this.close();
    const client = new Redis(clientOptions(this.settings));
    this.client = client;
    this.lastError = undefined;
    client.on('error', (error: Error) => {
      this.lastError = error;
    });
    try {
      await client.connect();
    } catch (error) {
      this.close();
      throw this.lastError ?? error;
    }
    return client;
  }

  /** The error that closed the connection during a command, when ioredis reported one. */
  explain(error: unknown): unknown {
    return this.lastError ?? error;
  }

  close(): void {
    const client = this.client;
    this.client = undefined;
    client?.disconnect();
  }
}

function clientOptions(settings: RedisSettings): RedisOptions {
  const common: RedisOptions = {
    username: settings.username,
    password: settings.password,
    db: settings.db,
    // RESP2 as redis-py speaks it: managed Redis and proxies without HELLO answer it too.
    protocol: 2,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    // One less command per connection, and none that older servers answer with an error.
    disableClientInfo: true,
    autoResubscribe: false,
    connectTimeout: settings.socketTimeoutMs,
    commandTimeout: settings.socketTimeoutMs,
  };
  if (settings.unixSocketPath !== undefined) return { ...common, path: settings.unixSocketPath };
  const tls = settings.tls;
  return {
    ...common,
    host: settings.host,
    port: settings.port,
    tls:
      tls === undefined
        ? undefined
        : {
            rejectUnauthorized: tls.verify,
            ...(isIP(settings.host ?? '') === 0 ? { servername: settings.host } : {}),
            ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
            ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
            ...(tls.key !== undefined ? { key: tls.key } : {}),
          },
  };
}

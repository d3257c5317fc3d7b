// The redisdb check against real redis-servers: a master with a replica (append-only), one with
// requirepass, one TLS-only with a self-signed certificate (as Heroku's rediss:// URLs), values
// compared with what redis-cli reads from the server itself.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRITICAL, CheckConfigError, OK } from '../../../src/agent/checks/check.js';
import { definition } from '../../../src/agent/checks/redisdb/index.js';
import { METRICS, SERVICE_CHECKS } from '../../../src/agent/checks/redisdb/metadata.js';
import { createLogger } from '../../../src/log.js';
import { redisInstance } from '../../../src/runtime/integrations.js';
import { CheckResults, runCheck } from '../../helpers/check-harness.js';
import { freePort, startRedis, until, type RedisServer } from '../../helpers/redis-server.js';

const PASSWORD = 'redis-Secret-pw-5521';
const WRONG_PASSWORD = 'not-the-Secret-8830';
const DB0_KEYS = 7;
const DB0_VOLATILE = 2;
const DB3_KEYS = 4;
const HOLDERS = 3;

function noSecrets(results: CheckResults, ...secrets: string[]): void {
  const texts = [...results.errors.filter((e): e is string => e !== undefined), ...results.logs, ...results.serviceChecks.map((c) => c.message)];
  for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
}

function intField(info: Map<string, string>, name: string): number {
  const value = Number(info.get(name));
  if (!Number.isFinite(value)) throw new Error(`INFO has no ${name}`);
  return value;
}

describe('redisdb against a master and its replica', () => {
  let master: RedisServer;
  let replica: RedisServer;
  const holders: Socket[] = [];
  let results: CheckResults;
  let replicaResults: CheckResults;
  let masterInfo: Map<string, string>;
  let gets = 0;
  let maxclients: number;

  beforeAll(async () => {
    master = await startRedis({ unixSocket: true, args: ['--slowlog-log-slower-than', '0'] });
    replica = await startRedis({ replicaOf: master.port, appendonly: true });
    await until(async () => (await replica.info('replication')).get('master_link_status') === 'up', 15_000, 'the replica link');
    for (let i = 0; i < DB0_KEYS - DB0_VOLATILE; i++) await master.cli('SET', `key:${i}`, String(i));
    for (let i = 0; i < DB0_VOLATILE; i++) await master.cli('SET', `volatile:${i}`, 'v', 'EX', '3600');
    for (let i = 0; i < DB3_KEYS; i++) await master.cli('-n', '3', 'SET', `other:${i}`, 'x');
    await master.cli('SET', 'short-lived', 'x', 'PX', '1');
    await until(async () => intField(await master.info('stats'), 'expired_keys') >= 1, 5_000, 'the short-lived key to expire');
    // Idle connections the server counts in connected_clients, beside the check's own.
    for (let i = 0; i < HOLDERS; i++) {
      const socket = connect(master.port, '127.0.0.1');
      socket.on('error', () => undefined);
      holders.push(socket);
    }
    await until(async () => intField(await master.info('clients'), 'connected_clients') === HOLDERS + 1, 5_000, 'the holder connections');

    results = await runCheck(definition, { host: '127.0.0.1', port: master.port, tags: ['team:cache'], command_stats: true, collect_client_metrics: true }, {
      between: async () => {
        for (let i = 0; i < 5; i++, gets++) await master.cli('GET', `key:${i}`);
        await master.cli('GET', 'missing');
      },
    });
    // The check's connection is closed with the runner; wait until the server has seen it go.
    await until(async () => intField(await master.info('clients'), 'connected_clients') === HOLDERS + 1, 5_000, 'the check to disconnect');
    masterInfo = await master.info();
    maxclients = Number((await master.cli('CONFIG', 'GET', 'maxclients')).split('\n')[1]);
    replicaResults = await runCheck(definition, { host: '127.0.0.1', port: replica.port });
  }, 60_000);

  afterAll(async () => {
    for (const socket of holders) socket.destroy();
    await replica?.stop();
    await master?.stop();
  });

  it('sends INFO metrics tagged redis_host, redis_port, redis_role, with the values the server reports', () => {
    expect(results.errors).toEqual([undefined, undefined]);
    const tags = ['redis_host:127.0.0.1', `redis_port:${master.port}`, 'redis_role:master', 'team:cache'];
    results.assertServiceCheck('redis.can_connect', { status: OK, tags: ['redis_host:127.0.0.1', `redis_port:${master.port}`], count: 2 });
    expect(results.serviceChecks.find((c) => c.check === 'redis.can_connect')!.tags).not.toContain('redis_role:master');

    const db0 = [...tags, 'redis_db:db0'];
    const db3 = [...tags, 'redis_db:db3'];
    const keyspace = masterInfo.get('db0')!;
    expect(keyspace).toMatch(new RegExp(`^keys=${DB0_KEYS},expires=${DB0_VOLATILE},`));
    expect(masterInfo.get('db3')).toMatch(new RegExp(`^keys=${DB3_KEYS},expires=0,`));
    results.assertMetric('redis.keys', { tags: db0, value: DB0_KEYS, type: 'gauge', count: 2 });
    results.assertMetric('redis.expires', { tags: db0, value: DB0_VOLATILE, count: 2 });
    results.assertMetric('redis.persist', { tags: db0, value: DB0_KEYS - DB0_VOLATILE, count: 2 });
    results.assertMetric('redis.expires.percent', { tags: db0, value: (100 * DB0_VOLATILE) / DB0_KEYS });
    results.assertMetric('redis.persist.percent', { tags: db0, value: (100 * (DB0_KEYS - DB0_VOLATILE)) / DB0_KEYS });
    results.assertMetric('redis.keys', { tags: db3, value: DB3_KEYS, count: 2 });
    results.assertMetric('redis.expires', { tags: db3, value: 0 });
    results.assertMetric('redis.persist', { tags: db3, value: DB3_KEYS });
    results.assertMetric('redis.expires.percent', { tags: db3, value: 0 });
    results.assertMetric('redis.persist.percent', { tags: db3, value: 100 });
    expect(results.find('redis.keys').length).toBe(4);

    // The holders and the check's connection; redis-cli's own replaces the check's in masterInfo.
    expect(results.value('redis.net.clients', tags)).toBe(HOLDERS + 1);
    expect(intField(masterInfo, 'connected_clients')).toBe(HOLDERS + 1);
    // CLIENT LIST also lists the replica's connection, which connected_clients leaves out.
    results.assertMetric('redis.net.connections', { tags: [...tags, 'source:unknown'], value: HOLDERS + 1 + intField(masterInfo, 'connected_slaves'), count: 2 });
    expect(results.value('redis.net.slaves', tags)).toBe(intField(masterInfo, 'connected_slaves'));
    expect(results.value('redis.net.slaves', tags)).toBe(1);
    expect(results.value('redis.net.maxclients', tags)).toBe(maxclients);
    const used = results.value('redis.mem.used', tags);
    expect(used).toBeGreaterThan(intField(masterInfo, 'used_memory') / 2);
    expect(used).toBeLessThan(intField(masterInfo, 'used_memory') * 2);
    expect(results.value('redis.mem.rss', tags)).toBeGreaterThan(0);
    expect(results.value('redis.rdb.changes_since_last', tags)).toBe(intField(masterInfo, 'rdb_changes_since_last_save'));
    expect(results.value('redis.keys.expired', tags)).toBe(intField(masterInfo, 'expired_keys'));
    expect(results.value('redis.keys.expired', tags)).toBeGreaterThanOrEqual(1);
    expect(results.value('redis.keys.evicted', tags)).toBe(0);
    expect(results.value('redis.replication.master_repl_offset', tags)).toBeGreaterThan(0);
    expect(results.value('redis.info.latency_ms', tags)).toBeGreaterThanOrEqual(0);
    expect(results.value('redis.ping.latency_ms', tags)).toBeGreaterThanOrEqual(0);
    results.assertMetric('redis.net.instantaneous_ops_per_sec', { tags, type: 'gauge', count: 2 });

    // Rates: first values on the second run.
    results.assertMetric('redis.net.commands', { tags, type: 'gauge', count: 1 });
    expect(results.value('redis.net.commands', tags)).toBeGreaterThan(0);
    expect(results.value('redis.stats.keyspace_hits', tags)).toBeGreaterThan(0);
    expect(results.value('redis.stats.keyspace_misses', tags)).toBeGreaterThan(0);
    results.assertMetric('redis.cpu.sys', { tags, count: 1 });
    results.assertMetric('redis.cpu.user', { tags, count: 1 });

    const delay = results.assertMetric('redis.replication.delay', { tags: [...tags, 'slave_ip:127.0.0.1', `slave_port:${replica.port}`, 'slave_id:0'] });
    expect(delay[0]!.points[0]![1]).toBeGreaterThanOrEqual(0);

    results.assertMetric('redis.command.calls', { tags: [...tags, 'command:get'] });
    expect(results.value('redis.command.calls', [...tags, 'command:get'])).toBeGreaterThanOrEqual(gets);
    results.assertMetric('redis.command.usec_per_call', { tags: [...tags, 'command:get'] });
    // Slow log entries of the test's own SETs (slowlog-log-slower-than 0), tagged without redis_role.
    const slow = results.assertMetric('redis.slowlog.micros.count', { tags: ['redis_host:127.0.0.1', `redis_port:${master.port}`, 'command:SET'] });
    expect(slow[0]!.tags).not.toContain('redis_role:master');
    for (const suffix of ['max', 'median', 'avg', '95percentile']) results.assertMetric(`redis.slowlog.micros.${suffix}`);
  });

  it('reports the replica as redis_role:slave with its link to the master', () => {
    expect(replicaResults.errors).toEqual([undefined, undefined]);
    const tags = ['redis_host:127.0.0.1', `redis_port:${replica.port}`, 'redis_role:slave'];
    replicaResults.assertServiceCheck('redis.replication.master_link_status', { status: OK, tags });
    replicaResults.assertMetric('redis.replication.master_link_down_since_seconds', { tags, value: 0 });
    replicaResults.assertMetric('redis.replication.slave_repl_offset', { tags });
    replicaResults.assertMetric('redis.replication.last_io_seconds_ago', { tags });
    replicaResults.assertMetric('redis.replication.sync', { tags, value: 0 });
    replicaResults.assertMetric('redis.aof.size', { tags });
    replicaResults.assertMetric('redis.aof.buffer_length', { tags });
    replicaResults.assertMetric('redis.keys', { tags: [...tags, 'redis_db:db0'], value: DB0_KEYS });
  });

  it('submits only metadata metrics and covers the table', () => {
    const all = new CheckResults([...results.series, ...replicaResults.series], [...results.serviceChecks, ...replicaResults.serviceChecks], [], [], [], results.runner);
    all.assertMetricsUsingMetadata(METRICS);
    all.assertMetadataCovered(METRICS, [
      // Only while a dump or AOF is being loaded at startup.
      'redis.aof.loading_total_bytes',
      'redis.aof.loading_loaded_bytes',
      'redis.aof.loading_loaded_perc',
      'redis.aof.loading_eta_seconds',
      // INFO fields of Redis < 5, replaced by client_recent_max_* in the Redis 7 under test.
      'redis.clients.biggest_input_buf',
      'redis.clients.longest_output_list',
      // Only while a replica's initial sync is transferring.
      'redis.replication.sync_left_bytes',
    ]);
    const checks = new Set([...results.serviceChecks, ...replicaResults.serviceChecks].map((c) => c.check));
    expect([...checks].sort()).toEqual([...SERVICE_CHECKS].sort());
  });

  it('connects over the unix socket, tagged redis_port:unix_socket', async () => {
    const socket = await runCheck(definition, { unix_socket_path: master.socketPath }, { runs: 1 });
    expect(socket.errors).toEqual([undefined]);
    const tags = [`redis_host:${master.socketPath}`, 'redis_port:unix_socket', 'redis_role:master'];
    socket.assertServiceCheck('redis.can_connect', { status: OK, tags: tags.slice(0, 2) });
    socket.assertMetric('redis.keys', { tags: [...tags, 'redis_db:db0'], value: DB0_KEYS });
  });
});

describe('redisdb with requirepass', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ password: PASSWORD });
    await server.cli('SET', 'k', 'v');
  });
  afterAll(async () => server?.stop());

  it('authenticates with the password (and the ACL default user), the password nowhere in the output', async () => {
    for (const instance of [{ host: '127.0.0.1', port: server.port, password: PASSWORD }, { host: '127.0.0.1', port: server.port, username: 'default', password: PASSWORD }]) {
      const results = await runCheck(definition, instance, { runs: 1 });
      expect(results.errors).toEqual([undefined]);
      results.assertServiceCheck('redis.can_connect', { status: OK, count: 1 });
      results.assertMetric('redis.keys', { tags: ['redis_role:master', 'redis_db:db0'], value: 1 });
      const maxclients = (await server.cli('CONFIG', 'GET', 'maxclients')).split('\n')[1]!;
      expect(results.value('redis.net.maxclients')).toBe(Number(maxclients));
      noSecrets(results, PASSWORD);
    }
  });

  it('a wrong password is redis.can_connect CRITICAL and a run error, without the password', async () => {
    const results = await runCheck(definition, { host: '127.0.0.1', port: server.port, password: WRONG_PASSWORD }, { runs: 2 });
    expect(results.errors).toHaveLength(2);
    for (const error of results.errors) expect(error).toMatch(/WRONGPASS/);
    results.assertServiceCheck('redis.can_connect', { status: CRITICAL, tags: ['redis_host:127.0.0.1', `redis_port:${server.port}`], message: /WRONGPASS/, count: 2 });
    expect(results.series).toEqual([]);
    noSecrets(results, WRONG_PASSWORD, PASSWORD);
  });

  it('no password against requirepass is CRITICAL with the server reply', async () => {
    const results = await runCheck(definition, { host: '127.0.0.1', port: server.port }, { runs: 1 });
    expect(results.errors[0]).toMatch(/NOAUTH/);
    results.assertServiceCheck('redis.can_connect', { status: CRITICAL, message: /NOAUTH/ });
  });
});

describe('redisdb over TLS (rediss://)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ tls: true, password: PASSWORD });
    await server.cli('SET', 'k', 'v');
  }, 30_000);
  afterAll(async () => server?.stop());

  it('accepts the instance the runtime writes from a rediss:// REDIS_URL (ssl_cert_reqs: 0)', async () => {
    const instance = redisInstance(`rediss://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`)!;
    expect(instance).toMatchObject({ ssl: true, ssl_cert_reqs: 0 });
    const results = await runCheck(definition, instance);
    expect(results.errors).toEqual([undefined, undefined]);
    const tags = ['redis_host:127.0.0.1', `redis_port:${server.port}`, 'redis_role:master'];
    results.assertServiceCheck('redis.can_connect', { status: OK, count: 2 });
    results.assertMetric('redis.keys', { tags: [...tags, 'redis_db:db0'], value: 1 });
    results.assertMetric('redis.net.commands', { tags, count: 1 });
    noSecrets(results, PASSWORD);
  });

  it('verifies the certificate unless told not to, and trusts ssl_ca_certs', async () => {
    const base = { host: '127.0.0.1', port: server.port, password: PASSWORD, ssl: true };
    const refused = await runCheck(definition, base, { runs: 1 });
    expect(refused.errors[0]).toMatch(/certificate/);
    refused.assertServiceCheck('redis.can_connect', { status: CRITICAL, message: /certificate/ });
    const trusted = await runCheck(definition, { ...base, ssl_ca_certs: server.certFile }, { runs: 1 });
    expect(trusted.errors).toEqual([undefined]);
    noSecrets(refused, PASSWORD);
  });

  it('plain TCP to the TLS port fails cleanly', async () => {
    const results = await runCheck(definition, { host: '127.0.0.1', port: server.port, password: PASSWORD, socket_timeout: 1 }, { runs: 1 });
    expect(results.errors[0]).toBeDefined();
    results.assertServiceCheck('redis.can_connect', { status: CRITICAL });
  });
});

describe('redisdb when the server is down or misbehaves', () => {
  it('a server stopped between runs: OK, then CRITICAL and a run error', async () => {
    const server = await startRedis();
    try {
      const results = await runCheck(definition, { host: '127.0.0.1', port: server.port }, { runs: 2, between: () => server.stop() });
      expect(results.errors[0]).toBeUndefined();
      expect(results.errors[1]).toMatch(/ECONNREFUSED|closed|ECONNRESET/);
      const statuses = results.serviceChecks.filter((c) => c.check === 'redis.can_connect').map((c) => c.status);
      expect(statuses).toEqual([OK, CRITICAL]);
    } finally {
      await server.stop();
    }
  });

  it('nothing listening: CRITICAL with the connect error', async () => {
    const port = await freePort();
    const results = await runCheck(definition, { host: '127.0.0.1', port }, { runs: 1 });
    expect(results.errors[0]).toMatch(new RegExp(`cannot read INFO from redis 127.0.0.1:${port}: connect ECONNREFUSED`));
    results.assertServiceCheck('redis.can_connect', { status: CRITICAL, tags: ['redis_host:127.0.0.1', `redis_port:${port}`], message: /ECONNREFUSED/ });
  });

  it('a server that never answers: socket_timeout ends the run with CRITICAL', async () => {
    // Reads and drops what it gets (so it sees the client's FIN), never answers.
    const silent = createServer((socket) => socket.on('error', () => undefined).resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const results = await runCheck(definition, { host: '127.0.0.1', port, socket_timeout: 0.3 }, { runs: 1 });
      expect(results.errors[0]).toMatch(/timed out/i);
      results.assertServiceCheck('redis.can_connect', { status: CRITICAL });
    } finally {
      await closeServer(silent);
    }
  });

  it('a run past its time is aborted and its connection closed', async () => {
    let open = 0;
    const silent = createServer((socket) => {
      open++;
      socket.on('error', () => undefined).on('close', () => open--).resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const results = await runCheck(definition, { host: '127.0.0.1', port, socket_timeout: 30 }, { runs: 1, timeoutMs: 300 });
      expect(results.errors[0]).toMatch(/^timeout/);
      await until(async () => open === 0, 5_000, 'the aborted connection to close');
    } finally {
      await closeServer(silent);
    }
  });

  it('malformed INFO and refused commands: no crash, only what parses', async () => {
    const info = ['# Server', 'role:master', 'garbage line', 'used_memory:not-a-number', 'connected_clients:1e400', 'db0:keys=x,expires=1', 'db1:keys=3,expires=1', 'slave0:ip=1.2.3.4', 'blocked_clients:2', 'x'.repeat(100_000) + ':1', ''].join('\r\n');
    const fake = await fakeRedis((command) => (command === 'PING' ? '+PONG\r\n' : command === 'INFO' ? `$${Buffer.byteLength(info)}\r\n${info}\r\n` : `-ERR unknown command '${command}'\r\n`));
    try {
      const results = await runCheck(definition, { host: '127.0.0.1', port: fake.port }, { runs: 1 });
      expect(results.errors).toEqual([undefined]);
      results.assertServiceCheck('redis.can_connect', { status: OK });
      results.assertMetric('redis.clients.blocked', { value: 2 });
      results.assertMetric('redis.keys', { tags: ['redis_db:db1'], value: 3 });
      expect(results.find('redis.keys')).toHaveLength(1);
      expect(results.find('redis.mem.used')).toEqual([]);
      expect(results.find('redis.net.clients')).toEqual([]);
      expect(results.find('redis.net.maxclients')).toEqual([]);
      results.assertMetric('redis.replication.delay', { tags: ['slave_ip:1.2.3.4', 'slave_id:0'] });
    } finally {
      await closeServer(fake.server);
    }
  });
});

describe('redisdb instance settings', () => {
  const logger = createLogger('CORE', 'off');
  it.each([
    [{ port: 6379 }, /host/],
    [{ host: 'h', port: 'abc' }, /^port/],
    [{ host: 'h', port: 70000 }, /^port/],
    [{ host: 'h', db: -1 }, /^db/],
    [{ host: 'h', socket_timeout: 0 }, /^socket_timeout/],
    [{ host: 'h', ssl: 'maybe' }, /^ssl/],
    [{ host: 'h', ssl: true, ssl_cert_reqs: 'sometimes' }, /^ssl_cert_reqs/],
    [{ host: 'h', ssl: true, ssl_ca_certs: '/nonexistent/ca.pem' }, /^ssl_ca_certs/],
  ])('%j is a CheckConfigError naming the setting', (instance, message) => {
    expect(() => definition.create({ instance, initConfig: {}, logger })).toThrow(CheckConfigError);
    expect(() => definition.create({ instance, initConfig: {}, logger })).toThrow(message);
  });

  it('a bad setting is the run error, the password not in it', async () => {
    const results = await runCheck(definition, { host: '127.0.0.1', port: 'abc', password: PASSWORD }, { runs: 1 });
    expect(results.errors[0]).toMatch(/^port must be/);
    noSecrets(results, PASSWORD);
  });
});

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A RESP server answering each command (the array's first word, upper-cased) with `reply(command)`. */
async function fakeRedis(reply: (command: string) => string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const match = /^\*(\d+)\r\n\$(\d+)\r\n([^\r]*)\r\n/.exec(buffer);
        if (!match) return;
        let rest = buffer.slice(match[0].length);
        let complete = true;
        for (let i = 1; i < Number(match[1]); i++) {
          const arg = /^\$(\d+)\r\n/.exec(rest);
          if (!arg || rest.length < arg[0].length + Number(arg[1]) + 2) {
            complete = false;
            break;
          }
          rest = rest.slice(arg[0].length + Number(arg[1]) + 2);
        }
        if (!complete) return;
        buffer = rest;
        socket.write(reply(match[3]!.toUpperCase()));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

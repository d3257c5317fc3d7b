// hot-shots, the stock Node client, against the real listeners: UDP and Unix datagram socket,
// buffered and not, every metric type, sample rates, events and service checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import StatsD, { type StatsD as StatsDClient } from 'hot-shots';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOST, pointOf, startHarness, until, type Harness } from './agent-harness.js';

/**
 * Sender and agent share this process: a long synchronous burst would fill the Unix socket's
 * small datagram queue before the agent gets a turn to read, so calls go out a few at a time.
 */
async function paced(calls: (() => void)[]): Promise<void> {
  for (let i = 0; i < calls.length; i++) {
    calls[i]!();
    if (i % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const matrix = [
  { protocol: 'udp', buffered: false },
  { protocol: 'udp', buffered: true },
  { protocol: 'uds', buffered: false },
  { protocol: 'uds', buffered: true },
] as const;

describe.each(matrix)('hot-shots over $protocol (buffered: $buffered)', ({ protocol, buffered }) => {
  let h: Harness;
  let socketDir: string;
  let client: StatsDClient;
  let errors: Error[] = [];
  const realRandom = Math.random;

  beforeAll(() => {
    socketDir = mkdtempSync(join(tmpdir(), 'dsd-'));
  });
  afterAll(() => rmSync(socketDir, { recursive: true, force: true }));
  beforeEach(async () => {
    const socketPath = join(socketDir, `dsd-${Date.now()}.sock`);
    h = await startHarness({ env: { DD_DOGSTATSD_SOCKET: protocol === 'uds' ? socketPath : '', DD_TAGS: 'dyno:web.1' } });
    errors = [];
    client = new StatsD({
      ...(protocol === 'udp' ? { host: '127.0.0.1', port: h.agent.dogstatsd.port, protocol: 'udp' } : { protocol: 'uds', path: socketPath }),
      maxBufferSize: buffered ? 1400 : 0,
      bufferFlushInterval: 20,
      errorHandler: (error: Error) => errors.push(error),
    });
    // Sampling in hot-shots draws Math.random(); pinned so every sampled call is sent.
    Math.random = () => 0;
  });
  afterEach(async () => {
    Math.random = realRandom;
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await h.close();
  });

  const samples = () => h.agent.dogstatsd.status().metricSamples as number;

  it('every metric type aggregates to the official values', async () => {
    const calls: (() => void)[] = [
      ...Array.from({ length: 50 }, () => () => client.increment('hs.requests', 1, ['route:/'])),
      () => client.increment('hs.bytes', 512, 0.5, ['route:/']),
      () => client.decrement('hs.workers', 2),
      () => client.gauge('hs.queue', 7),
      () => client.gauge('hs.queue', 3),
      ...[10, 20, 30, 40].map((v) => () => client.histogram('hs.payload', v)),
      ...[5, 15].map((v) => () => client.timing('hs.render', v)),
      ...[1, 2, 3, 4].map((v) => () => client.distribution('hs.size', v, ['unit:kb'])),
      ...['a', 'b', 'a', 'c'].map((u) => () => client.set('hs.users', u)),
    ];
    await paced(calls);
    expect(h.agent.dogstatsd.status().unixSocket).toMatch(protocol === 'uds' ? /^\/.*\.sock$/ : /^disabled$/);
    const expected = 50 + 1 + 1 + 2 + 4 + 2 + 4 + 4;
    await until(() => samples() >= expected, 5_000, `${expected} samples`);
    h.closeBucket();
    await h.flush();
    const series = h.series();
    expect(errors).toEqual([]);
    expect(pointOf(series, 'hs.requests')).toBe(5);
    expect(pointOf(series, 'hs.bytes')).toBe(102.4); // 512 / 0.5 / 10
    expect(pointOf(series, 'hs.workers')).toBe(-0.2);
    expect(pointOf(series, 'hs.queue')).toBe(3);
    expect(pointOf(series, 'hs.payload.max')).toBe(40);
    expect(pointOf(series, 'hs.payload.avg')).toBe(25);
    expect(pointOf(series, 'hs.payload.median')).toBe(20);
    expect(pointOf(series, 'hs.payload.95percentile')).toBe(40);
    expect(pointOf(series, 'hs.payload.count')).toBe(0.4);
    expect(pointOf(series, 'hs.render.avg')).toBe(10);
    expect(pointOf(series, 'hs.users')).toBe(3);
    const size = h.sketches().find((s) => s.metric === 'hs.size')!;
    expect([size.cnt, size.min, size.max, size.sum, size.tags]).toEqual([4, 1, 4, 10, ['dyno:web.1', 'unit:kb']]);
    expect(series.find((s) => s.metric === 'hs.requests')).toMatchObject({ host: HOST, tags: ['dyno:web.1', 'route:/'] });
  });

  it('events and service checks', async () => {
    client.event('Deploy done', 'release v7\nall good', { alert_type: 'success', aggregation_key: 'deploy' }, ['release:7']);
    client.check('app.can_connect', client.CHECKS.WARNING, { message: 'slow', hostname: 'db-1' }, ['db:main']);
    await until(() => (h.agent.dogstatsd.status().events as number) >= 1 && (h.agent.dogstatsd.status().serviceChecks as number) >= 1);
    await h.flush();
    const events = h.events().flatMap((byType) => Object.values(byType).flat());
    expect(events).toMatchObject([{ msg_title: 'Deploy done', msg_text: 'release v7\nall good', alert_type: 'success', aggregation_key: 'deploy', tags: ['dyno:web.1', 'release:7'] }]);
    expect(h.serviceChecks().find((c) => c.check === 'app.can_connect')).toMatchObject({ status: 1, message: 'slow', host_name: 'db-1', tags: ['db:main', 'dyno:web.1'] });
    const counters = h.agent.dogstatsd.status();
    expect([counters.metricParseErrors, counters.eventParseErrors, counters.serviceCheckParseErrors]).toEqual([0, 0, 0]);
  });
});

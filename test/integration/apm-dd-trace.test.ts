// The real dd-trace (Node) tracing a small app: its traces and the agent's stats reach the intake
// decoded, obfuscated and linked, over v0.4 and v0.5.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import type { TraceAgent } from '../../src/agent/apm/index.js';
import type { SpanRecord } from '../../src/intake/records.js';
import { spansOf, startTraceAgent, statsOf } from './apm-harness.js';

const APP = fileURLToPath(new URL('./apm-dd-trace-app.cjs', import.meta.url));

let intake: RecordingIntake | undefined;
let agent: TraceAgent | undefined;

afterEach(async () => {
  await agent?.stop(Date.now() + 2000);
  await intake?.close();
});

async function runApp(port: number, protocol: '0.4' | '0.5'): Promise<void> {
  await execa('node', [APP], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: {
      DD_TRACE_AGENT_URL: `http://127.0.0.1:${port}`,
      DD_TRACE_AGENT_PROTOCOL_VERSION: protocol,
      DD_SERVICE: 'shop',
      DD_ENV: 'staging',
      DD_VERSION: '1.4.2',
      DD_TRACE_STARTUP_LOGS: 'false',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      DD_RUNTIME_METRICS_ENABLED: 'false',
      DD_TRACE_AGENT_PORT: String(port),
      DD_DOGSTATSD_PORT: '9', // nothing listens; runtime metrics are off anyway
    },
    timeout: 30_000,
  });
}

describe.each(['0.4', '0.5'] as const)('dd-trace over v%s', (protocol) => {
  it('delivers linked, obfuscated spans with env, version and the dyno host, and agent-computed stats', async () => {
    intake = await startRecordingIntake();
    ({ agent } = startTraceAgent(intake, { DD_ENV: 'fallback-env' }));
    await agent.start();
    await runApp(agent.port, protocol);

    const spans = await intake.waitFor((): SpanRecord[] | undefined => {
      const all = spansOf(intake!);
      return all.filter((s) => s.name === 'web.request').length >= 2 && all.some((s) => s.name === 'pg.query') ? all : undefined;
    }, 20_000);

    const requests = spans.filter((s) => s.name === 'web.request');
    const ok = requests.find((s) => s.meta['http.status_code'] === '200')!;
    const failed = requests.find((s) => s.meta['http.status_code'] === '500')!;
    const query = spans.find((s) => s.name === 'pg.query')!;

    for (const s of [ok, failed, query]) {
      expect(s.service).toBe('shop');
      expect(s.env).toBe('staging');
      expect(s.meta.env).toBe('staging');
      expect(s.meta.version).toBe('1.4.2');
      expect(s.host).toBe('myapp.web.1');
      expect(s.language).toBe('nodejs');
      expect(s.duration).toBeGreaterThan(0);
    }
    // The query is a child of the request that ran it, inside its time.
    expect(query.traceId).toBe(ok.traceId);
    expect(query.parentId).toBe(ok.spanId);
    expect(BigInt(query.start)).toBeGreaterThanOrEqual(BigInt(ok.start));
    expect(BigInt(query.start) + BigInt(query.duration)).toBeLessThanOrEqual(BigInt(ok.start) + BigInt(ok.duration));
    expect(query.duration).toBeGreaterThanOrEqual(4_000_000);
    expect(ok.metrics._top_level).toBe(1);
    expect(query.metrics._top_level).toBeUndefined();

    expect(ok.error).toBe(0);
    expect(failed.error).toBe(1);
    expect(ok.type).toBe('web');

    // Obfuscation: literals out of SQL, query strings out of URLs, card numbers out of tags.
    expect(query.type).toBe('sql');
    expect(query.resource).toBe('SELECT id, name FROM users WHERE id = ? AND email = ?');
    expect(query.meta['sql.query']).toBe(query.resource);
    expect(query.meta.card).toBe('?');
    expect(ok.meta['http.url']).toMatch(/\/users\/42\?$/);
    expect(JSON.stringify(spans)).not.toContain('hunter2');
    expect(JSON.stringify(spans)).not.toContain('bob@example.com');

    const receiver = (agent.status() as { receiver: { requests: Record<string, number> } }).receiver;
    expect(receiver.requests[`/v${protocol}/traces`]).toBeGreaterThan(0);

    // Stats computed by the agent (dd-trace does not compute them by default), sent at stop.
    await agent.stop(Date.now() + 5000);
    agent = undefined;
    const stats = statsOf(intake);
    const requestStats = stats.filter((r) => r.service === 'shop' && r.name === 'web.request');
    expect(requestStats.reduce((n, r) => n + r.hits, 0)).toBe(2);
    expect(requestStats.reduce((n, r) => n + r.errors, 0)).toBe(1);
    expect(requestStats.find((r) => r.httpStatusCode === 500)?.errors).toBe(1);
    expect(requestStats.every((r) => r.env === 'staging' && r.version === '1.4.2' && r.hostname === 'myapp.web.1')).toBe(true);
    expect(requestStats.every((r) => r.topLevelHits === r.hits && r.duration > 0)).toBe(true);
  });
});

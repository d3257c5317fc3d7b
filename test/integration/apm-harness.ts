// Shared by the APM integration tests: a trace agent on a random port posting to a recording intake.
import { request } from 'node:http';
import { decodeAgentPayload } from '../../src/intake/payloads/traces.js';
import { decodeStats } from '../../src/intake/payloads/stats.js';
import type { SpanRecord, StatsRecord } from '../../src/intake/records.js';
import { readConfig } from '../../src/config/variables.js';
import { createLogger } from '../../src/log.js';
import { createTraceAgent, type TraceAgent, type TraceAgentOptions } from '../../src/agent/apm/index.js';
import type { RecordingIntake } from '../helpers/recording-intake.js';

export const API_KEY = 'apm-test-key-0123456789abcdef';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function startTraceAgent(intake: RecordingIntake, env: Record<string, string> = {}, extra: Partial<TraceAgentOptions> = {}): { agent: TraceAgent; logs: string[] } {
  const { config } = readConfig(
    { DD_API_KEY: API_KEY, DD_APM_DD_URL: intake.url, DD_APM_RECEIVER_PORT: '0', DD_ENV: 'test', ...env },
    'runtime',
  );
  const logs: string[] = [];
  const agent = createTraceAgent({
    config,
    hostname: 'myapp.web.1',
    tags: ['dyno:web.1', 'appname:myapp'],
    logger: createLogger('TRACE', 'debug', (line) => logs.push(line)),
    flushIntervalMs: 200,
    statsFlushIntervalMs: 60_000,
    backoff: { baseMs: 20, capMs: 100 },
    ...extra,
  });
  return { agent, logs };
}

export function post(port: number, path: string, body: Uint8Array | string, headers: Record<string, string> = {}, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { 'Content-Type': 'application/msgpack', 'Datadog-Meta-Lang': 'nodejs', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A request whose body is sent in two halves: the receiver sees it open until `finish`. */
export function openPost(port: number, path: string, body: Uint8Array, headers: Record<string, string> = {}): { finish(): Promise<Reply> } {
  let resolveReply!: (reply: Reply) => void;
  let rejectReply!: (error: Error) => void;
  const reply = new Promise<Reply>((resolve, reject) => {
    resolveReply = resolve;
    rejectReply = reject;
  });
  const req = request(
    {
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      agent: false,
      headers: { 'Content-Type': 'application/msgpack', 'Content-Length': String(body.length), 'Datadog-Meta-Lang': 'nodejs', ...headers },
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveReply({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    },
  );
  req.on('error', rejectReply);
  const half = Math.floor(body.length / 2);
  req.write(body.subarray(0, half));
  return {
    finish: () => {
      req.end(body.subarray(half));
      return reply;
    },
  };
}

/** Polls `check` until it holds (the receiver's counters move with the sockets). */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function get(port: number, path: string): Promise<Reply> {
  return post(port, path, '', {}, 'GET');
}

/** Every span the intake accepted on /api/v0.2/traces, decoded by the intake's own protobuf reader. */
export function spansOf(intake: RecordingIntake): SpanRecord[] {
  return intake.accepted('/api/v0.2/traces').flatMap((r) => decodeAgentPayload(r.body));
}

export function statsOf(intake: RecordingIntake): StatsRecord[] {
  return intake.accepted('/api/v0.2/stats').flatMap((r) => decodeStats(r.body));
}

/** A span map as dd-trace sends it in v0.4 (ids as bigint so they encode as uint64). */
export function span(fields: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    service: 'web',
    name: 'http.request',
    resource: 'GET /users',
    trace_id: 1n,
    span_id: 1n,
    parent_id: 0n,
    start: BigInt(Date.now()) * 1_000_000n,
    duration: 1_500_000n,
    error: 0,
    meta: { env: 'test' },
    metrics: { _sampling_priority_v1: 1 },
    type: 'web',
    ...fields,
  };
}

// The built-in trace agent: receiver on 8126, processing, and the writers to the trace intake.
import type { IncomingMessage } from 'node:http';
import { Decoder } from '@msgpack/msgpack';
import { BUILDPACK_VERSION, DEFAULT_DOGSTATSD_PORT } from '../../constants.js';
import type { Component } from '../component.js';
import type { BackoffPolicy } from '../forwarder/backoff.js';
import { Transport } from '../forwarder/transport.js';
import type { Logger } from '../../log.js';
import { ApmCounters } from './counters.js';
import { DecodeError } from './decode-error.js';
import { decodeV04, decodeV05 } from './decode-traces.js';
import { agentState, infoDocument } from './info.js';
import { obfuscateUrl } from './obfuscate-http.js';
import type { TracesConsumer } from '../otlp/consumer.js';
import { processTraces, type TracerIdentity } from './process-traces.js';
import type { Span } from './span.js';
import { header, headerTrue, TraceReceiver, type TraceVersion } from './receiver.js';
import { DEFAULT_ERROR_TPS, PrioritySampler } from './sampler.js';
import { StatsConcentrator } from './stats-concentrator.js';
import { DEFAULT_STATS_FLUSH_INTERVAL_MS, StatsWriter } from './stats-writer.js';
import { TraceWriter, type PayloadSink } from './writer.js';

/** The variables the trace agent reads (a `readConfig` result fits); optional ones may be unset. */
export interface TraceAgentConfig {
  readonly DD_APM_ENABLED: boolean;
  readonly DD_APM_RECEIVER_PORT: number;
  readonly DD_APM_NON_LOCAL_TRAFFIC: boolean;
  readonly DD_APM_MAX_PAYLOAD_SIZE: number;
  readonly DD_APM_MAX_TPS: number;
  readonly DD_APM_DD_URL?: string | undefined;
  readonly DD_SITE: string;
  readonly DD_ENV?: string | undefined;
  readonly DD_API_KEY?: string | undefined;
  readonly DD_DOGSTATSD_PORT?: number | undefined;
}

export interface TraceAgentOptions {
  readonly config: TraceAgentConfig;
  readonly hostname: string;
  /** Global tags (`key:value`), sent as the AgentPayload's tags. */
  readonly tags: readonly string[];
  readonly logger: Logger;
  /** Trace writer flush period (5 s) and size (3.2 MB). */
  readonly flushIntervalMs?: number;
  readonly flushBytes?: number;
  /** Stats flush period (10 s). */
  readonly statsFlushIntervalMs?: number;
  /** Milliseconds since the epoch; tests pin it. */
  readonly now?: () => number;
  /** Receiver bounds: bytes of bodies held at once (default 64 MiB) and requests at once (default 64). */
  readonly maxBufferedBytes?: number;
  readonly maxConcurrentRequests?: number;
  /** Retry policy of the trace transport; the trace-agent's is 100 ms doubling up to 10 s. */
  readonly backoff?: BackoffPolicy;
  readonly requestTimeoutMs?: number;
}

export interface TraceAgent extends Component, TracesConsumer {
  /** The port the receiver listens on (useful with DD_APM_RECEIVER_PORT=0). */
  readonly port: number;
}

export const TRACE_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 10_000 };
const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_CONCURRENT_REQUESTS = 64;

export function traceIntakeUrl(config: Pick<TraceAgentConfig, 'DD_APM_DD_URL' | 'DD_SITE'>): string {
  return (config.DD_APM_DD_URL ?? `https://trace.agent.${config.DD_SITE}`).replace(/\/+$/, '');
}

function tagMap(tags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const colon = tag.indexOf(':');
    if (colon < 0) out[tag] = '';
    else out[tag.slice(0, colon)] = tag.slice(colon + 1);
  }
  return out;
}

function tracerIdentity(req: IncomingMessage): TracerIdentity {
  return {
    language: header(req, 'datadog-meta-lang'),
    languageVersion: header(req, 'datadog-meta-lang-version'),
    tracerVersion: header(req, 'datadog-meta-tracer-version'),
    containerId: header(req, 'datadog-container-id'),
    clientComputedStats: headerTrue(req.headers['datadog-client-computed-stats']),
  };
}

const statsDecoder = new Decoder({ useBigInt64: true });

export function createTraceAgent(options: TraceAgentOptions): TraceAgent {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const nowNs = (): bigint => BigInt(Math.floor(now())) * 1_000_000n;
  const env = config.DD_ENV ?? '';
  const counters = new ApmCounters();
  const sampler = new PrioritySampler(config.DD_APM_MAX_TPS, DEFAULT_ERROR_TPS, now);
  const concentrator = new StatsConcentrator(nowNs);
  const transport = new Transport({
    name: 'trace-writer',
    baseUrl: traceIntakeUrl(config),
    apiKey: config.DD_API_KEY ?? '',
    logger,
    userAgent: `Datadog Trace Agent/${BUILDPACK_VERSION} (builtin)`,
    backoff: options.backoff ?? TRACE_BACKOFF,
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const sink: PayloadSink = transport;
  const writer = new TraceWriter({
    sink,
    logger,
    header: {
      hostName: options.hostname,
      env,
      tags: tagMap(options.tags),
      agentVersion: BUILDPACK_VERSION,
      targetTps: config.DD_APM_MAX_TPS,
      errorTps: DEFAULT_ERROR_TPS,
    },
    ...(options.flushBytes !== undefined ? { flushBytes: options.flushBytes } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
  });
  const statsWriter = new StatsWriter(concentrator, sink, { hostname: options.hostname, env, agentVersion: BUILDPACK_VERSION }, nowNs, logger);
  let info: Record<string, unknown> = {};
  let receiver: TraceReceiver | undefined;
  let started = false;
  let startError: string | undefined;

  // What every decoded payload goes through, whether it came on /v0.x/traces or in-process from OTLP.
  const acceptTraces = (traces: Span[][], tracer: TracerIdentity, bytes: number): void => {
    const received = counters.language(tracer.language);
    received.payloads++;
    received.bytes += bytes;
    received.traces += traces.length;
    for (const t of traces) received.spans += t.length;
    const payload = processTraces(traces, tracer, { sampler, concentrator, counters, defaultEnv: env, nowNs });
    writer.add(payload);
  };

  const onTraces = (version: TraceVersion, body: Buffer, req: IncomingMessage): void => {
    const traces = version === 'v0.5' ? decodeV05(body) : decodeV04(body, req.headers['content-type']);
    acceptTraces(traces, tracerIdentity(req), body.length);
  };

  const onStats = (body: Buffer, req: IncomingMessage): void => {
    let decoded: unknown;
    try {
      decoded = statsDecoder.decode(body);
    } catch (error) {
      throw new DecodeError(`stats payload is not msgpack: ${(error as Error).message}`);
    }
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw new DecodeError('stats payload must be a map');
    const payload = decoded as Record<string, unknown>;
    const tracer = tracerIdentity(req);
    payload.Lang ||= tracer.language;
    payload.TracerVersion ||= tracer.tracerVersion;
    payload.Env ||= env;
    counters.clientStatsPayloads++;
    statsWriter.addClientPayload(payload);
  };

  return {
    name: 'apm',
    get port() {
      return receiver?.port ?? 0;
    },
    async start() {
      if (!config.DD_APM_ENABLED) {
        logger.info('APM disabled (DD_APM_ENABLED=false): no trace receiver');
        return;
      }
      const host = config.DD_APM_NON_LOCAL_TRAFFIC ? '0.0.0.0' : '127.0.0.1';
      const settings = {
        version: `${BUILDPACK_VERSION}-builtin`,
        receiverPort: config.DD_APM_RECEIVER_PORT,
        statsdPort: config.DD_DOGSTATSD_PORT ?? DEFAULT_DOGSTATSD_PORT,
        defaultEnv: env,
        targetTps: config.DD_APM_MAX_TPS,
        errorTps: DEFAULT_ERROR_TPS,
        maxRequestBytes: config.DD_APM_MAX_PAYLOAD_SIZE,
      };
      let state = '';
      receiver = new TraceReceiver({
        host,
        port: config.DD_APM_RECEIVER_PORT,
        maxPayloadBytes: config.DD_APM_MAX_PAYLOAD_SIZE,
        maxBufferedBytes: Math.max(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, config.DD_APM_MAX_PAYLOAD_SIZE),
        maxConcurrentRequests: options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS,
        get agentState() {
          return state;
        },
        counters,
        logger,
        handlers: { traces: onTraces, stats: onStats, info: () => info, ratesByService: () => sampler.ratesByService() },
      });
      try {
        await receiver.start();
      } catch (error) {
        // As with the official trace-agent, a receiver that cannot listen must not take metrics down with it.
        startError = `cannot listen on ${host}:${config.DD_APM_RECEIVER_PORT}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
        logger.error(`APM disabled: ${startError}`);
        receiver = undefined;
        return;
      }
      info = infoDocument({ ...settings, receiverPort: receiver.port });
      state = agentState(info);
      await transport.start();
      writer.start();
      statsWriter.start(options.statsFlushIntervalMs ?? DEFAULT_STATS_FLUSH_INTERVAL_MS);
      started = true;
      logger.info(`APM receiver listening on ${host}:${receiver.port}, forwarding to ${obfuscateUrl(traceIntakeUrl(config))}`);
    },
    consumeTraces(traces: Span[][], tracer: TracerIdentity) {
      if (!started) {
        counters.drop('apm_not_running', traces.length);
        return;
      }
      acceptTraces(traces, tracer, 0);
    },
    async stop(deadline: number) {
      if (!started) return;
      started = false;
      await receiver?.stop(deadline);
      await writer.drain();
      await statsWriter.drain();
      await transport.stop(deadline);
    },
    status() {
      if (!config.DD_APM_ENABLED) return { enabled: false };
      if (startError !== undefined) return { enabled: true, running: false, error: startError };
      return {
        enabled: true,
        running: started,
        receiver: receiver?.status() ?? {},
        ...counters.snapshot(),
        rateByService: sampler.ratesByService(),
        targetTps: config.DD_APM_MAX_TPS,
        writer: writer.status(),
        stats: statsWriter.status(),
        transport: transport.status(),
      };
    },
  };
}

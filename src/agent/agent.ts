// The built-in agent as a list of Components: started last-to-first, stopped first-to-last
// within one deadline (listeners stop reading, then the last flush, then the drain to the intake).
import { hostname as osHostname } from 'node:os';
import { BUILDPACK_VERSION } from '../constants.js';
import { Aggregator } from './aggregator/aggregator.js';
import { traceAgentFor } from './apm/from-settings.js';
import type { CheckDefinition } from './checks/check.js';
import { CheckRunner, collectorSettings } from './checks/runner.js';
import type { Component } from './component.js';
import { DogStatsdCounters } from './dogstatsd/counters.js';
import { defaultReceiveBuffer } from './dogstatsd/receive-buffer.js';
import { DogStatsdServer } from './dogstatsd/server.js';
import type { BackoffPolicy } from './forwarder/backoff.js';
import type { SplitLimits } from './forwarder/encode.js';
import { displayUrl, metricsBaseUrl } from './forwarder/endpoints.js';
import { Flusher } from './forwarder/flusher.js';
import { Transport } from './forwarder/transport.js';
import { ensureAuthToken } from './ipc/auth-token.js';
import { health } from './ipc/health.js';
import { IpcServer } from './ipc/server.js';
import type { AgentStatus } from './ipc/status-text.js';
import { createLogger, type Logger } from '../log.js';
import { otlpComponent } from './otlp/component.js';
import { maskApiKey, type AgentSettings } from './settings.js';

/** Node's process.arch as the Agent's status names the build arch (Go's GOARCH). */
const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

export const USER_AGENT = `datadog-agent/${BUILDPACK_VERSION} (heroku-buildpack-datadog built-in)`;

export interface AgentOptions {
  /** Milliseconds since epoch for the aggregator's buckets; tests move it by hand. */
  readonly clock?: () => number;
  readonly flushIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly limits?: SplitLimits;
  readonly maxQueueBytes?: number;
  /** Bind DogStatsD UDP and IPC on ephemeral ports (tests); read them back from the components. */
  readonly ephemeralPorts?: boolean;
  readonly logger?: Logger;
  /** The checks run without conf.d (host and dyno checks); tests pass their own or none. */
  readonly implicitChecks?: readonly CheckDefinition[];
  /** The perl of the DogStatsD relays (tests point it elsewhere to see the fallback). */
  readonly perl?: string;
}

export interface BuiltinAgent {
  readonly settings: AgentSettings;
  /** In stop order. */
  readonly components: readonly Component[];
  readonly dogstatsd: DogStatsdServer;
  readonly aggregator: Aggregator;
  readonly flusher: Flusher;
  readonly checks: CheckRunner;
  readonly transport: Transport;
  readonly ipc: IpcServer;
  readonly logger: Logger;
  start(): Promise<void>;
  stop(deadline: number): Promise<void>;
  status(): AgentStatus;
}

/** A forwarder transport with the agent's key, user agent and retry policy (APM reuses it). */
export function createTransport(settings: AgentSettings, logger: Logger, name: string, baseUrl: string, options: AgentOptions = {}): Transport {
  return new Transport({
    name,
    baseUrl,
    apiKey: settings.apiKey ?? '',
    logger,
    userAgent: USER_AGENT,
    ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
    maxQueueBytes: options.maxQueueBytes ?? settings.forwarderMaxQueueBytes,
  });
}

export function createAgent(settings: AgentSettings, options: AgentOptions = {}): BuiltinAgent {
  const logger = options.logger ?? createLogger('CORE', settings.logLevel);
  const clock = options.clock ?? Date.now;
  const startedAt = Date.now();
  const endpoint = metricsBaseUrl(settings.site, settings.ddUrl);
  const counters = new DogStatsdCounters();
  const receiveBuffer = settings.dogstatsdReceiveBuffer === undefined ? defaultReceiveBuffer() : settings.dogstatsdReceiveBuffer || undefined;
  const aggregator = new Aggregator({
    hostname: settings.hostname,
    globalTags: settings.tags,
    histogram: { aggregates: settings.histogramAggregates, percentiles: settings.histogramPercentiles },
    clock,
    heartbeatTags: [`version:${BUILDPACK_VERSION}`],
    limits: settings.dogstatsdLimits,
    logger,
  });
  const dogstatsd = new DogStatsdServer({
    port: options.ephemeralPorts ? 0 : settings.dogstatsdPort,
    ephemeral: options.ephemeralPorts === true && settings.dogstatsdPort !== 0,
    nonLocalTraffic: settings.dogstatsdNonLocalTraffic,
    ...(settings.dogstatsdSocket !== undefined ? { socketPath: settings.dogstatsdSocket } : {}),
    ...(receiveBuffer !== undefined ? { receiveBufferBytes: receiveBuffer } : {}),
    sink: aggregator,
    counters,
    logger,
    ...(options.perl !== undefined ? { perl: options.perl } : {}),
  });
  const transport = createTransport(settings, logger, 'forwarder', endpoint, options);
  const checks = new CheckRunner({
    ...collectorSettings(settings, logger),
    ...(options.implicitChecks !== undefined ? { implicitChecks: options.implicitChecks } : {}),
    submit: (output) => aggregator.submitCheckOutput(output),
    clock,
  });
  const flusher = new Flusher({
    aggregator,
    transport,
    hostname: settings.hostname,
    logger,
    ...(options.flushIntervalMs !== undefined ? { intervalMs: options.flushIntervalMs } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  });
  const token = ensureAuthToken(settings.authTokenPath);
  let components: Component[] = [];
  const status = (): AgentStatus => {
    const byName = Object.fromEntries(components.map((c) => [c.name, c.status()]));
    return {
      version: BUILDPACK_VERSION,
      flavor: 'builtin',
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      hostname: settings.hostname,
      tags: settings.tags,
      apiKey: maskApiKey(settings.apiKey),
      endpoint: displayUrl(endpoint),
      healthy: health(byName).Unhealthy.length === 0,
      configProblems: settings.problems,
      components: byName,
      statusDate: new Date().toISOString(),
      agentStart: new Date(startedAt).toISOString(),
      logLevel: settings.logLevel,
      ...(settings.configPath !== undefined ? { confFile: settings.configPath } : {}),
      ...(settings.confdPath !== undefined ? { confdPath: settings.confdPath } : {}),
      ...(settings.checksdPath !== undefined ? { checksdPath: settings.checksdPath } : {}),
      nodeVersion: process.version,
      buildArch: GO_ARCH[process.arch] ?? process.arch,
      socketHostname: osHostname(),
    };
  };
  const ipc = new IpcServer({ port: options.ephemeralPorts ? 0 : settings.cmdPort, token, status, logger });

  const apm = traceAgentFor(settings, logger, options.ephemeralPorts ? { ephemeralPorts: true } : {});
  // OTLP points go into the aggregator, OTLP spans into the trace agent, as DogStatsD and /v0.4 do.
  const otlp = otlpComponent({ settings: settings.otlp, apmEnabled: settings.apm.enabled, metrics: aggregator, traces: apm, logger, clock });
  // Stop order: the listeners first (DogStatsD, OTLP, the trace agent of src/agent/apm), then what flushes.
  components = [
    dogstatsd,
    otlp,
    apm,
    checks,
    flusher,
    transport,
    ipc,
  ];

  return {
    settings,
    components,
    dogstatsd,
    aggregator,
    flusher,
    checks,
    transport,
    ipc,
    logger,
    status,
    async start() {
      for (const component of [...components].reverse()) await component.start();
    },
    async stop(deadline) {
      for (const component of components) {
        try {
          await component.stop(deadline);
        } catch (error) {
          logger.error(`${component.name}: stop failed: ${(error as Error).message}`);
        }
      }
    },
  };
}

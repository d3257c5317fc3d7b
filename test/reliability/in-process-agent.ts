// The built-in agent in this process (src/), with a real clock, a real 1 s flush timer and the
// metrics forwarder's backoff shortened (250 ms doubling, 4 s cap) so that recovery fits a test;
// the trace writer keeps its own (100 ms doubling, 10 s cap) and both keep the 20 s request timeout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type AgentOptions, type BuiltinAgent } from '../../src/agent/agent.js';
import { createLogger } from '../../src/log.js';
import { loadSettings } from '../../src/agent/settings.js';
import { API_KEY, cliStatus, type AgentStatusJson } from './agent-process.js';
import { until } from './util.js';

export { API_KEY };

export interface InProcessAgent {
  readonly agent: BuiltinAgent;
  readonly dir: string;
  readonly configPath: string;
  readonly logs: string[];
  readonly statsdPort: number;
  readonly apmPort: number;
  readonly cmdPort: number;
  /** Waits until neither transport (metrics, traces) has anything queued or in flight. */
  transportsIdle(timeoutMs?: number): Promise<void>;
  /**
   * Both transports' status and `read()` (the intake's counts) taken in one tick while nothing is in
   * flight, so that a request the intake has recorded but whose answer the agent has not read yet
   * cannot tell them apart.
   */
  quiet<T>(read: () => T): Promise<{ forwarder: Record<string, unknown>; traces: Record<string, unknown>; value: T }>;
  /** `agent status --json` of the real CLI (lib/agent.js) against this agent's IPC. */
  statusJson(): Promise<AgentStatusJson>;
  close(): Promise<void>;
}

/** A clock running at real speed, shifted so that a 10 s bucket closes `msToBoundary` from now. */
export function alignedClock(msToBoundary = 500): () => number {
  const now = Date.now();
  const skew = (10_000 - msToBoundary - (now % 10_000) + 10_000) % 10_000;
  return () => Date.now() + skew;
}

export async function startInProcessAgent(setup: { intakeUrl: string; env?: Record<string, string>; options?: AgentOptions }): Promise<InProcessAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-'));
  const configPath = join(dir, 'datadog.yaml');
  writeFileSync(configPath, 'log_level: debug\n');
  const settings = loadSettings(configPath, {
    DD_API_KEY: API_KEY,
    DD_DD_URL: setup.intakeUrl,
    DD_APM_DD_URL: setup.intakeUrl,
    DD_HOSTNAME: 'reliability-host',
    DD_DOGSTATSD_SO_RCVBUF: String(4 * 1024 * 1024),
    ...setup.env,
  });
  const logs: string[] = [];
  const agent = createAgent(settings, {
    ephemeralPorts: true,
    clock: alignedClock(),
    flushIntervalMs: 1_000,
    implicitChecks: [],
    backoff: { baseMs: 250, capMs: 4_000 },
    logger: createLogger('CORE', 'debug', (line) => logs.push(line)),
    ...setup.options,
  });
  await agent.start();
  const apm = agent.components.find((c) => c.name === 'apm') as unknown as { port: number };
  let stopped = false;
  return {
    agent,
    dir,
    configPath,
    logs,
    statsdPort: agent.dogstatsd.port,
    apmPort: apm.port,
    cmdPort: agent.ipc.port,
    statusJson: () => cliStatus(configPath, agent.ipc.port),
    async quiet(read) {
      const started = Date.now();
      for (;;) {
        const forwarder = agent.transport.status();
        const traces = ((agent.status().components.apm as { transport?: Record<string, unknown> }).transport ?? {}) as Record<string, unknown>;
        if (forwarder.inFlight === 0 && (traces.inFlight ?? 0) === 0) return { forwarder, traces, value: read() };
        if (Date.now() - started > 10_000) throw new Error('the transports never had nothing in flight for 10 s');
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
    async transportsIdle(timeoutMs = 30_000) {
      await agent.transport.idle();
      const apm = (): Record<string, unknown> => ((agent.status().components.apm as { transport?: Record<string, unknown> }).transport ?? { queuedPayloads: 0, inFlight: 0 });
      await until(() => apm().queuedPayloads === 0 && apm().inFlight === 0, timeoutMs, 'the trace transport to drain');
      await agent.transport.idle();
    },
    async close() {
      if (!stopped) {
        stopped = true;
        await agent.stop(Date.now() + 3_000);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


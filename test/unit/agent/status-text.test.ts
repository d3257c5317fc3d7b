// `agent status` text from status documents built by hand: the Agent 7 layout line by line,
// and a renderer that skips what a component no longer reports instead of failing.
import { describe, expect, it } from 'vitest';
import { health } from '../../../src/agent/ipc/health.js';
import { difference, MinuteWindow } from '../../../src/agent/ipc/minute-window.js';
import { formatTitle } from '../../../src/agent/ipc/status-format.js';
import { renderStatusText, type AgentStatus } from '../../../src/agent/ipc/status-text.js';

const T0 = Date.UTC(2026, 0, 5, 11, 25, 15);

function document(components: AgentStatus['components'], extra: Partial<AgentStatus> = {}): AgentStatus {
  return {
    version: '0.1.0',
    flavor: 'builtin',
    pid: 4242,
    uptimeSeconds: 75,
    hostname: 'shop.web.1',
    tags: ['dyno:web.1', 'team:core'],
    apiKey: `${'*'.repeat(27)}89abc`,
    endpoint: 'https://0-1-0-app.agent.datadoghq.com',
    healthy: true,
    configProblems: [],
    components,
    statusDate: new Date(T0 + 75_000).toISOString(),
    agentStart: new Date(T0).toISOString(),
    logLevel: 'info',
    confFile: '/app/.apt/etc/datadog-agent/datadog.yaml',
    confdPath: '/app/.apt/etc/datadog-agent/conf.d',
    checksdPath: '/app/.apt/etc/datadog-agent/checks.d',
    nodeVersion: 'v22.11.0',
    buildArch: 'amd64',
    socketHostname: '3f2c9a1e-7b7d-4c5e-9d1a-2b7c1e0f9a11',
    ...extra,
  };
}

const FULL = {
  collector: {
    runningChecks: {
      redisdb: [
        {
          id: 'redisdb:8c2e1f0a9b3d4e5',
          source: 'file:/app/.apt/etc/datadog-agent/conf.d/redisdb.d/conf.yaml',
          state: 'OK',
          totalRuns: 5,
          metricSamples: { lastRun: 30, total: 150 },
          events: { lastRun: 0, total: 0 },
          serviceChecks: { lastRun: 1, total: 5 },
          averageExecutionMs: 8,
          lastExecutionMs: 7,
          lastExecutionDate: new Date(T0 + 60_000).toISOString(),
          lastSuccessfulExecutionDate: new Date(T0 + 60_000).toISOString(),
        },
      ],
    },
    configErrors: [],
    loadingErrors: [],
  },
  aggregator: { contexts: 12, openBuckets: 1, counterContextsZeroFilled: 2, flushes: 5, seriesFlushed: 160, sketchesFlushed: 1, serviceChecksFlushed: 6, eventsFlushed: 1, timestampedSamples: 0, flushIntervalMs: 15_000, itemsTooBigDropped: 0 },
  apm: {
    enabled: true,
    running: true,
    receiver: { host: '127.0.0.1', port: 8126, requests: { '/v0.4/traces': 3 }, refusedOverload: 0, bufferedBytes: 0, peakBufferedBytes: 900, activeRequests: 0 },
    receivedByLanguage: { ruby: { payloads: 3, traces: 4, spans: 9, bytes: 2345 } },
    dropped: { trace_id_zero: 1 },
    keptByDecision: {},
    clientStatsPayloads: 0,
    rateByService: { 'service:,env:': 1, 'service:shop,env:prod': 0.5 },
    targetTps: 10,
    writer: { payloads: 2, bytes: 1500, spans: 9, traces: 4, encodeErrors: 0, bufferedBytes: 0, bufferedTraces: 0 },
    stats: { payloads: 1, buckets: 2, clientPayloads: 0, clientPayloadsDropped: 0, droppedGroups: 0 },
    transport: { endpoint: 'https://trace.agent.datadoghq.com', payloadsSent: 3, errors: 0, droppedByStatus: {} },
  },
  dogstatsd: {
    udp: '127.0.0.1:8125',
    udpReceiveBufferBytes: 4194304,
    udpRelayPid: 4300,
    udpRelayRestarts: 0,
    unixSocket: 'disabled',
    packets: 1200,
    bytes: 48000,
    udsPackets: 0,
    udsBytes: 0,
    readErrors: 0,
    truncatedPackets: 0,
    metricSamples: 1234,
    metricParseErrors: 2,
    events: 1,
    eventParseErrors: 0,
    serviceChecks: 3,
    serviceCheckParseErrors: 0,
  },
  forwarder: {
    endpoint: 'https://0-1-0-app.agent.datadoghq.com',
    payloadsSent: 13,
    bytesSent: 9000,
    retries: 2,
    evicted: 0,
    droppedAtDeadline: 0,
    errors: 2,
    droppedByStatus: {},
    sentByKind: { series: 5, sketches: 1, service_checks: 6, events: 1 },
    queuedPayloads: 0,
    queuedBytes: 0,
    inFlight: 0,
    lastError: 'HTTP 503 on /api/v1/series',
  },
  ipc: { address: '127.0.0.1:5001' },
};

const MINUTE = {
  from: new Date(T0).toISOString(),
  to: new Date(T0 + 60_000).toISOString(),
  counters: { receiver: { ruby: { payloads: 3, traces: 4, spans: 9, bytes: 2345 } }, writer: { payloads: 2, traces: 4, spans: 9, bytes: 1500 }, stats: { payloads: 1, buckets: 2 } },
};

describe('agent status text', () => {
  it('frames the header and every section as the Agent 7 does, in its order', () => {
    const text = renderStatusText(document(FULL, { previousMinute: MINUTE }));
    expect(text).toBe(`==============
Agent (v0.1.0)
==============
  Status date: 2026-01-05 11:26:30 UTC (${T0 + 75_000})
  Agent start: 2026-01-05 11:25:15 UTC (${T0})
  Pid: 4242
  Node Version: v22.11.0
  Build arch: amd64
  Agent flavor: builtin
  Log Level: info

  Paths
  =====
    Config File: /app/.apt/etc/datadog-agent/datadog.yaml
    conf.d: /app/.apt/etc/datadog-agent/conf.d
    checks.d: /app/.apt/etc/datadog-agent/checks.d

========
Hostname
========

  hostname: shop.web.1
  socket-hostname: 3f2c9a1e-7b7d-4c5e-9d1a-2b7c1e0f9a11
  host tags:
    dyno:web.1
    team:core

=========
Collector
=========

  Running Checks
  ==============
    
    redisdb
    -------
      Instance ID: redisdb:8c2e1f0a9b3d4e5 [OK]
      Configuration Source: file:/app/.apt/etc/datadog-agent/conf.d/redisdb.d/conf.yaml
      Total Runs: 5
      Metric Samples: Last Run: 30, Total: 150
      Events: Last Run: 0, Total: 0
      Service Checks: Last Run: 1, Total: 5
      Average Execution Time : 8ms
      Last Execution Date : 2026-01-05 11:26:15 UTC (${T0 + 60_000})
      Last Successful Execution Date : 2026-01-05 11:26:15 UTC (${T0 + 60_000})
      

==========
Aggregator
==========

  Checks Metric Sample: 150
  Dogstatsd Metric Sample: 1,234
  Event: 1
  Events Flushed: 1
  Number Of Flushes: 5
  Series Flushed: 160
  Service Check: 8
  Service Checks Flushed: 6
  Sketches Flushed: 1
  Contexts: 12
  Counter Contexts Zero Filled: 2
  Flush Interval: 15s
  Items Too Big Dropped: 0
  Open Buckets: 1
  Timestamped Samples: 0

=========
APM Agent
=========

  Status: Running
  Pid: 4242
  Uptime: 75 seconds
  Hostname: shop.web.1
  Receiver: 127.0.0.1:8126
  Endpoints:
    https://trace.agent.datadoghq.com

  Receiver (previous minute)
  ==========================
    From ruby
      Traces received: 4 (2,345 bytes)
      Spans received: 9
      
    Default priority sampling rate: 100.0%
    Priority sampling rate for 'service:shop,env:prod': 50.0%

  Writer (previous minute)
  ========================
    Traces: 2 payloads, 4 traces, 1,500 bytes
    Stats: 1 payloads, 2 stats buckets

  Since start
  ===========
    Traces dropped: trace_id_zero: 1
    Payloads refused (overloaded): 0
    Client stats payloads: 0
    Payloads sent to the intake: 3

=========
DogStatsD
=========

  Event Packets: 1
  Event Parse Errors: 0
  Metric Parse Errors: 2
  Service Check Packets: 3
  Service Check Parse Errors: 0
  Truncated Packets: 0
  Udp Bytes: 48,000
  Udp Listening: 127.0.0.1:8125
  Udp Packet Reading Errors: 0
  Udp Packets: 1,200
  Udp Receive Buffer Bytes: 4,194,304
  Udp Relay Pid: 4300
  Udp Relay Restarts: 0
  Uds Bytes: 0
  Uds Listening: disabled
  Uds Packets: 0

=========
Endpoints
=========

  https://0-1-0-app.agent.datadoghq.com - API Key ending with:
      - 89abc

=========
Forwarder
=========

  Transactions
  ============
    Dropped: 0
    DroppedAtStop: 0
    DroppedOnRetryQueueFull: 0
    InFlight: 0
    Requeued: 2
    RetryQueueBytes: 0
    RetryQueueSize: 0

  Transaction Successes
  =====================
    Total number: 13
    Successes By Endpoint:
      check_run_v1: 6
      intake: 1
      series_v1: 5
      sketches_v2: 1

  Transaction Errors
  ==================
    Total number: 2
    Last error: HTTP 503 on /api/v1/series

  API Keys status
  ===============
    API key ending with 89abc: API Key valid

`);
  });

  it('shows Metric Packets once the DogStatsD server counts messages, and a 403 as an invalid key', () => {
    const components = {
      ...FULL,
      dogstatsd: { ...FULL.dogstatsd, metricPackets: 1100 },
      forwarder: { ...FULL.forwarder, payloadsSent: 0, sentByKind: {}, droppedByStatus: { '403': 4 }, errors: 0, retried: 1 },
    };
    const text = renderStatusText(document(components));
    expect(text).toContain('\n  Metric Packets: 1,100\n  Metric Parse Errors: 2\n');
    expect(text).toContain('  Transactions\n  ============\n    Dropped: 4\n    DroppedAtStop: 0\n    DroppedOnRetryQueueFull: 0\n    InFlight: 0\n    Requeued: 2\n    Retried: 1\n');
    expect(text).toContain('\n  HTTP Errors\n  ==================\n    HTTP Errors By Code:\n      403: 4\n');
    expect(text).toContain('\n  API Keys errors\n  ===============\n    API key ending with 89abc: API Key invalid\n');
    expect(text).not.toContain('Transaction Successes');
    // No minute has closed: nothing is said of the previous one.
    expect(text).toContain('  Receiver (previous minute)\n  ==========================\n    No minute has closed yet since the agent started.\n');
  });

  it('says so when the trace agent is disabled or could not listen, and when no key is set', () => {
    const off = renderStatusText(document({ ...FULL, apm: { enabled: false } }, { apiKey: '(not set)' }));
    expect(off).toContain('=========\nAPM Agent\n=========\n\n\n  Status: Not running\n  Error: APM is disabled (DD_APM_ENABLED=false)\n\n');
    expect(off).toContain('=========\nEndpoints\n=========\n\n\nNo endpoints information. The agent may be misconfigured.\n\n');
    const failed = renderStatusText(document({ ...FULL, apm: { enabled: true, running: false, error: 'cannot listen on 127.0.0.1:8126: EADDRINUSE' } }));
    expect(failed).toContain('  Status: Not running\n  Error: cannot listen on 127.0.0.1:8126: EADDRINUSE\n');
  });

  it('lists config file problems under Paths and has no config file line to invent', () => {
    const { confFile: _omit, ...rest } = document(FULL);
    const text = renderStatusText({ ...rest, configProblems: ['DD_DOGSTATSD_PORT: "x" is not a port'] });
    expect(text).toContain('    Config File: There is no config file\n');
    expect(text).toContain('\n  Config File Errors\n  ==================\n    - DD_DOGSTATSD_PORT: "x" is not a port\n');
  });

  it('renders what it can of components whose fields were renamed or dropped, and sections for new ones', () => {
    const broken = {
      collector: { runningChecks: {}, configErrors: [], loadingErrors: [] },
      aggregator: { contexts: 'many', flushes: null, brandNewCap: 3 },
      apm: { enabled: true, running: true, receiver: 'gone', writer: 7, rateByService: [1, 2] },
      dogstatsd: { packets: '12', samplesDroppedByCap: 9 },
      forwarder: { sentByKind: 'x', droppedByStatus: null, retriesPerSecond: 2 },
      otlp: { enabled: true, receivers: 'gone', metrics: 3 },
      logs: { enabled: true, endpoint: 'agent-http-intake', lines: 4, nested: { a: 1 } },
    };
    const text = renderStatusText(document(broken as unknown as AgentStatus['components'], { tags: undefined as unknown as string[] }));
    expect(text).toContain('==========\nAggregator\n==========\n\n  Brand New Cap: 3\n\n');
    expect(text).toContain('=========\nDogStatsD\n=========\n\n  Samples Dropped By Cap: 9\n\n');
    expect(text).toContain('  Transactions\n  ============\n    RetriesPerSecond: 2\n');
    expect(text).toContain('====\nLogs\n====\n\n  Enabled: true\n  Endpoint: agent-http-intake\n  Lines: 4\n\n');
    expect(text.indexOf('Forwarder\n')).toBeLessThan(text.indexOf('Logs\n'));
    expect(text).toContain('====\nOTLP\n====\n\n  Status: Enabled\n  Collector status: Not running\n');
    expect(text).toContain('  Status: Running\n  Pid: 4242\n');
  });

  it('formats counter names as the DogStatsD template does', () => {
    expect(formatTitle('UdpPacketReadingErrors')).toBe('Udp Packet Reading Errors');
    expect(formatTitle('udpRelayRestarts')).toBe('Udp Relay Restarts');
    expect(formatTitle('otlp')).toBe('Otlp');
  });
});

describe('previous minute', () => {
  it('is the difference of two readings a minute apart, and nothing before the first closes', () => {
    let now = T0;
    let counters = { receiver: { ruby: { traces: 2 } }, writer: { payloads: 1 } };
    const window = new MinuteWindow(() => counters, () => now);
    expect(window.previous()).toBeUndefined();
    now += 60_000;
    window.roll();
    expect(window.previous()).toEqual({ from: new Date(T0).toISOString(), to: new Date(T0 + 60_000).toISOString(), counters: { receiver: { ruby: { traces: 2 } }, writer: { payloads: 1 } } });
    counters = { receiver: { ruby: { traces: 5 } }, writer: { payloads: 1 } };
    now += 60_000;
    window.roll();
    expect(window.previous()!.counters).toEqual({ receiver: { ruby: { traces: 3 } }, writer: { payloads: 0 } });
    expect(difference({ a: { b: 4 } }, {})).toEqual({ a: { b: 4 } });
  });
});

describe('agent health', () => {
  it('names the components that say a listener is unavailable or that are enabled but not running', () => {
    expect(health({ dogstatsd: { udp: 'unavailable: EADDRINUSE' }, apm: { enabled: true, running: false }, forwarder: {}, collector: {} })).toEqual({
      Healthy: ['collector', 'forwarder'],
      Unhealthy: ['apm', 'dogstatsd'],
    });
    expect(health({ apm: { enabled: false }, ipc: { address: '127.0.0.1:5001' } })).toEqual({ Healthy: ['apm', 'ipc'], Unhealthy: [] });
  });
});

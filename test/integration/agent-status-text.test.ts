// `agent status` of an in-process built-in agent (the TypeScript, not lib/) after real check,
// DogStatsD, trace and forwarder traffic: each section of the text checked against the Agent 7
// layout (its title, its frame, its labels) with the values this test sent.
import { encode } from '@msgpack/msgpack';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { TraceAgent } from '../../src/agent/apm/index.js';
import type { CheckDefinition } from '../../src/agent/checks/check.js';
import { readAuthToken } from '../../src/agent/ipc/auth-token.js';
import { ipcGet } from '../../src/agent/ipc/client.js';
import { renderStatusText } from '../../src/agent/ipc/status-text.js';
import { API_KEY, HOST, startHarness, until, type Harness } from './agent-harness.js';
import { post, span } from './apm-harness.js';

let harness: Harness | undefined;
let confd: string | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  if (confd !== undefined) rmSync(confd, { recursive: true, force: true });
  confd = undefined;
});

/** A check that submits two gauges and one service check per run. */
const shop: CheckDefinition = {
  name: 'shop',
  create: () => ({
    async run(sender) {
      sender.gauge('shop.queue_depth', 7);
      sender.gauge('shop.workers', 2);
      sender.serviceCheck('shop.can_connect', 0);
    },
  }),
};

/** `{ title: body }` of every `===\nTitle\n===` section, in order. */
function sections(text: string): [string, string][] {
  const frame = /^(=+)\n(.+)\n\1\n/gm;
  const found: { title: string; start: number; end: number }[] = [];
  for (let m = frame.exec(text); m !== null; m = frame.exec(text)) {
    expect(m[1]!.length, `frame of ${m[2]}`).toBe([...m[2]!].length);
    found.push({ title: m[2]!, start: m.index, end: m.index + m[0].length });
  }
  return found.map((f, i) => [f.title, text.slice(f.end, found[i + 1]?.start ?? text.length)]);
}

it('reads like the Agent 7 status, section by section, with the figures of the traffic sent', async () => {
  // Nothing listens on port 9 of the loopback: no trace leaves the machine.
  harness = await startHarness({ env: { DD_TAGS: 'team:core', DD_ENV: 'prod', DD_APM_DD_URL: 'http://127.0.0.1:9' }, options: { implicitChecks: [shop] } });
  const h = harness;
  const apm = h.agent.components.find((c) => c.name === 'apm') as TraceAgent;
  // The runner runs the check once at start; one more run by hand (the next is 15 s away).
  await until(() => h.agent.checks.runners[0]?.stats.totalRuns === 1, 5_000, 'the first check run');
  await h.agent.checks.runAll();
  const datagrams = ['orders:1|c|#shop:main', 'orders:2|c|#shop:main', 'basket:1:2:3|h', 'not a metric', '_e{6,4}:deploy|v1.2', '_sc|shop.up|0'];
  await h.send(...datagrams);
  const bytes = datagrams.reduce((n, d) => n + Buffer.byteLength(d), 0);
  const body = encode([[span({ service: 'shop', meta: { env: 'prod' } })], [span({ service: 'shop', trace_id: 2n, span_id: 2n, meta: { env: 'prod' } })]], { useBigInt64: true });
  expect((await post(apm.port, '/v0.4/traces', body, { 'Datadog-Meta-Lang': 'ruby' })).status).toBe(200);
  h.closeBucket();
  await h.flush();
  // The trace writer flushes on its own timer (5 s).
  await until(() => ((h.agent.status().components.apm!.writer as { payloads: number }).payloads ?? 0) >= 1, 10_000, 'the trace writer');
  h.agent.ipc.rollMinute();

  const doc = h.agent.ipc.document();
  const text = renderStatusText(doc);
  const titles = sections(text).map(([t]) => t);
  expect(titles).toEqual(['Agent (v0.1.0)', 'Hostname', 'Collector', 'Aggregator', 'APM Agent', 'DogStatsD', 'Endpoints', 'Forwarder', 'OTLP']);
  // No OTLP endpoint set: the section says so, as the Agent's does.
  expect(sections(text).find(([t]) => t === 'OTLP')?.[1]).toBe('\n  Status: Not enabled\n\n');
  const body_ = Object.fromEntries(sections(text));

  expect(body_['Agent (v0.1.0)']).toMatch(/^  Status date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? UTC \(\d+\)\n  Agent start: .* UTC \(\d+\)\n  Pid: \d+\n  Node Version: v\d+\.\d+\.\d+\n  Build arch: \w+\n  Agent flavor: builtin\n  Log Level: info\n\n  Paths\n  =====\n    Config File: .*datadog\.yaml\n    conf\.d: .*conf\.d\n    checks\.d: .*checks\.d\n\n$/);
  expect(body_.Hostname).toMatch(new RegExp(`^\\n  hostname: ${HOST}\\n  socket-hostname: .+\\n  host tags:\\n    team:core\\n    env:prod\\n\\n$`));

  expect(body_.Collector).toContain('\n  Running Checks\n  ==============\n    \n    shop\n    ----\n      Instance ID: shop [OK]\n      Configuration Source: builtin\n      Total Runs: 2\n      Metric Samples: Last Run: 2, Total: 4\n      Events: Last Run: 0, Total: 0\n      Service Checks: Last Run: 1, Total: 2\n      Average Execution Time : ');

  const aggregator = doc.components.aggregator!;
  expect(body_.Aggregator).toContain(`\n  Checks Metric Sample: 4\n  Dogstatsd Metric Sample: 5\n  Event: 1\n  Events Flushed: 1\n  Number Of Flushes: ${aggregator.flushes}\n  Series Flushed: ${aggregator.seriesFlushed}\n  Service Check: 3\n  Service Checks Flushed: ${aggregator.serviceChecksFlushed}\n`);
  // The built-in aggregator's own counters follow, sorted, whatever their number.
  expect(body_.Aggregator).toMatch(/\n  Counter Contexts Zero Filled: 1\n(.*\n)*  Flush Interval: 1h0m0s\n/);

  expect(body_['APM Agent']).toMatch(new RegExp(`^\\n  Status: Running\\n  Pid: ${process.pid}\\n  Uptime: \\d+ seconds\\n  Hostname: ${HOST}\\n  Receiver: 127\\.0\\.0\\.1:${apm.port}\\n  Endpoints:\\n    http://127\\.0\\.0\\.1:9\\n\\n  Receiver \\(previous minute\\)\\n  =+\\n`));
  expect(body_['APM Agent']).toContain(`    From ruby\n      Traces received: 2 (${body.length} bytes)\n      Spans received: 2\n`);
  expect(body_['APM Agent']).toContain("    Priority sampling rate for 'service:shop,env:prod': 100.0%\n");
  expect(body_['APM Agent']).toMatch(/\n  Writer \(previous minute\)\n  ========================\n    Traces: 1 payloads, 2 traces, [\d,]+ bytes\n    Stats: \d+ payloads, \d+ stats buckets\n/);

  // Three metric messages read whole (one of them three samples), one refused.
  expect(body_.DogStatsD).toContain('\n  Event Packets: 1\n  Event Parse Errors: 0\n  Metric Packets: 3\n  Metric Parse Errors: 1\n  Service Check Packets: 1\n  Service Check Parse Errors: 0\n');
  expect(body_.DogStatsD).toContain(`\n  Udp Bytes: ${bytes}\n`);
  expect(body_.DogStatsD).toMatch(/\n  Udp Packet Reading Errors: 0\n  Udp Packets: 6\n/);
  expect(body_.DogStatsD).toMatch(/\n  Uds Bytes: 0\n  Uds Listening: disabled\n  Uds Packets: 0\n/);

  expect(body_.Endpoints).toBe(`\n  ${h.intake.url.replace(/\/$/, '')} - API Key ending with:\n      - ${API_KEY.slice(-5)}\n\n`);
  const sent = doc.components.forwarder!.payloadsSent as number;
  // series, check runs and events; a histogram is series, not sketches.
  expect(sent).toBe(3);
  // Transactions: the Agent's counters, sorted, between the forwarder's own (whatever it adds).
  expect(body_.Forwarder).toMatch(/^\n  Transactions\n  ============\n    Dropped: 0\n(    [A-Z]\w*: [\d,]+\n)*    Requeued: 0\n(    [A-Z]\w*: [\d,]+\n)*    RetryQueueSize: 0\n(    [A-Z]\w*: [\d,]+\n)*\n  Transaction Successes\n/);
  expect(body_.Forwarder).toContain(`
  Transaction Successes
  =====================
    Total number: 3
    Successes By Endpoint:
      check_run_v1: 1
      intake: 1
      series_v1: 1

  API Keys status
  ===============
    API key ending with ${API_KEY.slice(-5)}: API Key valid

`);
  expect(text).not.toContain(API_KEY);

  // Served over IPC, text and JSON come from the same document.
  const token = readAuthToken(h.agent.settings.authTokenPath)!;
  const served = await ipcGet(h.agent.ipc.port, token, '/agent/status?format=text');
  expect(sections(served.body).map(([t]) => t)).toEqual(titles);
  const json = JSON.parse((await ipcGet(h.agent.ipc.port, token, '/agent/status?format=json')).body) as typeof doc;
  expect(json.previousMinute!.counters).toMatchObject({ receiver: { ruby: { traces: 2, spans: 2, bytes: body.length } }, writer: { payloads: 1, traces: 2 } });
  expect(json).toMatchObject({ logLevel: 'info', nodeVersion: process.version, flavor: 'builtin' });
}, 20_000);

it('shows a bad conf.d file under Config Errors and an unknown check under Loading Errors', async () => {
  confd = mkdtempSync(join(tmpdir(), 'status-confd-'));
  writeFileSync(join(confd, 'broken.yaml'), 'instances:\n  - host: [unclosed\n');
  mkdirSync(join(confd, 'nosuchcheck.d'));
  writeFileSync(join(confd, 'nosuchcheck.d', 'conf.yaml'), 'instances:\n  - {}\n');
  harness = await startHarness({ yaml: `log_level: info\nconfd_path: ${confd}\n` });
  const text = renderStatusText(harness.agent.ipc.document());
  const collector = Object.fromEntries(sections(text)).Collector!;
  expect(collector).toMatch(/\n  Config Errors\n  ==============\n    broken\n    ------\n      .*broken\.yaml: invalid YAML/);
  expect(collector).toMatch(/\n  Loading Errors\n  ==============\n    nosuchcheck\n    -----------\n      Built-in Check Loader:\n        the built-in agent has no check "nosuchcheck"/);
  expect(text).toContain(`    conf.d: ${confd}\n`);
});

it('reports the API key as invalid when the intake answers 403', async () => {
  harness = await startHarness();
  harness.intake.always('*', 403);
  await harness.send('refused:1|c');
  harness.closeBucket();
  await harness.flush();
  const forwarder = Object.fromEntries(sections(renderStatusText(harness.agent.ipc.document()))).Forwarder!;
  expect(forwarder).toMatch(/^\n  Transactions\n  ============\n    Dropped: [1-9]\d*\n/);
  expect(forwarder).toMatch(/\n  HTTP Errors\n  ==================\n    HTTP Errors By Code:\n      403: [1-9]\d*\n/);
  expect(forwarder).toContain(`\n  API Keys errors\n  ===============\n    API key ending with ${API_KEY.slice(-5)}: API Key invalid\n`);
  expect(forwarder).not.toContain('Transaction Successes');
  expect(forwarder).not.toContain('API Key valid');
});

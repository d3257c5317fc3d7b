// The trace agent inside `agent run`'s composition: its section in the IPC status, JSON and text.
import { encode } from '@msgpack/msgpack';
import { afterEach, expect, it } from 'vitest';
import type { TraceAgent } from '../../src/agent/apm/index.js';
import { renderStatusText } from '../../src/agent/ipc/status-text.js';
import { startHarness, type Harness } from './agent-harness.js';
import { post, span } from './apm-harness.js';

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
});

it('shows traces received per language, drops and sampling rates in agent status', async () => {
  // Nothing listens on port 9 of the loopback: no trace leaves the machine.
  harness = await startHarness({ env: { DD_APM_DD_URL: 'http://127.0.0.1:9', DD_ENV: 'prod' } });
  const apm = harness.agent.components.find((c) => c.name === 'apm') as TraceAgent;
  expect(apm.port).toBeGreaterThan(0);
  const body = encode([[span({ service: 'shop', meta: { env: 'prod' } })], [span({ trace_id: 0n })]], { useBigInt64: true });
  expect((await post(apm.port, '/v0.4/traces', body, { 'Datadog-Meta-Lang': 'ruby' })).status).toBe(200);
  expect((await post(apm.port, '/v0.4/traces', 'garbage')).status).toBe(400);

  const status = harness.agent.status();
  expect(status.components.apm).toMatchObject({
    enabled: true,
    running: true,
    receivedByLanguage: { ruby: { payloads: 1, traces: 2, spans: 2, bytes: body.length } },
    dropped: { trace_id_zero: 1, decoding_error: 1 },
    rateByService: { 'service:shop,env:prod': 1 },
  });
  harness.agent.ipc.rollMinute();
  const text = renderStatusText(harness.agent.ipc.document());
  expect(text).toContain('=========\nAPM Agent\n=========\n\n  Status: Running\n');
  expect(text).toContain(`    From ruby\n      Traces received: 2 (${body.length} bytes)\n      Spans received: 2\n`);
  expect(text).toContain("    Priority sampling rate for 'service:shop,env:prod': 100.0%\n");
  expect(text).toMatch(/    Traces dropped: decoding_error: 1, trace_id_zero: 1\n/);
  expect(text).not.toContain('abcdef0123456789abcdef0123456789');
});

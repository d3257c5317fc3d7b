// `agent run` (lib/agent.js) as a dyno runs it: traces still buffered in the writer when SIGTERM
// arrives are delivered before the process exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '@msgpack/msgpack';
import { afterEach, expect, it } from 'vitest';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { freePort } from './agent-harness.js';
import { API_KEY, post, span, spansOf, until } from './apm-harness.js';

const AGENT = fileURLToPath(new URL('../../lib/agent.js', import.meta.url));

let intake: RecordingIntake | undefined;
let dir: string | undefined;

afterEach(async () => {
  await intake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('delivers buffered traces on SIGTERM, then exits 0', async () => {
  intake = await startRecordingIntake();
  dir = mkdtempSync(join(tmpdir(), 'apm-sigterm-'));
  const [apmPort, statsdPort, cmdPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, 'datadog.yaml'), `hostname: sigterm-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\n`);
  const child = spawn(process.execPath, [AGENT, 'run', '-c', join(dir, 'datadog.yaml')], {
    env: { PATH: process.env.PATH, DD_API_KEY: API_KEY, DD_DD_URL: intake.url, DD_APM_DD_URL: intake.url, DD_APM_RECEIVER_PORT: String(apmPort), DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await until(() => output.includes('APM receiver listening'));

  const traces = Array.from({ length: 30 }, (_, i) => [span({ trace_id: BigInt(1000 + i), span_id: BigInt(1000 + i), service: 'checkout' })]);
  expect((await post(apmPort, '/v0.4/traces', encode(traces, { useBigInt64: true }))).status).toBe(200);
  // The writer flushes every 5 s: these traces are still buffered now.
  expect(spansOf(intake)).toHaveLength(0);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  const spans = spansOf(intake);
  expect(spans).toHaveLength(30);
  expect(new Set(spans.map((s) => s.host))).toEqual(new Set(['sigterm-host']));
  expect(intake.accepted('/api/v0.2/stats').length).toBeGreaterThan(0);
  expect(output).not.toContain(API_KEY);
});

// `agent run` after an uncaught exception or an unhandled rejection: it logs the error, flushes what
// it holds within a short deadline and returns 1, for the supervisor to restart it; a second error
// while stopping is logged only.
import { EventEmitter } from 'node:events';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/agent/commands/args.js';
import { runCommand } from '../../src/agent/commands/run.js';
import { memoryIo } from '../../src/io.js';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { API_KEY, freePort, until } from './agent-harness.js';

let dir: string | undefined;
let intake: RecordingIntake | undefined;
afterEach(async () => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  await intake?.close();
  intake = undefined;
});

describe('agent run after an uncaught error', () => {
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    it(`${event}: logged, what the agent holds is flushed, exit code 1`, async () => {
      intake = await startRecordingIntake();
      dir = mkdtempSync(join(tmpdir(), 'agent-uncaught-'));
      const [statsdPort, cmdPort] = [await freePort(), await freePort()];
      const config = join(dir, 'datadog.yaml');
      writeFileSync(config, `hostname: uncaught-host\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\n`);
      const io = memoryIo();
      const events = new EventEmitter();
      const env = { DD_API_KEY: API_KEY, DD_DD_URL: intake.url, DD_APM_ENABLED: 'false', DD_DISABLE_HOST_METRICS: 'true', DD_LOG_LEVEL: 'info', PATH: process.env.PATH };
      const exit = runCommand({ ...parseArgs(['run', '-c', config]), configPath: config }, env, io, events);
      await until(() => io.out().includes('built-in agent running as'), 10_000, 'the agent');
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => socket.send('uncaught.last:3|c', statsdPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      socket.close();
      await new Promise((r) => setTimeout(r, 300));
      const error = new Error('a bug in a check');
      events.emit(event, error, Promise.resolve());
      events.emit(event, new Error('a second one'));
      expect(await exit).toBe(1);
      const out = io.out();
      expect(out).toContain(`| ERROR | ${event === 'uncaughtException' ? 'uncaught exception' : 'unhandled rejection'}: Error: a bug in a check`);
      expect(out).toContain('while stopping: Error: a second one');
      expect(out).toContain('stopping after an uncaught error: flushing within 5000 ms, then exiting 1 to be restarted');
      const series = intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: { metric: string; points: [number, number][]; interval?: number }[] }>().series);
      const last = series.filter((s) => s.metric === 'uncaught.last');
      expect(last.reduce((sum, s) => sum + s.points.reduce((a, [, v]) => a + v * (s.interval || 1), 0), 0)).toBeCloseTo(3);
    });
  }
});

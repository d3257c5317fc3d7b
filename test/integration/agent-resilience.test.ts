// What must not stop the agent: the IPC port taken, a DD_DOGSTATSD_SOCKET path that is a file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startHarness, type Harness } from './agent-harness.js';

describe('agent resilience', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('runs without its status API when DD_CMD_PORT is taken, and keeps a file in the socket path', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'agent-resilience-'));
    const notASocket = join(dir, 'dsd.socket');
    writeFileSync(notASocket, 'precious');
    try {
      h = await startHarness({
        env: { DD_APM_ENABLED: 'false', DD_CMD_PORT: String(taken), DD_DOGSTATSD_PORT: String(await freePort()), DD_DOGSTATSD_SOCKET: notASocket },
        options: { ephemeralPorts: false },
      });
      const status = h.agent.status();
      expect(status.components.ipc).toEqual({ address: 'unavailable: EADDRINUSE' });
      expect(status.components.dogstatsd!.unixSocket).toMatch(/^unavailable: /);
      expect(h.logs.some((l) => /ipc: cannot listen .*EADDRINUSE.*metrics still flow/.test(l))).toBe(true);
      await h.send('still.works:1|g');
      h.closeBucket();
      await h.flush();
      expect(h.series().some((s) => s.metric === 'still.works')).toBe(true);
      await h.close();
      h = undefined;
      expect(existsSync(notASocket) && readFileSync(notASocket, 'utf8')).toBe('precious');
    } finally {
      squatter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

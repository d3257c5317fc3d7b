// `agent-wrapper stop`: SIGTERM to the supervisor, then wait for it (it stops the agents within 25 s).
import type { Io } from '../io.js';
import { SUPERVISOR_STOP_GRACE_MS } from '../constants.js';
import { slugPaths } from './paths.js';
import { isAlive, runningSupervisor } from './pid-file.js';

export async function stop(home: string, io: Io): Promise<number> {
  const pid = runningSupervisor(slugPaths(home));
  if (pid === undefined) {
    io.stdout.write('The Datadog agent supervisor is not running.\n');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + SUPERVISOR_STOP_GRACE_MS + 5_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) {
    io.stderr.write(`The Datadog agent supervisor (pid ${pid}) is still running after SIGTERM.\n`);
    return 1;
  }
  io.stdout.write(`The Datadog agent supervisor (pid ${pid}) stopped.\n`);
  return 0;
}

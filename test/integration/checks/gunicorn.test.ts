// The gunicorn check against a real gunicorn with three sync workers: counts compared with the
// master's children the test reads from /proc, a worker kept busy by a CPU-burning request, a
// worker killed and respawned, a master without workers, and the master stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRITICAL, CheckConfigError, OK } from '../../../src/agent/checks/check.js';
import { definition } from '../../../src/agent/checks/gunicorn/index.js';
import { METRICS, SERVICE_CHECKS } from '../../../src/agent/checks/gunicorn/metadata.js';
import { createLogger } from '../../../src/log.js';
import { runCheck, type CheckResults } from '../../helpers/check-harness.js';
import { childrenOf, startGunicorn, title, until, type GunicornServer } from '../../helpers/gunicorn-server.js';

const NAME = `dd-gunicorn-${randomBytes(3).toString('hex')}`;
const WORKERS = 3;
const APP_TAG = `app:${NAME}`;

function workers(results: CheckResults, state: 'working' | 'idle'): number {
  return results.value('gunicorn.workers', [APP_TAG, `state:${state}`]);
}

describe('gunicorn against a real arbiter', () => {
  let server: GunicornServer;

  beforeAll(async () => {
    server = await startGunicorn(NAME, WORKERS);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('counts the master children as idle or working workers and reports is_running OK', async () => {
    const results = await runCheck(definition, { proc_name: NAME, tags: ['team:web'] });
    expect(results.errors).toEqual([undefined]);
    const tags = [APP_TAG, 'team:web'];
    results.assertMetric('gunicorn.workers', { tags: [...tags, 'state:working'], type: 'gauge', count: 1 });
    results.assertMetric('gunicorn.workers', { tags: [...tags, 'state:idle'], type: 'gauge', count: 1 });
    // Idle sync workers wake up to heartbeat, so which state each is in may vary: their total may not.
    expect(workers(results, 'working') + workers(results, 'idle')).toBe(server.workers().length);
    expect(server.workers()).toHaveLength(WORKERS);
    results.assertServiceCheck('gunicorn.is_running', { status: OK, tags, message: '', count: 1 });
    expect(results.serviceChecks.every((c) => (SERVICE_CHECKS as readonly string[]).includes(c.check))).toBe(true);
    results.assertMetricsUsingMetadata(METRICS);
    results.assertMetadataCovered(METRICS);
    results.assertAllMetricsCovered();
  });

  it('sees a worker on the CPU for a request as working', async () => {
    const burning = server.get('/burn?s=1.5');
    // The request is taken once a worker's CPU time starts to grow.
    const before = new Map(server.workers().map((pid) => [pid, cpuTicks(pid)]));
    await until(() => server.workers().some((pid) => cpuTicks(pid) > (before.get(pid) ?? Infinity) + 5), 'a worker to start burning', 5_000);
    const results = await runCheck(definition, { proc_name: NAME });
    expect(workers(results, 'working')).toBeGreaterThanOrEqual(1);
    expect(workers(results, 'working') + workers(results, 'idle')).toBe(WORKERS);
    expect(await burning).toBe(200);
  });

  it('keeps counting three workers after one is killed and respawned', async () => {
    const [victim] = server.workers();
    process.kill(victim!, 'SIGKILL');
    await until(() => !server.workers().includes(victim!) && server.workers().length === WORKERS, 'gunicorn to respawn the worker');
    const results = await runCheck(definition, { proc_name: NAME });
    expect(workers(results, 'working') + workers(results, 'idle')).toBe(childrenOf(server.master).length);
    expect(childrenOf(server.master)).toHaveLength(WORKERS);
  });

  it('reports is_running CRITICAL and the run error once the master is stopped', async () => {
    await server.stop();
    expect(title(server.master)).toBe('');
    const results = await runCheck(definition, { proc_name: NAME });
    expect(results.errors[0]).toBe(`Found no master process with name: gunicorn: master [${NAME}]`);
    results.assertServiceCheck('gunicorn.is_running', { status: CRITICAL, tags: [APP_TAG], message: `No gunicorn process with name ${NAME} found, skipping worker metrics`, count: 1 });
    expect(results.series).toEqual([]);
  });
});

/** utime + stime of /proc/<pid>/stat, in ticks. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

describe('gunicorn without workers or settings', () => {
  const lonely = `dd-gunicorn-lonely-${randomBytes(3).toString('hex')}`;
  let master: ChildProcess;

  beforeAll(async () => {
    // A process titled as an arbiter that has no children.
    master = spawn('/bin/sleep', ['300'], { stdio: 'ignore', argv0: `gunicorn: master [${lonely}]` });
    await until(() => title(master.pid!) === `gunicorn: master [${lonely}]`, 'the lonely master');
  });

  afterAll(async () => {
    if (master.exitCode === null && master.signalCode === null) {
      const exited = new Promise((resolve) => master.once('exit', resolve));
      master.kill('SIGKILL');
      await exited;
    }
  });

  it('reports a master without workers CRITICAL with zero workers of each state', async () => {
    const results = await runCheck(definition, { proc_name: lonely });
    expect(results.errors).toEqual([undefined]);
    results.assertServiceCheck('gunicorn.is_running', { status: CRITICAL, tags: [`app:${lonely}`], message: `0 working and 0 idle workers for ${lonely}` });
    results.assertMetric('gunicorn.workers', { tags: [`app:${lonely}`, 'state:working'], value: 0, count: 1 });
    results.assertMetric('gunicorn.workers', { tags: [`app:${lonely}`, 'state:idle'], value: 0, count: 1 });
  });

  it('rejects an instance without proc_name', async () => {
    const logger = createLogger('CORE', 'off');
    expect(() => definition.create({ instance: {}, initConfig: {}, logger })).toThrow(CheckConfigError);
    expect(() => definition.create({ instance: { tags: ['a:b'] }, initConfig: {}, logger })).toThrow(/instance must specify: proc_name/);
    expect(() => definition.create({ instance: { proc_name: ['x'] }, initConfig: {}, logger })).toThrow(/proc_name must be a string/);
    const results = await runCheck(definition, {});
    expect(results.errors[0]).toMatch(/proc_name/);
  });
});

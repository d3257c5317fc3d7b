// `agent status [--json]` and `agent health`: ask the running agent over IPC.
import type { Io } from '../../io.js';
import { readAuthToken } from '../ipc/auth-token.js';
import { ipcGet } from '../ipc/client.js';
import { loadSettings } from '../settings.js';
import type { AgentArgs } from './args.js';

async function query(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io, path: string): Promise<{ status: number; body: string } | undefined> {
  const settings = loadSettings(args.configPath, env);
  const token = readAuthToken(settings.authTokenPath);
  if (token === undefined) {
    io.stderr.write(`Error: no auth token at ${settings.authTokenPath}: is the agent running (agent run -c <datadog.yaml>)?\n`);
    return undefined;
  }
  try {
    return await ipcGet(settings.cmdPort, token, path);
  } catch (error) {
    io.stderr.write(`Error: could not reach the agent on 127.0.0.1:${settings.cmdPort} (${(error as Error).message}); is it running?\n`);
    return undefined;
  }
}

export async function statusCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const res = await query(args, env, io, `/agent/status?format=${args.json ? 'json' : 'text'}`);
  if (res === undefined) return 1;
  if (res.status !== 200) {
    io.stderr.write(`Error: the agent answered HTTP ${res.status}: ${res.body}`);
    return 1;
  }
  io.stdout.write(args.json ? `${res.body}\n` : res.body);
  return 0;
}

/** As `agent health`: PASS or FAIL, then the components by state; unhealthy ones exit 255 as the Agent does. */
export async function healthCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const res = await query(args, env, io, '/agent/health');
  if (res === undefined) return 1;
  let health: { Healthy?: unknown; Unhealthy?: unknown; components?: unknown };
  try {
    health = JSON.parse(res.body) as typeof health;
  } catch {
    io.stderr.write(`Error: the agent answered HTTP ${res.status}: ${res.body}\n`);
    return 1;
  }
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  // An agent built before the Healthy/Unhealthy lists answers `components` only.
  const healthy = health.Healthy !== undefined ? list(health.Healthy) : list(health.components).sort();
  const unhealthy = list(health.Unhealthy);
  if (res.status !== 200 && unhealthy.length === 0) unhealthy.push('agent');
  io.stdout.write(`Agent health: ${unhealthy.length > 0 ? 'FAIL' : 'PASS'}\n`);
  if (healthy.length > 0) io.stdout.write(`=== ${healthy.length} healthy components ===\n${healthy.join(', ')}\n`);
  if (unhealthy.length === 0) return 0;
  io.stdout.write(`=== ${unhealthy.length} unhealthy components ===\n${unhealthy.join(', ')}\n`);
  io.stderr.write(`Error: found ${unhealthy.length} unhealthy components\n`);
  return 255;
}

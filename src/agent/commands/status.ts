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

export async function healthCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const res = await query(args, env, io, '/agent/health');
  if (res === undefined || res.status !== 200) {
    io.stdout.write('Agent health: FAIL\n');
    return 1;
  }
  const health = JSON.parse(res.body) as { components: string[] };
  io.stdout.write(`Agent health: PASS\n=== ${health.components.length} healthy components ===\n${health.components.join(', ')}\n`);
  return 0;
}

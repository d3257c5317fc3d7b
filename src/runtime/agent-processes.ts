// Which agent processes a dyno runs, and how each is started, from what bin/compile recorded (never by
// running `agent version`).
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildInfo } from '../build-info.js';
import { BUILTIN_AGENT_NODE_FLAGS } from '../constants.js';
import type { Config } from '../config/variables.js';
import { compareVersions } from '../installer/apt/versions.js';
import type { SlugPaths } from './paths.js';

export interface AgentProcess {
  /** Prefix of its log lines: `agent`, `trace-agent`, `process-agent`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The file that must be in the slug for it to run: the binary, or the script `command` runs. */
  readonly program: string;
  /** Started only once the core agent's auth_token exists (trace-agent exits without it, datadog-agent #394). */
  readonly needsAuthToken: boolean;
}

/** `>=` on the agent version, with the threshold picked by major version (6.x and 7.x share minors). */
function atLeast(version: string, minor: number): boolean {
  const major = version.split('.')[0] === '6' ? '6' : '7';
  return compareVersions(version, `${major}.${minor}.0`) >= 0;
}

function officialProcesses(info: BuildInfo, config: Config, paths: SlugPaths, warn: (message: string) => void): AgentProcess[] {
  const version = info.agentVersion ?? '7.0.0';
  const conf = paths.datadogYaml;
  const agent = join(paths.agentRoot, 'bin/agent/agent');
  const processes: AgentProcess[] = [
    { name: 'agent', command: agent, program: agent, args: [atLeast(version, 4) ? 'run' : 'start', '-c', conf], needsAuthToken: false },
  ];
  const traceAgent = join(paths.agentRoot, 'embedded/bin/trace-agent');
  if (config.DD_APM_ENABLED) {
    if (existsSync(traceAgent)) {
      processes.push({ name: 'trace-agent', command: traceAgent, program: traceAgent, args: [atLeast(version, 48) ? '--config' : '-config', conf], needsAuthToken: true });
    } else {
      warn('DD_APM_ENABLED is true but trace-agent was stripped at build time (DD_APM_ENABLED=false then): rebuild the slug to collect traces.');
    }
  }
  if (config.DD_PROCESS_AGENT && (version.startsWith('6.') || !atLeast(version, 68))) {
    const flag = atLeast(version, 36) ? '--cfgpath' : '--config';
    const standalone = join(paths.agentRoot, 'embedded/bin/process-agent');
    const combined = join(paths.agentRoot, 'bin/agent/process-agent');
    if (existsSync(standalone)) {
      processes.push({ name: 'process-agent', command: standalone, program: standalone, args: [flag, conf], needsAuthToken: true });
    } else if (atLeast(version, 52)) {
      // 7.52-7.67: the agent binary runs the process checks when called as process-agent.
      try {
        if (!existsSync(combined)) symlinkSync('agent', combined);
        processes.push({ name: 'process-agent', command: combined, program: combined, args: [flag, conf], needsAuthToken: true });
      } catch (error) {
        warn(`could not link process-agent to the agent binary: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    } else {
      warn('DD_PROCESS_AGENT is true but process-agent was stripped at build time: rebuild the slug with DD_PROCESS_AGENT=true.');
    }
  }
  return processes;
}

/** The processes to supervise; `node` runs the built-in agent (the node running this wrapper). */
export function agentProcesses(info: BuildInfo, config: Config, paths: SlugPaths, node: string, warn: (message: string) => void): AgentProcess[] {
  if (info.flavor === 'builtin') {
    const program = join(paths.libDir, 'agent.js');
    return [{ name: 'agent', command: node, program, args: [...BUILTIN_AGENT_NODE_FLAGS, program, 'run', '-c', paths.datadogYaml], needsAuthToken: false }];
  }
  return officialProcesses(info, config, paths, warn);
}

/** The command line of an agent subcommand (`status`, `check x`…) for the flavour, with `-c datadog.yaml`. */
export function agentCommand(info: BuildInfo, paths: SlugPaths, node: string, args: readonly string[]): { command: string; args: string[] } {
  const hasConfig = args.some((a) => a === '-c' || a === '--cfgpath' || a.startsWith('--cfgpath='));
  // -c right after the subcommand, so a `--` among the user's arguments cannot swallow it.
  const all = hasConfig || args.length === 0 ? [...args] : [args[0] as string, '-c', paths.datadogYaml, ...args.slice(1)];
  return info.flavor === 'builtin'
    ? { command: node, args: [join(paths.libDir, 'agent.js'), ...all] }
    : { command: join(paths.agentRoot, 'bin/agent/agent'), args: all };
}

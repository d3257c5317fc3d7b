// The builtin flavour's supervisor is supervisor.pl (~5 MB RSS, not a second Node process): `start`
// computes what supervise.ts would (the agent's command line and environment, the level, the paths)
// and hands it over as arguments and the process's environment.
import type { ChildProcess } from 'node:child_process';
import type { LogLevel } from '../log.js';
import { RESTART_BACKOFF_MS, SUPERVISOR_CLEAN_EXIT_GRACE_MS, SUPERVISOR_STOP_GRACE_MS } from '../constants.js';
import { spawnPerlScript } from '../perl-script.js';
import type { AgentProcess } from './agent-processes.js';
import SUPERVISOR_SCRIPT from './supervisor.pl';

export interface PerlSupervisorSpec {
  readonly process: AgentProcess;
  readonly level: LogLevel;
  /** Written with the supervisor's pid, removed with the state file when it stops. */
  readonly pidFile?: string;
  readonly stateFile?: string;
  /** Removed before the agent starts: a stale token from an earlier run. */
  readonly authToken?: string;
  /** What the first log line says in parentheses: `builtin flavour`. */
  readonly flavour?: string;
  /** Sockets the supervisor binds and hands to every agent it starts (supervisor.pl), so they outlive an agent's crash. */
  readonly sockets?: HeldSockets;
  /** Tests only: a short stop grace, backoff and clean-exit grace. */
  readonly graceMs?: number;
  readonly backoff?: { readonly base: number; readonly cap: number; readonly stableAfter: number };
  readonly cleanExitGraceMs?: number;
}

export interface HeldSockets {
  /** DogStatsD UDP (IPv4 address and port, as the agent would bind them). */
  readonly udp?: { readonly address: string; readonly port: number };
  /** DogStatsD Unix datagram socket, an absolute path. */
  readonly unixSocket?: string;
  /** SO_RCVBUF asked for both DogStatsD sockets. */
  readonly receiveBuffer?: number;
  /** The trace receiver's listening TCP socket. */
  readonly apm?: { readonly address: string; readonly port: number };
}

/** What `ps` shows for the supervisor. */
export const PERL_SUPERVISOR_ARGV0 = 'datadog-supervisor';

/** The supervisor's arguments after `perl -e $PERL_LOADER --`. */
export function perlSupervisorArgs(spec: PerlSupervisorSpec): string[] {
  const backoff = spec.backoff ?? RESTART_BACKOFF_MS;
  const { udp, unixSocket, receiveBuffer, apm } = spec.sockets ?? {};
  const optional = {
    'pid-file': spec.pidFile,
    'state-file': spec.stateFile,
    'auth-token': spec.authToken,
    flavour: spec.flavour,
    udp: udp && `${udp.address}:${udp.port}`,
    'unix-socket': unixSocket,
    rcvbuf: receiveBuffer && (udp || unixSocket) ? String(receiveBuffer) : undefined,
    apm: apm && `${apm.address}:${apm.port}`,
  };
  return [
    `--name=${spec.process.name}`,
    `--level=${spec.level}`,
    `--grace-ms=${spec.graceMs ?? SUPERVISOR_STOP_GRACE_MS}`,
    `--backoff=${backoff.base},${backoff.cap},${backoff.stableAfter}`,
    `--clean-exit-grace-ms=${spec.cleanExitGraceMs ?? SUPERVISOR_CLEAN_EXIT_GRACE_MS}`,
    ...Object.entries(optional).flatMap(([name, value]) => (value === undefined ? [] : [`--${name}=${value}`])),
    '--',
    spec.process.command,
    ...spec.process.args,
  ];
}

export interface PerlSupervisorOptions {
  /** The agent's environment (agent-env.ts): the supervisor passes its own on. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Its own session (setsid), so it outlives `start` and the shell that sourced .profile.d. */
  readonly detached?: boolean;
  /** Where its stdout and stderr go: the dyno's log stream ('inherit'), or pipes in tests. */
  readonly output?: 'inherit' | 'pipe' | 'ignore';
  readonly perl?: string;
}

export function spawnPerlSupervisor(spec: PerlSupervisorSpec, options: PerlSupervisorOptions): ChildProcess {
  const output = options.output ?? 'inherit';
  return spawnPerlScript(SUPERVISOR_SCRIPT, perlSupervisorArgs(spec), {
    argv0: PERL_SUPERVISOR_ARGV0,
    env: options.env,
    cwd: options.cwd,
    detached: options.detached ?? false,
    stdio: ['ignore', output, output],
    perl: options.perl,
  });
}

// `agent-wrapper start`: the supervisor in its own session, its output on the dyno's stdout; returns as soon
// as the agent listens (at most START_READY_TIMEOUT_MS), so nothing the app sends at boot hits a closed port.
// The builtin flavour's supervisor is supervisor.pl (a Perl process, not a second Node); the official
// flavour's is `agent-wrapper supervise`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readBuildInfo, type BuildInfo } from '../build-info.js';
import { defaultReceiveBuffer } from '../agent/dogstatsd/receive-buffer.js';
import { loadSettings } from '../agent/settings.js';
import { splitHostPort } from '../config/parsers.js';
import { readConfig, type Config } from '../config/variables.js';
import { START_READY_TIMEOUT_MS } from '../constants.js';
import type { Io } from '../io.js';
import { agentEnv } from './agent-env.js';
import { agentProcesses } from './agent-processes.js';
import { buildpackLogger, logLevelOf } from './buildpack-log.js';
import { slugPaths, type SlugPaths } from './paths.js';
import { spawnPerlSupervisor, type HeldSockets } from './perl-supervisor.js';
import { runningSupervisor, writePidFile } from './pid-file.js';
import { relaysRunning, waitForPorts, type PortWait } from './ports-ready.js';

/** The official buildpack's words, kept: users search for them. */
export const NO_API_KEY = 'DD_API_KEY environment variable not set. Run: heroku config:add DD_API_KEY=<your API key>';
export const DISABLED = 'The Datadog Agent has been disabled. Unset the DISABLE_DATADOG_AGENT or set missing environment variables.';

export async function start(env: NodeJS.ProcessEnv, home: string, io: Io): Promise<number> {
  const quiet = logLevelOf(env) === 'off';
  const say = (line: string): void => {
    if (!quiet) io.stdout.write(`${line}\n`);
  };
  if ((env.DD_API_KEY ?? '').trim() === '') {
    say(NO_API_KEY);
    return 0;
  }
  if ((env.DISABLE_DATADOG_AGENT ?? '') !== '') {
    say(DISABLED);
    return 0;
  }
  const paths = slugPaths(home);
  const info = readBuildInfo(home);
  if (info === undefined) {
    say(`Datadog: ${home} has no build info (was the slug built with the Datadog buildpack?); the agent is not started.`);
    return 1;
  }
  const running = runningSupervisor(paths);
  if (running !== undefined) {
    say(`Datadog: the agent supervisor is already running (pid ${running}).`);
    return 0;
  }
  const child = info.flavor === 'builtin' ? startPerlSupervisor(info, env, paths, io) : startNodeSupervisor(env, paths);
  if (child === undefined) return 0;
  child.on('error', (error: NodeJS.ErrnoException) => say(`Datadog: could not start the agent supervisor: ${error.code ?? error.message}`));
  if (child.pid !== undefined) writePidFile(paths, child.pid);
  child.unref();
  const gone = (): boolean => child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
  const ports = agentPorts(info, env);
  // The Perl supervisor binds the sockets before the agent runs: wait for the relays that read them too.
  const relays = info.flavor === 'builtin' ? [...(ports.udp.length > 0 ? (['udp'] as const) : []), ...((ports.unixDatagram ?? []).length > 0 ? (['unix'] as const) : [])] : [];
  const served = (): boolean => child.pid === undefined || relaysRunning(child.pid, relays);
  await waitForPorts(ports, START_READY_TIMEOUT_MS, gone, undefined, served);
  return 0;
}

/** `agent-wrapper supervise`; detached = setsid: it outlives this command and the shell that sourced .profile.d. */
function startNodeSupervisor(env: NodeJS.ProcessEnv, paths: SlugPaths): ChildProcess {
  return spawn(process.execPath, [join(paths.libDir, 'agent-wrapper.js'), 'supervise'], {
    env,
    cwd: paths.home,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** supervisor.pl with what supervise.ts would compute; undefined (and the reason logged, as supervise does) when the agent is missing. */
function startPerlSupervisor(info: BuildInfo, env: NodeJS.ProcessEnv, paths: SlugPaths, io: Io): ChildProcess | undefined {
  const log = buildpackLogger(env, (line) => void io.stdout.write(line));
  const { config } = readConfig(env, 'runtime');
  const [agent] = agentProcesses(info, config, paths, process.execPath, (m) => log.warn(m));
  if (agent === undefined || !existsSync(agent.program)) {
    log.error(`the agent is missing from this slug (${agent?.program ?? 'agent.js'}): rebuild the app.`);
    return undefined;
  }
  const environment = agentEnv(env, paths.home, info.flavor);
  return spawnPerlSupervisor(
    {
      process: agent,
      sockets: heldSockets(info, paths, environment),
      level: logLevelOf(env),
      pidFile: paths.pidFile,
      stateFile: paths.stateFile,
      authToken: paths.authToken,
      flavour: `${info.flavor} flavour${info.agentVersion ? ` ${info.agentVersion}` : ''}`,
    },
    { env: environment, cwd: paths.home, detached: true },
  );
}

/**
 * The sockets the agent would bind, from its own settings (datadog.yaml and the variables, as `agent
 * run` reads them): the supervisor binds them first and holds them across agent restarts. Nothing
 * when the settings cannot be read: the agent then binds (and reports) as usual.
 * They are bound (in /proc/net) as soon as the supervisor runs, before the agent serves, so `start`
 * also waits for the agent's DogStatsD relays (ports-ready.ts relaysRunning): a Unix socket's queue
 * holds only 10 datagrams until one reads it. The trace receiver's socket needs no such wait: a
 * connection made before the agent listens on it waits in its backlog and is answered ~0.2 s later.
 */
function heldSockets(info: BuildInfo, paths: SlugPaths, env: NodeJS.ProcessEnv): HeldSockets {
  try {
    const settings = loadSettings(paths.datadogYaml, env);
    const receiveBuffer = settings.dogstatsdReceiveBuffer === undefined ? defaultReceiveBuffer() : settings.dogstatsdReceiveBuffer || undefined;
    const apmOn = info.apmEnabled && settings.apm.enabled && settings.apm.receiverPort !== 0;
    return {
      ...(settings.dogstatsdPort !== 0 ? { udp: { address: settings.dogstatsdNonLocalTraffic ? '0.0.0.0' : '127.0.0.1', port: settings.dogstatsdPort } } : {}),
      ...(settings.dogstatsdSocket ? { unixSocket: resolve(paths.home, settings.dogstatsdSocket) } : {}),
      ...(receiveBuffer !== undefined ? { receiveBuffer } : {}),
      ...(apmOn ? { apm: { address: settings.apm.nonLocalTraffic ? '0.0.0.0' : '127.0.0.1', port: settings.apm.receiverPort } } : {}),
    };
  } catch {
    return {};
  }
}

/** The OTLP receivers' ports (bound by either flavour's agent when their endpoint is set; `:0` is not waited for). */
function otlpPorts(config: Config): number[] {
  return [config.DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_HTTP_ENDPOINT, config.DD_OTLP_CONFIG_RECEIVER_PROTOCOLS_GRPC_ENDPOINT]
    .map((endpoint) => (endpoint === undefined ? 0 : (splitHostPort(endpoint)?.port ?? 0)))
    .filter((port) => port !== 0);
}

/** Where the app sends to: DogStatsD (UDP, Unix socket), the trace receiver when APM runs and the OTLP receivers (TCP). */
function agentPorts(info: BuildInfo, env: NodeJS.ProcessEnv): PortWait {
  const { config } = readConfig(env, 'runtime');
  return {
    udp: config.DD_DOGSTATSD_PORT === 0 ? [] : [config.DD_DOGSTATSD_PORT],
    tcp: [...(info.apmEnabled && config.DD_APM_ENABLED ? [config.DD_APM_RECEIVER_PORT] : []), ...otlpPorts(config)],
    unixDatagram: config.DD_DOGSTATSD_SOCKET ? [resolve(config.DD_DOGSTATSD_SOCKET)] : [],
  };
}

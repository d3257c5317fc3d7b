// The checks the built-in agent can run, by their official names. Each integration's module (and
// its client library: pg, ioredis…) is loaded only once an instance of it is configured.
import type { CheckDefinition } from './check.js';
import { HOST_CHECK_NAMES, hostCheckDefinitions } from './system-checks.js';

type Loader = () => Promise<CheckDefinition>;

const INTEGRATIONS: Readonly<Record<string, Loader>> = {
  redisdb: async () => (await import('./redisdb/index.js')).definition,
  postgres: async () => (await import('./postgres/index.js')).definition,
  gunicorn: async () => (await import('./gunicorn/index.js')).definition,
  process: async () => (await import('./process/index.js')).definition,
  http_check: async () => (await import('./http_check/index.js')).definition,
  openmetrics: async () => (await import('./openmetrics/index.js')).definition,
  container: async () => (await import('./container/index.js')).definition,
};

/** Checks that run without a conf.d file (unless DD_DISABLE_HOST_METRICS=true): the host's and the dyno's. */
export const IMPLICIT_CHECK_NAMES: readonly string[] = [...HOST_CHECK_NAMES, 'container'];

export const KNOWN_CHECK_NAMES: readonly string[] = [...HOST_CHECK_NAMES, ...Object.keys(INTEGRATIONS)].sort();

/** The definition of `name`, or undefined when the built-in agent has no such check. */
export async function loadCheck(name: string): Promise<CheckDefinition | undefined> {
  const host = hostCheckDefinitions().find((d) => d.name === name);
  if (host !== undefined) return host;
  const loader = Object.hasOwn(INTEGRATIONS, name) ? INTEGRATIONS[name] : undefined;
  return loader === undefined ? undefined : loader();
}

/** The loading error of a check name the built-in agent does not have, saying what to do instead. */
export function unknownCheckError(name: string): string {
  return `the built-in agent has no check "${name}" (it runs ${KNOWN_CHECK_NAMES.join(', ')}); other integrations and custom checks need DD_AGENT_FLAVOR=official`;
}

// `agent health`: which components are unhealthy, read from their status.
import { fields, str } from './status-format.js';

/** A component is unhealthy when it says a listener is unavailable or it is enabled but not running. */
function unhealthy(status: unknown): boolean {
  const f = fields(status);
  if (f === undefined) return false;
  if (f.enabled === true && f.running === false) return true;
  return Object.keys(f).some((key) => str(f, key)?.startsWith('unavailable') === true);
}

export interface Health {
  readonly Healthy: string[];
  readonly Unhealthy: string[];
}

/** Sorted, as the Agent's health endpoint lists them. */
export function health(components: Readonly<Record<string, unknown>>): Health {
  const names = Object.keys(components).sort();
  return { Healthy: names.filter((n) => !unhealthy(components[n])), Unhealthy: names.filter((n) => unhealthy(components[n])) };
}

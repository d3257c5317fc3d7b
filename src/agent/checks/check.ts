// What a built-in check is: a definition that makes one runnable check per conf.d instance, and
// the sender it submits through, shaped like the official AgentCheck API (gauge, rate, count,
// monotonic_count, histogram, service_check, event).
import type { Logger } from '../../log.js';

/** Service check statuses, as the agent numbers them. */
export const OK = 0;
export const WARNING = 1;
export const CRITICAL = 2;
export const UNKNOWN = 3;
export type ServiceCheckStatus = typeof OK | typeof WARNING | typeof CRITICAL | typeof UNKNOWN;

export interface CheckEvent {
  readonly title: string;
  readonly text: string;
  /** Unix seconds; the run's time when absent. */
  readonly timestamp?: number;
  readonly priority?: 'normal' | 'low';
  readonly alertType?: 'error' | 'warning' | 'info' | 'success';
  readonly aggregationKey?: string;
  readonly sourceType?: string;
  readonly tags?: readonly string[];
  readonly hostname?: string;
}

/**
 * What a check submits through. Tags are the metric's own; the runner adds the instance's
 * `tags`, `service:` and the agent's global tags. `hostname` overrides the agent's host name.
 */
export interface Sender {
  gauge(name: string, value: number, tags?: readonly string[], hostname?: string): void;
  /** A per-second rate computed from this value and the one of the previous run. */
  rate(name: string, value: number, tags?: readonly string[], hostname?: string): void;
  /** Summed over the run, sent as a count. */
  count(name: string, value: number, tags?: readonly string[], hostname?: string): void;
  /** The increase of an ever-growing counter since the previous run, sent as a count; a decrease is a reset. */
  monotonicCount(name: string, value: number, tags?: readonly string[], hostname?: string): void;
  /** Samples of the run, sent as the histogram aggregates and percentiles of the agent's settings. */
  histogram(name: string, value: number, tags?: readonly string[], hostname?: string): void;
  serviceCheck(name: string, status: ServiceCheckStatus, tags?: readonly string[], message?: string, hostname?: string): void;
  event(event: CheckEvent): void;
}

/** One instance of conf.d with the `init_config` beside it, as YAML parsed them. */
export interface CheckConfig {
  readonly instance: Readonly<Record<string, unknown>>;
  readonly initConfig: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
}

export interface Check {
  /** One collection. `signal` aborts when the run exceeds its time: close what it opened. */
  run(sender: Sender, signal: AbortSignal): Promise<void>;
  /** Releases what the instance keeps between runs (connections); the agent is stopping. */
  close?(): Promise<void>;
}

export interface CheckDefinition {
  readonly name: string;
  /**
   * Validates one instance and makes its check; throws `CheckConfigError` for a configuration
   * it cannot run (reported in status as the instance's error, never fatal).
   */
  create(config: CheckConfig): Check;
  /** Rate and monotonic-count checks report their first values on the second run (`agent check` runs them twice). */
  readonly needsTwoRuns?: boolean;
}

/** An instance setting a check cannot work with: the message names the setting and what to write. */
export class CheckConfigError extends Error {
  override readonly name = 'CheckConfigError';
}

/** A string setting of the instance, or `fallback`; throws `CheckConfigError` when it is not a string. */
export function stringSetting(instance: Readonly<Record<string, unknown>>, key: string, fallback?: string): string | undefined {
  const value = instance[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new CheckConfigError(`${key} must be a string, not ${JSON.stringify(value)}`);
  return value;
}

export function numberSetting(instance: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = instance[key];
  if (value === undefined || value === null || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) throw new CheckConfigError(`${key} must be a number, not ${JSON.stringify(value)}`);
  return number;
}

/** YAML booleans, and the strings "true"/"false" (case-insensitive) that env-made configs carry. */
export function booleanSetting(instance: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  const value = instance[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (typeof value === 'number') return value !== 0;
  throw new CheckConfigError(`${key} must be true or false, not ${JSON.stringify(value)}`);
}

/** A list of strings (a single string is a list of one). */
export function listSetting(instance: Readonly<Record<string, unknown>>, key: string): string[] {
  const value = instance[key];
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((v) => typeof v === 'object' && v !== null)) throw new CheckConfigError(`${key} must be a list of strings`);
  return value.map(String);
}

/** What a check may submit, as its integration's metadata.csv lists it (for docs and tests). */
export interface MetricMetadata {
  readonly name: string;
  readonly type: 'gauge' | 'rate' | 'count' | 'monotonic_count' | 'histogram';
  readonly unit?: string;
}

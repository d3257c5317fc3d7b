// The collector: every instance of conf.d (and the implicit host and dyno checks) on its own
// schedule, each run bounded by its interval, none waiting on another, none blocking DogStatsD or
// the trace receiver (checks do their I/O asynchronously). What they submit goes to the aggregator.
import { readdirSync } from 'node:fs';
import type { CheckOutput } from '../aggregator/check-sampler.js';
import type { HistogramSettings } from '../aggregator/histogram.js';
import type { Component } from '../component.js';
import type { Logger } from '../../log.js';
import type { AgentSettings } from '../settings.js';
import type { CheckDefinition } from './check.js';
import { implicitCheckEnabled, scanConfd, type ConfigError } from './confd.js';
import { InstanceRunner, type RunResult } from './instance-runner.js';
import { IMPLICIT_CHECK_NAMES, loadCheck, unknownCheckError } from './registry.js';

export interface CollectorOptions {
  readonly confdPath: string | undefined;
  /** Custom Python checks live here; the built-in agent reports them as not loadable. */
  readonly checksdPath?: string | undefined;
  readonly hostname: string;
  readonly globalTags: readonly string[];
  readonly histogram: HistogramSettings;
  readonly logger: Logger;
  /** DD_DISABLE_HOST_METRICS: no implicit checks. */
  readonly disableImplicitChecks: boolean;
  /** The implicit checks; tests pass their own (or none). */
  readonly implicitChecks?: readonly CheckDefinition[];
  /** Checks found before the registry's (tests bring their own). */
  readonly definitions?: readonly CheckDefinition[];
  readonly submit: (output: CheckOutput) => void;
  readonly clock?: () => number;
}

/** The collector's options that come from the agent's settings: one place for `agent run` and `agent check`. */
export function collectorSettings(settings: AgentSettings, logger: Logger): Omit<CollectorOptions, 'submit' | 'clock'> {
  return {
    confdPath: settings.confdPath,
    checksdPath: settings.checksdPath,
    hostname: settings.hostname,
    globalTags: settings.tags,
    histogram: { aggregates: settings.histogramAggregates, percentiles: settings.histogramPercentiles },
    logger,
    disableImplicitChecks: settings.disableHostMetrics,
  };
}

export interface LoadingError {
  readonly name: string;
  readonly source: string;
  readonly error: string;
}

/** Builds the instance runners of conf.d: the shared step of `agent run` and `agent check`. */
export async function loadInstances(options: Omit<CollectorOptions, 'submit' | 'clock'>, only?: string): Promise<{ instances: InstanceRunner[]; configErrors: ConfigError[]; loadingErrors: LoadingError[] }> {
  const scan = scanConfd(options.confdPath);
  const instances: InstanceRunner[] = [];
  const loadingErrors: LoadingError[] = [];
  const common = { hostname: options.hostname, globalTags: options.globalTags, histogram: options.histogram, logger: options.logger };
  const configured = new Set(scan.files.map((f) => f.name));
  for (const file of scan.files) {
    if (only !== undefined && file.name !== only) continue;
    let definition: CheckDefinition | undefined;
    try {
      definition = options.definitions?.find((d) => d.name === file.name) ?? (await loadCheck(file.name));
    } catch (error) {
      loadingErrors.push({ name: file.name, source: `file:${file.file}`, error: `could not load the check: ${(error as Error).message}` });
      continue;
    }
    if (definition === undefined) {
      loadingErrors.push({ name: file.name, source: `file:${file.file}`, error: unknownCheckError(file.name) });
      continue;
    }
    for (const instance of file.instances) {
      instances.push(new InstanceRunner({ definition, instance, initConfig: file.initConfig, source: `file:${file.file}`, ...(file.note !== undefined ? { note: file.note } : {}), ...common }));
    }
  }
  if (!options.disableImplicitChecks) {
    const implicit = options.implicitChecks ?? (await Promise.all(IMPLICIT_CHECK_NAMES.map(loadCheck))).filter((d) => d !== undefined);
    for (const definition of implicit) {
      if (only !== undefined && definition.name !== only) continue;
      if (configured.has(definition.name) || !implicitCheckEnabled(definition.name, options.confdPath)) continue;
      instances.push(new InstanceRunner({ definition, instance: {}, initConfig: {}, source: 'builtin', ...common }));
    }
  }
  for (const script of pythonChecks(options.checksdPath)) {
    if (only !== undefined && script !== only) continue;
    loadingErrors.push({ name: script, source: `file:${options.checksdPath}/${script}.py`, error: 'custom Python checks (checks.d) need DD_AGENT_FLAVOR=official' });
  }
  const configErrors = only === undefined ? scan.errors : scan.errors.filter((e) => e.name === only);
  return { instances, configErrors, loadingErrors };
}

function pythonChecks(checksdPath: string | undefined): string[] {
  if (checksdPath === undefined) return [];
  try {
    return readdirSync(checksdPath).filter((f) => f.endsWith('.py')).map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

export class CheckRunner implements Component {
  readonly name = 'collector';
  private instances: InstanceRunner[] = [];
  private configErrors: ConfigError[] = [];
  private loadingErrors: LoadingError[] = [];
  private readonly timers = new Map<InstanceRunner, NodeJS.Timeout>();
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly options: CollectorOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async start(): Promise<void> {
    const loaded = await loadInstances(this.options);
    this.instances = loaded.instances;
    this.configErrors = loaded.configErrors;
    this.loadingErrors = loaded.loadingErrors;
    for (const e of this.configErrors) this.options.logger.warn(`conf.d: ${e.file}: ${e.error}`);
    for (const e of this.loadingErrors) this.options.logger.warn(`check ${e.name}: ${e.error}`);
    for (const instance of this.instances) {
      if (instance.configError !== undefined) this.options.logger.warn(`check ${instance.id}: ${instance.configError}`);
      this.schedule(instance, 0);
    }
  }

  /** Runs every instance once now and waits for them: tests, and the first flush of `agent check`. */
  async runAll(): Promise<void> {
    await Promise.all(this.instances.map((instance) => this.runOnce(instance)));
  }

  get runners(): readonly InstanceRunner[] {
    return this.instances;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.instances.map((instance) => instance.close()));
  }

  private schedule(instance: InstanceRunner, delayMs: number): void {
    if (this.stopped || instance.configError !== undefined) return;
    const timer = setTimeout(() => {
      const startedAt = Date.now();
      void this.runOnce(instance).then(() => this.schedule(instance, Math.max(0, startedAt + instance.intervalMs - Date.now())));
    }, delayMs);
    timer.unref();
    this.timers.set(instance, timer);
  }

  private async runOnce(instance: InstanceRunner): Promise<RunResult> {
    const result = await instance.run(instance.intervalMs, this.clock);
    if (this.stopped) return result;
    if (result.error !== undefined) this.options.logger.once(`check-${instance.id}-${result.error}`, 'warn', `check ${instance.id} failed: ${result.error}`);
    this.options.submit(result);
    return result;
  }

  status(): Record<string, unknown> {
    return collectorStatus(this.instances, this.configErrors, this.loadingErrors);
  }
}

export interface InstanceStatus {
  readonly id: string;
  readonly source: string;
  readonly note?: string;
  readonly state: 'OK' | 'ERROR';
  readonly totalRuns: number;
  readonly metricSamples: { lastRun: number; total: number };
  readonly events: { lastRun: number; total: number };
  readonly serviceChecks: { lastRun: number; total: number };
  readonly averageExecutionMs: number;
  readonly lastExecutionMs: number;
  /** ISO dates; absent before the first (successful) run. */
  readonly lastExecutionDate?: string;
  readonly lastSuccessfulExecutionDate?: string;
  readonly error?: string;
}

export interface CollectorStatus {
  readonly runningChecks: Record<string, InstanceStatus[]>;
  readonly configErrors: ConfigError[];
  readonly loadingErrors: LoadingError[];
}

function iso(ms: number): string | undefined {
  return ms > 0 ? new Date(ms).toISOString() : undefined;
}

export function instanceStatus(instance: InstanceRunner): InstanceStatus {
  const s = instance.stats;
  const error = instance.configError ?? s.lastError;
  const lastExecutionDate = iso(s.lastRunAt);
  const lastSuccessfulExecutionDate = iso(s.lastSuccessAt);
  return {
    id: instance.id,
    source: instance.options.source,
    ...(instance.options.note !== undefined ? { note: instance.options.note } : {}),
    state: error === undefined ? 'OK' : 'ERROR',
    totalRuns: s.totalRuns,
    metricSamples: { ...s.metricSamples },
    events: { ...s.events },
    serviceChecks: { ...s.serviceChecks },
    averageExecutionMs: s.totalRuns > 0 ? Math.round(s.totalExecutionMs / s.totalRuns) : 0,
    lastExecutionMs: s.lastExecutionMs,
    ...(lastExecutionDate !== undefined ? { lastExecutionDate } : {}),
    ...(lastSuccessfulExecutionDate !== undefined ? { lastSuccessfulExecutionDate } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

export function collectorStatus(instances: readonly InstanceRunner[], configErrors: readonly ConfigError[], loadingErrors: readonly LoadingError[]): CollectorStatus & Record<string, unknown> {
  const runningChecks: Record<string, InstanceStatus[]> = {};
  for (const instance of [...instances].sort((a, b) => a.name.localeCompare(b.name))) (runningChecks[instance.name] ??= []).push(instanceStatus(instance));
  return { runningChecks, configErrors: [...configErrors], loadingErrors: [...loadingErrors] };
}

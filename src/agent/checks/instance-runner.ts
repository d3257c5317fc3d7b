// One configured instance of one check: its settings, its sampler, its check, and the run
// statistics `agent status` and `agent check` show. A run that throws or outlives its time is an
// error of that run only; the next one starts afresh.
import { CheckSampler, type CheckOutput } from '../aggregator/check-sampler.js';
import type { HistogramSettings } from '../aggregator/histogram.js';
import type { Logger } from '../../log.js';
import type { Check, CheckDefinition, Sender } from './check.js';
import { instanceId, instanceSettings, type InstanceSettings } from './instance.js';
import { scrubberFor, type Scrubber } from './scrub.js';

export interface InstanceRunnerOptions {
  readonly definition: CheckDefinition;
  readonly instance: Readonly<Record<string, unknown>>;
  readonly initConfig: Readonly<Record<string, unknown>>;
  /** Where the instance came from: `file:<path>`, or `builtin` for the implicit ones. */
  readonly source: string;
  readonly note?: string;
  readonly hostname: string;
  readonly globalTags: readonly string[];
  readonly histogram: HistogramSettings;
  readonly logger: Logger;
}

export interface RunStats {
  totalRuns: number;
  totalErrors: number;
  totalWarnings: number;
  metricSamples: { lastRun: number; total: number };
  events: { lastRun: number; total: number };
  serviceChecks: { lastRun: number; total: number };
  totalExecutionMs: number;
  lastExecutionMs: number;
  /** Unix ms; 0 before the first run. */
  lastRunAt: number;
  lastSuccessAt: number;
  lastError: string | undefined;
}

export interface RunResult extends CheckOutput {
  /** Undefined when the run succeeded; else its message, secrets masked. */
  readonly error: string | undefined;
  readonly durationMs: number;
}

export class InstanceRunner {
  readonly id: string;
  readonly name: string;
  /** Undefined when the instance's own settings are wrong (then `configError` says why). */
  readonly settings: InstanceSettings | undefined;
  readonly configError: string | undefined;
  readonly stats: RunStats = {
    totalRuns: 0,
    totalErrors: 0,
    totalWarnings: 0,
    metricSamples: { lastRun: 0, total: 0 },
    events: { lastRun: 0, total: 0 },
    serviceChecks: { lastRun: 0, total: 0 },
    totalExecutionMs: 0,
    lastExecutionMs: 0,
    lastRunAt: 0,
    lastSuccessAt: 0,
    lastError: undefined,
  };
  readonly scrub: Scrubber;
  private readonly sampler: CheckSampler | undefined;
  private check: Check | undefined;
  private running: Promise<RunResult> | undefined;

  constructor(readonly options: InstanceRunnerOptions) {
    this.name = options.definition.name;
    // Implicit instances have the bare ID the agent gives its core checks (`cpu`).
    this.id = options.source === 'builtin' ? this.name : instanceId(this.name, options.instance, options.initConfig);
    this.scrub = scrubberFor(options.instance, options.initConfig);
    const scrub = this.scrub;
    const log = options.logger;
    const logger: Logger = {
      trace: (m) => log.trace(scrub(m)),
      debug: (m) => log.debug(scrub(m)),
      info: (m) => log.info(scrub(m)),
      warn: (m) => log.warn(scrub(m)),
      error: (m) => log.error(scrub(m)),
      once: (key, level, m) => log.once(key, level, scrub(m)),
    };
    let settings: InstanceSettings | undefined;
    let configError: string | undefined;
    try {
      settings = instanceSettings(options.instance, options.initConfig);
      this.check = options.definition.create({ instance: options.instance, initConfig: options.initConfig, logger });
    } catch (error) {
      configError = scrub((error as Error).message);
    }
    this.settings = settings;
    this.configError = configError;
    if (settings !== undefined) {
      this.sampler = new CheckSampler({
        hostname: settings.emptyDefaultHostname ? '' : options.hostname,
        tags: [...settings.tags, ...options.globalTags],
        histogram: options.histogram,
      });
    }
  }

  get intervalMs(): number {
    return (this.settings?.intervalSeconds ?? 0) * 1000;
  }

  /** One collection, aborted past `timeoutMs`; never rejects. */
  run(timeoutMs: number, now: () => number = Date.now): Promise<RunResult> {
    this.running ??= this.collect(timeoutMs, now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async collect(timeoutMs: number, now: () => number): Promise<RunResult> {
    const started = now();
    const sampler = this.sampler;
    const check = this.check;
    let error: string | undefined = this.configError;
    let output: CheckOutput = { series: [], serviceChecks: [], events: [] };
    if (error === undefined && sampler !== undefined && check !== undefined) {
      sampler.begin();
      const abort = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      let active = true;
      try {
        const outcome = await Promise.race([check.run(senderWhile(sampler, () => active), abort.signal).then(() => 'done' as const), timedOut]);
        if (outcome === 'timeout') {
          abort.abort();
          error = `timeout: the check ran longer than ${timeoutMs / 1000} s`;
        }
      } catch (thrown) {
        error = this.scrub(thrown instanceof Error ? thrown.message || thrown.name : String(thrown));
      } finally {
        active = false;
        clearTimeout(timer);
      }
      // Service checks of a failed run still go out (can_connect CRITICAL says why); its metrics too, as in the agent.
      output = sampler.commit(Math.floor(now() / 1000));
      for (const check of output.serviceChecks) (check as { message: string }).message = this.scrub(check.message);
      const counts = sampler.counts;
      this.stats.metricSamples = { lastRun: counts.metricSamples, total: this.stats.metricSamples.total + counts.metricSamples };
      this.stats.events = { lastRun: counts.events, total: this.stats.events.total + counts.events };
      this.stats.serviceChecks = { lastRun: counts.serviceChecks, total: this.stats.serviceChecks.total + counts.serviceChecks };
    }
    const durationMs = now() - started;
    this.stats.totalRuns++;
    this.stats.lastRunAt = started;
    this.stats.lastExecutionMs = durationMs;
    this.stats.totalExecutionMs += durationMs;
    if (error === undefined) this.stats.lastSuccessAt = started;
    else this.stats.totalErrors++;
    this.stats.lastError = error;
    return { ...output, error, durationMs };
  }

  async close(): Promise<void> {
    const check = this.check;
    this.check = undefined;
    try {
      await check?.close?.();
    } catch {
      // Closing a connection that already failed: nothing left to release.
    }
  }
}

/** Forwards to `sender` while `active()`: a run abandoned at its timeout cannot submit into the next one. */
function senderWhile(sender: Sender, active: () => boolean): Sender {
  return {
    gauge: (...a) => active() && sender.gauge(...a),
    rate: (...a) => active() && sender.rate(...a),
    count: (...a) => active() && sender.count(...a),
    monotonicCount: (...a) => active() && sender.monotonicCount(...a),
    histogram: (...a) => active() && sender.histogram(...a),
    serviceCheck: (...a) => active() && sender.serviceCheck(...a),
    event: (e) => active() && sender.event(e),
  };
}

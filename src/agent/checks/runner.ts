// Runs the host checks on the flush cadence and reports them (and conf.d) in status.
import type { Component } from '../component.js';
import type { Logger } from '../log.js';
import type { ConfiguredCheck } from './confd.js';
import type { CheckSerie, HostCheck } from './host-check.js';

interface CheckState {
  runs: number;
  lastSeries: number;
  lastError?: string;
}

export class CheckRunner implements Component {
  readonly name = 'checks';
  private readonly states = new Map<string, CheckState>();
  private stopped = false;

  constructor(
    private readonly checks: readonly HostCheck[],
    private readonly configured: readonly ConfiguredCheck[],
    private readonly submit: (series: CheckSerie[]) => void,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    for (const check of checks) this.states.set(check.name, { runs: 0, lastSeries: 0 });
  }

  async start(): Promise<void> {
    await this.runAll(); // prime the rate-based checks so the first flush already has values
  }

  async runAll(): Promise<void> {
    if (this.stopped) return;
    const now = Math.floor(this.clock() / 1000);
    await Promise.all(
      this.checks.map(async (check) => {
        const state = this.states.get(check.name)!;
        state.runs++;
        try {
          const series = await check.run(now);
          state.lastSeries = series.length;
          delete state.lastError;
          this.submit(series);
        } catch (error) {
          state.lastError = (error as Error).message;
          this.logger.once(`check-${check.name}-${state.lastError}`, 'warn', `check ${check.name} failed: ${state.lastError}`);
        }
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  status(): Record<string, unknown> {
    return {
      running: Object.fromEntries([...this.states].map(([name, s]) => [name, s.lastError !== undefined ? `error: ${s.lastError}` : `ok (runs ${s.runs}, series ${s.lastSeries})`])),
      notRunnable: this.configured.filter((c) => c.skipped !== undefined).map((c) => `${c.name} (${c.file}): ${c.skipped}`),
    };
  }
}

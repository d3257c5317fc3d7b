// Every flush interval: closed buckets out of the aggregator, encoded, handed to the transport.
// On stop: the open bucket too, so the last interval reaches the intake.
import type { Aggregator } from '../aggregator/aggregator.js';
import type { FlushBatch } from '../aggregator/payloads.js';
import type { Component } from '../component.js';
import type { Logger } from '../../log.js';
import { PAYLOAD_LIMITS } from './endpoints.js';
import { checkRunPayloads, eventPayloads, seriesPayloads, sketchPayloads, type SplitLimits } from './encode.js';
import type { Payload, Transport } from './transport.js';

export const DEFAULT_FLUSH_INTERVAL_MS = 15_000;

export interface FlusherOptions {
  readonly aggregator: Aggregator;
  readonly transport: Transport;
  readonly hostname: string;
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly limits?: SplitLimits;
}

export class Flusher implements Component {
  readonly name = 'aggregator';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private tooBig = 0;

  constructor(private readonly options: FlusherOptions) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      void this.flush(false);
    }, this.options.intervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
  }

  /** Flushes closed buckets (all buckets with `all`); flushes never overlap. */
  flush(all: boolean): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        await this.send(await this.options.aggregator.flush(all));
      } catch (error) {
        this.options.logger.error(`flush failed: ${(error as Error).message}`);
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush(true);
  }

  status(): Record<string, unknown> {
    return { ...this.options.aggregator.status(), flushIntervalMs: this.options.intervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, itemsTooBigDropped: this.tooBig };
  }

  private async send(batch: FlushBatch): Promise<void> {
    const limits = this.options.limits ?? PAYLOAD_LIMITS;
    const onTooBig = (): void => {
      this.tooBig++;
    };
    // Each payload goes to the transport once compressed: its byte bound covers it from then on.
    const submit = (payload: Payload): void => this.options.transport.submit(payload);
    await seriesPayloads(batch.series, limits, onTooBig, submit);
    await sketchPayloads(batch.sketches, limits, onTooBig, submit);
    await checkRunPayloads(batch.serviceChecks, limits, onTooBig, submit);
    await eventPayloads(batch.events, this.options.hostname, limits, onTooBig, submit);
  }
}

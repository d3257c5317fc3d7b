// Buffers processed traces and posts them as gzipped AgentPayloads, at 3.2 MB or every 5 s like the trace-agent.
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import type { Payload } from '../forwarder/transport.js';
import type { Logger } from '../../log.js';
import { AgentPayloadBuilder, type AgentPayloadHeader } from './agent-payload.js';
import type { TracerPayload } from './span.js';

const gzipAsync = promisify(gzip);

export const TRACES_PATH = '/api/v0.2/traces';
export const DEFAULT_FLUSH_BYTES = 3_200_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;
/** Compressions running on libuv's pool at once; past it the event loop compresses, which slows intake down. */
const MAX_PENDING_COMPRESSIONS = 4;

/** Where finished payloads go: the forwarder's transport (retries, bounded queue). */
export interface PayloadSink {
  submit(payload: Payload): void;
}

export interface TraceWriterOptions {
  readonly sink: PayloadSink;
  readonly header: AgentPayloadHeader;
  readonly logger: Logger;
  readonly flushBytes?: number;
  readonly flushIntervalMs?: number;
}

export class TraceWriter {
  private readonly builder = new AgentPayloadBuilder();
  private languages = new Set<string>();
  private spans = 0;
  private traces = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();
  private readonly counters = { payloads: 0, bytes: 0, spans: 0, traces: 0, encodeErrors: 0 };

  constructor(private readonly options: TraceWriterOptions) {}

  start(): void {
    const interval = this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.timer = setInterval(() => this.flush(), interval);
    this.timer.unref();
  }

  add(payload: TracerPayload): void {
    if (payload.chunks.length === 0) return;
    this.builder.add(payload);
    if (payload.languageName !== '') this.languages.add(payload.languageName);
    this.traces += payload.chunks.length;
    for (const c of payload.chunks) this.spans += c.spans.length;
    if (this.builder.bytes >= (this.options.flushBytes ?? DEFAULT_FLUSH_BYTES)) this.flush();
  }

  /** Hands over what is buffered; compression runs off the event loop. */
  flush(): void {
    if (this.builder.tracerPayloads === 0) return;
    const body = this.builder.finish(this.options.header);
    const batch = { body, languages: [...this.languages], spans: this.spans, traces: this.traces };
    this.languages = new Set();
    this.spans = 0;
    this.traces = 0;
    const job = this.send(batch).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Flushes and waits until every payload reached the sink. */
  async drain(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    await Promise.all([...this.pending]);
  }

  status(): Record<string, unknown> {
    return { ...this.counters, bufferedBytes: this.builder.bytes, bufferedTraces: this.traces };
  }

  private async send(batch: { body: Uint8Array; languages: string[]; spans: number; traces: number }): Promise<void> {
    try {
      const body = this.pending.size >= MAX_PENDING_COMPRESSIONS ? gzipSync(batch.body, { level: 1 }) : await gzipAsync(batch.body, { level: 1 });
      this.options.sink.submit({
        path: TRACES_PATH,
        body,
        contentType: 'application/x-protobuf',
        contentEncoding: 'gzip',
        kind: 'traces',
        headers: { 'X-Datadog-Reported-Languages': batch.languages.join('|') },
      });
      this.counters.payloads++;
      this.counters.bytes += body.length;
      this.counters.spans += batch.spans;
      this.counters.traces += batch.traces;
    } catch (error) {
      this.counters.encodeErrors++;
      this.options.logger.error(`trace writer: could not compress ${batch.traces} traces: ${(error as Error).message}`);
    }
  }
}

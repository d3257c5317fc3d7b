// Buffers processed traces and posts them as gzipped AgentPayloads, at 3.2 MB or every 5 s like the trace-agent.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from '../log.js';
import type { Payload } from '../forwarder/transport.js';
import { encodeAgentPayload, type AgentPayloadHeader } from './agent-payload.js';
import type { TracerPayload } from './span.js';

const gzipAsync = promisify(gzip);

export const TRACES_PATH = '/api/v0.2/traces';
export const DEFAULT_FLUSH_BYTES = 3_200_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;

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
  private buffer: TracerPayload[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();
  private readonly counters = { payloads: 0, bytes: 0, spans: 0, traces: 0, encodeErrors: 0 };

  constructor(private readonly options: TraceWriterOptions) {}

  start(): void {
    const interval = this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.timer = setInterval(() => this.flush(), interval);
    this.timer.unref();
  }

  /** `size`: bytes the tracer sent for it, a fair estimate of its encoded size. */
  add(payload: TracerPayload, size: number): void {
    if (payload.chunks.length === 0) return;
    this.buffer.push(payload);
    this.bufferedBytes += size;
    if (this.bufferedBytes >= (this.options.flushBytes ?? DEFAULT_FLUSH_BYTES)) this.flush();
  }

  /** Encodes and hands over what is buffered; compression runs off the event loop. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const payloads = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    const job = this.send(payloads).finally(() => this.pending.delete(job));
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
    return { ...this.counters, bufferedBytes: this.bufferedBytes, bufferedPayloads: this.buffer.length };
  }

  private async send(payloads: TracerPayload[]): Promise<void> {
    const languages = [...new Set(payloads.map((p) => p.languageName).filter((l) => l !== ''))];
    let spans = 0;
    let traces = 0;
    for (const p of payloads) {
      traces += p.chunks.length;
      for (const c of p.chunks) spans += c.spans.length;
    }
    try {
      const body = await gzipAsync(encodeAgentPayload(this.options.header, payloads), { level: 1 });
      this.options.sink.submit({
        path: TRACES_PATH,
        body,
        contentType: 'application/x-protobuf',
        contentEncoding: 'gzip',
        kind: 'traces',
        headers: { 'X-Datadog-Reported-Languages': languages.join('|') },
      });
      this.counters.payloads++;
      this.counters.bytes += body.length;
      this.counters.spans += spans;
      this.counters.traces += traces;
    } catch (error) {
      this.counters.encodeErrors++;
      this.options.logger.error(`trace writer: could not encode ${traces} traces: ${(error as Error).message}`);
    }
  }
}

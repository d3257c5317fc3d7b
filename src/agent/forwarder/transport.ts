// HTTP delivery to a Datadog intake, shared by metrics and traces: compressed payloads are
// posted with DD-API-KEY; 5xx/408/network errors wait in a bounded queue (oldest evicted) and
// are retried with jittered backoff; 400/413 dropped and counted; 403 logged once.
// The bound covers every payload the transport holds: queued (new or waiting to retry) and in
// flight. A payload that would take it past the bound evicts the oldest queued ones (counted),
// or is itself evicted when requests in flight already fill it, so under any outage the bytes
// held never exceed `maxQueueBytes` (`bound.peakHeldBytes` in status shows the most ever held).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Component } from '../component.js';
import type { Logger } from '../../log.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { displayUrl } from './endpoints.js';

export interface Payload {
  /** Path below the base URL, e.g. `/api/v1/series`. */
  readonly path: string;
  /** Already compressed body. */
  readonly body: Buffer;
  readonly contentType: string;
  readonly contentEncoding?: 'gzip' | 'deflate';
  /** Name the status counters use (`series`, `sketches`, `traces`…). */
  readonly kind: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TransportOptions {
  readonly name?: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly logger: Logger;
  readonly userAgent: string;
  /** Bytes of payloads held (queued and in flight); past it the oldest queued are evicted. Default 15 MiB. */
  readonly maxQueueBytes?: number;
  readonly backoff?: BackoffPolicy;
  readonly requestTimeoutMs?: number;
  readonly concurrency?: number;
  readonly random?: () => number;
}

interface Transaction {
  readonly payload: Payload;
  attempts: number;
  notBefore: number;
}

type Outcome = { status: number } | { error: string };

/** Answers the intake gives for a payload it will never take. */
const FINAL_STATUSES: ReadonlySet<number> = new Set([400, 403, 404, 413]);

export const DEFAULT_MAX_QUEUE_BYTES = 15 * 1024 * 1024;

export class Transport implements Component {
  readonly name: string;
  private readonly queue: Transaction[] = [];
  private queueBytes = 0;
  private inFlight = 0;
  private inFlightBytes = 0;
  private peakHeldBytes = 0;
  private readonly inFlightRequests = new Set<() => void>();
  /** Each in-flight transaction until its outcome is counted. */
  private readonly sending = new Set<Promise<void>>();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private deadline: number | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly agent: HttpAgent;
  private readonly counters = {
    payloadsSent: 0,
    bytesSent: 0,
    retries: 0,
    evicted: 0,
    droppedAtDeadline: 0,
    errors: 0,
    droppedByStatus: {} as Record<string, number>,
    sentByKind: {} as Record<string, number>,
  };
  private lastError: string | undefined;

  constructor(private readonly options: TransportOptions) {
    this.name = options.name ?? 'forwarder';
    this.agent = options.baseUrl.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  async start(): Promise<void> {}

  /** Queues a payload for delivery; never throws, never blocks. */
  submit(payload: Payload): void {
    if (this.deadline !== undefined && Date.now() >= this.deadline) {
      this.counters.droppedAtDeadline++;
      return;
    }
    this.enqueue({ payload, attempts: 0, notBefore: 0 });
    this.pump();
  }

  /** Delivers what is queued, retrying until `deadline`; then gives up on the rest (counted). */
  async stop(deadline: number): Promise<void> {
    this.deadline = deadline;
    for (const transaction of this.queue) transaction.notBefore = 0; // no waiting out a long backoff now
    this.pump();
    const remaining = deadline - Date.now();
    if (this.queue.length > 0 || this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, remaining));
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.stopped = true;
    for (const abort of this.inFlightRequests) abort();
    // The aborted transactions are counted by their own outcome, before the rest of the queue is.
    await Promise.all(this.sending);
    this.counters.droppedAtDeadline += this.queue.length;
    if (this.queue.length > 0) this.options.logger.warn(`${this.name}: ${this.queue.length} payload(s) not delivered before the stop deadline`);
    this.queue.length = 0;
    this.queueBytes = 0;
    this.agent.destroy();
  }

  /** Resolves once nothing is queued or in flight (tests, `agent check`). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  status(): Record<string, unknown> {
    return {
      endpoint: displayUrl(this.options.baseUrl),
      ...this.counters,
      queuedPayloads: this.queue.length,
      queuedBytes: this.queueBytes,
      inFlight: this.inFlight,
      // What the byte bound covers (queued and in flight), and the most it ever held.
      bound: { maxBytes: this.maxBytes, inFlightBytes: this.inFlightBytes, peakHeldBytes: this.peakHeldBytes },
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private get maxBytes(): number {
    return this.options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
  }

  private enqueue(transaction: Transaction): void {
    this.queue.push(transaction);
    this.queueBytes += transaction.payload.body.length;
    const max = this.maxBytes;
    while (this.queueBytes + this.inFlightBytes > max && this.queue.length > 0) {
      const oldest = this.queue.shift()!;
      this.queueBytes -= oldest.payload.body.length;
      this.counters.evicted++;
      this.options.logger.once(`${this.name}-evicted`, 'warn', `${this.name}: more than ${max} bytes of payloads wait for the intake; the oldest are evicted (counted as evicted in agent status)`);
    }
    const held = this.queueBytes + this.inFlightBytes;
    if (held > this.peakHeldBytes) this.peakHeldBytes = held;
  }

  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    const concurrency = this.options.concurrency ?? 4;
    let next = Infinity;
    for (let i = 0; i < this.queue.length && this.inFlight < concurrency; ) {
      const transaction = this.queue[i]!;
      if (transaction.notBefore <= now) {
        this.queue.splice(i, 1);
        this.queueBytes -= transaction.payload.body.length;
        this.send(transaction);
      } else {
        next = Math.min(next, transaction.notBefore);
        i++;
      }
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (next !== Infinity && this.inFlight < concurrency) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
    }
    if (this.queue.length === 0 && this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private send(transaction: Transaction): void {
    this.inFlight++;
    this.inFlightBytes += transaction.payload.body.length;
    transaction.attempts++;
    const sending: Promise<void> = this.post(transaction.payload).then((outcome) => {
      this.sending.delete(sending);
      this.inFlight--;
      this.inFlightBytes -= transaction.payload.body.length;
      this.settle(transaction, outcome);
      this.pump();
    });
    this.sending.add(sending);
  }

  private settle(transaction: Transaction, outcome: Outcome): void {
    const { payload } = transaction;
    const logger = this.options.logger;
    if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) {
      this.counters.payloadsSent++;
      this.counters.bytesSent += payload.body.length;
      this.counters.sentByKind[payload.kind] = (this.counters.sentByKind[payload.kind] ?? 0) + 1;
      return;
    }
    // As the agent's forwarder: 400, 403, 404 and 413 are final; every other error status (408, 429, 5xx…) is retried.
    const retryable = 'error' in outcome || (outcome.status >= 400 && !FINAL_STATUSES.has(outcome.status));
    if (!retryable) {
      const status = outcome.status;
      this.counters.droppedByStatus[status] = (this.counters.droppedByStatus[status] ?? 0) + 1;
      this.lastError = `HTTP ${status} on ${payload.path}`;
      if (status === 403) {
        logger.once('api-key-403', 'error', `API key invalid: the intake answered 403 Forbidden on ${payload.path}; check DD_API_KEY (and DD_SITE)`);
      } else {
        logger.once(`drop-${status}-${payload.kind}`, 'warn', `${this.name}: the intake refused a ${payload.kind} payload of ${payload.body.length} bytes with HTTP ${status}; dropped`);
      }
      return;
    }
    this.counters.errors++;
    this.lastError = 'error' in outcome ? outcome.error : `HTTP ${outcome.status} on ${payload.path}`;
    const delay = backoffDelay(this.options.backoff ?? DEFAULT_BACKOFF, transaction.attempts, this.options.random);
    let notBefore = Date.now() + delay;
    if (this.deadline !== undefined) {
      // While stopping, retry sooner rather than never: the deadline bounds the whole drain.
      const remaining = this.deadline - Date.now();
      if (remaining <= 0) {
        this.counters.droppedAtDeadline++;
        return;
      }
      notBefore = Date.now() + Math.min(delay, remaining / 4);
    }
    this.counters.retries++;
    logger.debug(`${this.name}: ${payload.kind} payload failed (${this.lastError}), retry ${transaction.attempts} in ${Math.round(notBefore - Date.now())} ms`);
    transaction.notBefore = notBefore;
    this.enqueue(transaction);
  }

  private post(payload: Payload): Promise<Outcome> {
    const url = new URL(this.options.baseUrl + payload.path);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let timeout = this.options.requestTimeoutMs ?? 20_000;
    if (this.deadline !== undefined) timeout = Math.max(1, Math.min(timeout, this.deadline - Date.now()));
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const done = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        this.inFlightRequests.delete(abort);
        resolve(outcome);
      };
      const req = request(url, {
        method: 'POST',
        agent: this.agent,
        timeout,
        headers: {
          'Content-Type': payload.contentType,
          ...(payload.contentEncoding !== undefined ? { 'Content-Encoding': payload.contentEncoding } : {}),
          'Content-Length': String(payload.body.length),
          'DD-API-KEY': this.options.apiKey,
          'User-Agent': this.options.userAgent,
          ...payload.headers,
        },
      });
      const abort = (): void => {
        req.destroy();
        done({ error: 'aborted at the stop deadline' });
      };
      this.inFlightRequests.add(abort);
      req.on('response', (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', () => done({ status: res.statusCode ?? 0 }));
      });
      req.on('timeout', () => {
        req.destroy();
        done({ error: `timeout after ${timeout} ms` });
      });
      // Error messages name host and cause only; the API key is a header, never in them.
      req.on('error', (error: NodeJS.ErrnoException) => done({ error: `${error.code ?? 'error'} posting to ${url.host}` }));
      req.end(payload.body);
    });
  }
}

// A TCP front for the recording intake (test/helpers/recording-intake.ts) that fails the way a
// network and a load balancer do, below HTTP status codes: the listener goes away (connection
// refused) and comes back on the same port, a request is reset halfway through its body, a
// response is reset after the intake accepted the request, or the intake is slow (requests held
// until the client gives up or the slowness ends). It reads just enough HTTP/1.1 (request line,
// Content-Length) to tell one request from the next on a keep-alive connection.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { RecordingIntake } from '../helpers/recording-intake.js';

/** What the front does with one request. */
export type FrontFault = 'reset-mid-body' | 'reset-after-accept';

export interface FrontCounters {
  /** Requests seen per path (whatever became of them). */
  readonly requests: Record<string, number>;
  /** Requests cut after half their body: the intake never got them whole. */
  resetMidBody: number;
  /** Requests the intake answered whose answer was replaced by a reset. */
  resetAfterAccept: number;
  /** Requests held while slow whose client gave up (closed) first: never forwarded. */
  abandonedWhileSlow: number;
  /** Requests held while slow and forwarded once the slowness ended. */
  releasedAfterSlow: number;
  /** Abandoned requests per path. */
  readonly abandonedByPath: Record<string, number>;
  /** Every request's path and the time its head arrived. */
  readonly arrivals: { readonly path: string; readonly at: number }[];
}

export interface IntakeFront {
  /** Base URL for DD_DD_URL / DD_APM_DD_URL. */
  readonly url: string;
  readonly port: number;
  readonly counters: FrontCounters;
  /**
   * Closes the listener (new connections refused), lets the requests the intake is answering get
   * their answers, resets connections as soon as they are idle or start another request, and
   * resolves once none is left: an outage that begins between requests. (A request cut after the
   * intake accepted it is `reset-after-accept`.)
   */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Queues faults for the next requests on `path` ('*' for any). */
  fail(path: string, ...faults: FrontFault[]): void;
  /** While slow, requests are held (not forwarded) until their client closes or `slow(false)`. */
  slow(on: boolean): void;
  close(): Promise<void>;
}

interface Held {
  readonly client: Socket;
  readonly path: string;
  release(): void;
}

export async function startIntakeFront(intake: RecordingIntake): Promise<IntakeFront> {
  const counters: FrontCounters = { requests: {}, resetMidBody: 0, resetAfterAccept: 0, abandonedWhileSlow: 0, releasedAfterSlow: 0, abandonedByPath: {}, arrivals: [] };
  const queued = new Map<string, FrontFault[]>();
  const connections = new Set<{ client: Socket; upstream: Socket; outstanding: boolean }>();
  let draining = false;
  const held = new Set<Held>();
  let slow = false;
  let port = 0;
  let server: Server | undefined;

  const nextFault = (path: string): FrontFault | undefined => {
    for (const key of [path, '*']) {
      const q = queued.get(key);
      if (q !== undefined && q.length > 0) return q.shift();
    }
    return undefined;
  };

  const onConnection = (client: Socket): void => {
    const upstream = connect(intake.port, '127.0.0.1');
    const pair = { client, upstream, outstanding: false };
    connections.add(pair);
    let closed = false;
    const end = (reset: boolean): void => {
      if (closed) return;
      closed = true;
      connections.delete(pair);
      if (reset) client.resetAndDestroy();
      else client.destroy();
      upstream.destroy();
    };
    client.on('error', () => end(false));
    upstream.on('error', () => end(false));
    client.on('close', () => end(false));
    upstream.on('close', () => end(false));

    let resetOnAnswer = false;
    upstream.on('data', (chunk: Buffer) => {
      if (closed) return;
      if (resetOnAnswer) {
        // The intake recorded and answered the request: the client never learns it.
        counters.resetAfterAccept++;
        end(true);
        return;
      }
      pair.outstanding = false;
      client.write(chunk);
      if (draining) setImmediate(() => end(false));
    });

    // Request framing on the client side.
    let buffer: Buffer = Buffer.alloc(0);
    let inBody = false;
    let remaining = 0;
    let half = 0;
    let forwarded = 0;
    let fault: FrontFault | undefined;
    let path = '';
    let holding: Buffer[] | undefined;

    const forward = (data: Buffer): void => {
      if (holding !== undefined) holding.push(data);
      else upstream.write(data);
    };

    const onData = (chunk: Buffer): void => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (!closed) {
        if (!inBody) {
          const headEnd = buffer.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = buffer.subarray(0, headEnd + 4);
          buffer = buffer.subarray(headEnd + 4);
          const text = head.toString('latin1');
          path = (text.split(' ')[1] ?? '/').split('?')[0]!;
          remaining = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text)?.[1] ?? '0');
          half = Math.floor(remaining / 2);
          forwarded = 0;
          if (draining) {
            // The intake is going away: this request never reaches it.
            end(true);
            return;
          }
          pair.outstanding = true;
          counters.requests[path] = (counters.requests[path] ?? 0) + 1;
          counters.arrivals.push({ path, at: Date.now() });
          fault = nextFault(path);
          inBody = true;
          if (slow && fault === undefined && holding === undefined) {
            // Hold this request (and whatever follows on the connection) until released or abandoned.
            holding = [];
            const entry: Held = {
              client,
              path,
              release: () => {
                const data = holding ?? [];
                holding = undefined;
                counters.releasedAfterSlow++;
                for (const part of data) upstream.write(part);
              },
            };
            held.add(entry);
            client.once('close', () => {
              if (held.delete(entry)) {
                counters.abandonedWhileSlow++;
                counters.abandonedByPath[entry.path] = (counters.abandonedByPath[entry.path] ?? 0) + 1;
              }
            });
          }
          resetOnAnswer = fault === 'reset-after-accept';
          forward(head);
        }
        const take = Math.min(remaining, buffer.length);
        const part = buffer.subarray(0, take);
        buffer = buffer.subarray(take);
        remaining -= take;
        if (fault === 'reset-mid-body') {
          const piece = part.subarray(0, Math.max(0, half - forwarded));
          if (piece.length > 0) forward(piece);
          forwarded += piece.length;
          if (forwarded >= half) {
            // Half the body went to the intake (then its end of file), the client gets a reset.
            counters.resetMidBody++;
            closed = true;
            connections.delete(pair);
            client.resetAndDestroy();
            upstream.end();
            setTimeout(() => upstream.destroy(), 1_000).unref();
            return;
          }
        } else forward(part);
        if (remaining > 0) return;
        inBody = false;
        if (buffer.length === 0) return;
      }
    };
    client.on('data', onData);
  };

  const listen = async (): Promise<void> => {
    const s = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        resolve();
      });
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };

  const closeAll = async (graceful: boolean): Promise<void> => {
    const s = server;
    server = undefined;
    const closed = s !== undefined ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve();
    draining = true;
    const deadline = Date.now() + (graceful ? 5_000 : 0);
    while ([...connections].some((c) => c.outstanding) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    for (const { client, upstream } of [...connections]) {
      client.destroy();
      upstream.destroy();
    }
    connections.clear();
    held.clear();
    await closed;
    draining = false;
  };

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    counters,
    down: () => closeAll(true),
    up: listen,
    fail: (path, ...faults) => {
      queued.set(path, [...(queued.get(path) ?? []), ...faults]);
    },
    slow: (on) => {
      slow = on;
      if (!on) {
        for (const entry of [...held]) {
          held.delete(entry);
          entry.release();
        }
      }
    },
    close: () => closeAll(false),
  };
}

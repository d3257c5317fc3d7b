/**
 * A long-running part of the built-in agent (DogStatsD server, trace receiver, forwarder…).
 * `agent run` starts each, reports their `status()` over IPC, and on SIGTERM stops them in
 * order (listeners first, then whatever flushes) within one shared deadline.
 */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  /** Stop accepting input, flush what is buffered, resolve by `deadline` (ms since epoch) at the latest. */
  stop(deadline: number): Promise<void>;
  /** A JSON-serialisable snapshot for `agent status`; never contains a secret. */
  status(): Record<string, unknown>;
}

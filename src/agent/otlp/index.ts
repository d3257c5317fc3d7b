// OTLP ingest as a component of the built-in agent: the OTLP/HTTP and OTLP/gRPC receivers, handing
// decoded requests to the translators given as functions.
import type { Logger } from '../../log.js';
import type { Component } from '../component.js';
import type { DecodeLimits, OtlpSignal } from './decode/index.js';
import { OtlpCounters } from './receiver/counters.js';
import { parseEndpoint, type Endpoint } from './receiver/endpoint.js';
import type { MetricsHandler, TracesHandler } from './receiver/export.js';
import { DEFAULT_MAX_RECV_MSG_SIZE_MIB, OtlpGrpcReceiver } from './receiver/grpc-receiver.js';
import { DEFAULT_MAX_REQUEST_BODY_BYTES, OtlpHttpReceiver } from './receiver/http-receiver.js';
import { RequestBudget } from './receiver/request-budget.js';

export { DEFAULT_OTLP_GRPC_ENDPOINT, DEFAULT_OTLP_HTTP_ENDPOINT, parseEndpoint } from './receiver/endpoint.js';
export { DEFAULT_MAX_RECV_MSG_SIZE_MIB } from './receiver/grpc-receiver.js';
export { DEFAULT_MAX_REQUEST_BODY_BYTES } from './receiver/http-receiver.js';
export type { ExportContext, MetricsHandler, TracesHandler } from './receiver/export.js';
export type { ExportResult } from './decode/index.js';

export interface OtlpReceiverOptions {
  /** otlp_config.receiver.protocols.http.endpoint (`host:port`); unset: no OTLP/HTTP. */
  readonly http?: string | undefined;
  /** otlp_config.receiver.protocols.grpc.endpoint (`host:port`); unset: no OTLP/gRPC. */
  readonly grpc?: string | undefined;
  readonly metrics: MetricsHandler;
  readonly traces: TracesHandler;
  readonly logger: Logger;
  /** otlp_config.receiver.protocols.http.max_request_body_size, bytes (20 MiB). */
  readonly maxRequestBodyBytes?: number;
  /** otlp_config.receiver.protocols.grpc.max_recv_msg_size_mib (4). */
  readonly maxRecvMsgSizeMiB?: number;
  /** Exports handled at once across both transports (16); beyond it 429 / UNAVAILABLE. */
  readonly maxConcurrentRequests?: number;
  /** Body bytes held at once across both transports (32 MiB, at least one largest body). */
  readonly maxBufferedBytes?: number;
  readonly decodeLimits?: DecodeLimits;
  /** What the handlers of `signal` report (switches, translator counters), shown under that signal in status(). */
  readonly signalStatus?: (signal: OtlpSignal) => Record<string, unknown>;
}

export interface OtlpReceiver extends Component {
  /** Bound ports (0 when off or not listening), useful with `:0` endpoints. */
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Export requests received so far, both transports. */
  readonly requestsReceived: number;
}

const DEFAULT_MAX_CONCURRENT_REQUESTS = 16;
const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

type ReceiverState =
  | { readonly state: 'off' }
  | { readonly state: 'error'; readonly endpoint: string; readonly error: string }
  | { readonly state: 'listening' | 'stopped'; readonly endpoint: string; readonly receiver: OtlpHttpReceiver | OtlpGrpcReceiver };

export function createOtlpReceiver(options: OtlpReceiverOptions): OtlpReceiver {
  const { logger } = options;
  const counters = new OtlpCounters();
  const maxRequestBodyBytes = options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES;
  const maxRecvMsgSizeMiB = options.maxRecvMsgSizeMiB ?? DEFAULT_MAX_RECV_MSG_SIZE_MIB;
  const budget = new RequestBudget(
    options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS,
    Math.max(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, maxRequestBodyBytes, maxRecvMsgSizeMiB * 1024 * 1024),
  );
  const deps = { handlers: { metrics: options.metrics, traces: options.traces }, counters, logger, decodeLimits: options.decodeLimits, budget };
  const receivers: Record<'http' | 'grpc', ReceiverState> = { http: { state: 'off' }, grpc: { state: 'off' } };
  const enabled = options.http !== undefined || options.grpc !== undefined;

  const startOne = async (transport: 'http' | 'grpc', text: string | undefined): Promise<void> => {
    if (text === undefined) return;
    const label = transport === 'http' ? 'OTLP/HTTP' : 'OTLP/gRPC';
    let endpoint: Endpoint;
    try {
      endpoint = parseEndpoint(text);
    } catch (error) {
      receivers[transport] = { state: 'error', endpoint: text, error: (error as Error).message };
      logger.error(`${label} receiver disabled: ${(error as Error).message}`);
      return;
    }
    const receiver =
      transport === 'http' ? new OtlpHttpReceiver({ ...deps, endpoint, maxRequestBodyBytes }) : new OtlpGrpcReceiver({ ...deps, endpoint, maxRecvMsgSizeMiB });
    try {
      await receiver.start();
    } catch (error) {
      // As the trace receiver: a port already taken disables this receiver, never the agent.
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      receivers[transport] = { state: 'error', endpoint: text, error: `cannot listen on ${text}: ${reason}` };
      logger.error(`${label} receiver disabled: cannot listen on ${text}: ${reason}`);
      return;
    }
    receivers[transport] = { state: 'listening', endpoint: text, receiver };
    logger.info(`${label} receiver listening on ${receiver.address}`);
  };

  const port = (transport: 'http' | 'grpc'): number => {
    const r = receivers[transport];
    return r.state === 'listening' ? r.receiver.port : 0;
  };

  return {
    name: 'otlp',
    get httpPort() {
      return port('http');
    },
    get grpcPort() {
      return port('grpc');
    },
    get requestsReceived() {
      return counters.requests.http + counters.requests.grpc;
    },
    async start() {
      if (!enabled) {
        logger.debug('OTLP ingest off (no otlp_config.receiver.protocols endpoint set)');
        return;
      }
      await Promise.all([startOne('http', options.http), startOne('grpc', options.grpc)]);
    },
    async stop(deadline: number) {
      await Promise.all(
        (['http', 'grpc'] as const).map(async (transport) => {
          const r = receivers[transport];
          if (r.state !== 'listening') return;
          receivers[transport] = { ...r, state: 'stopped' };
          await r.receiver.stop(deadline);
        }),
      );
    },
    status() {
      if (!enabled) return { enabled: false };
      const snapshot = counters.snapshot();
      const view = (r: ReceiverState): Record<string, unknown> => {
        if (r.state === 'off') return { state: 'off' };
        if (r.state === 'error') return { state: 'error', endpoint: r.endpoint, error: r.error };
        return { state: r.state, endpoint: r.endpoint, address: r.receiver.address };
      };
      return {
        enabled: true,
        receivers: { http: view(receivers.http), grpc: view(receivers.grpc) },
        ...snapshot,
        metrics: { ...snapshot.metrics, ...options.signalStatus?.('metrics') },
        traces: { ...snapshot.traces, ...options.signalStatus?.('traces') },
        ...budget.snapshot(),
        limits: { maxRequestBodyBytes, maxRecvMsgSizeMiB, maxConcurrentRequests: budget.maxRequests, maxBufferedBytes: budget.maxBytes },
      };
    },
  };
}

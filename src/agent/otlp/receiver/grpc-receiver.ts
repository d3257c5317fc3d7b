// OTLP/gRPC: MetricsService/Export and TraceService/Export on @grpc/grpc-js, decoded by our own decoder
// (the messages pass through grpc-js as bytes); grpc-js itself inflates gzip/deflate messages.
import type { Metadata, sendUnaryData, Server, ServerUnaryCall, ServiceDefinition } from '@grpc/grpc-js';
import type { Logger } from '../../../log.js';
import { encodeExportResponse, RpcCode, type OtlpSignal } from '../decode/index.js';
import type { OtlpCounters } from './counters.js';
import { formatAddress, type Endpoint } from './endpoint.js';
import { runExport, type ExportDeps } from './export.js';
import type { RequestBudget } from './request-budget.js';

/** max_recv_msg_size_mib unset (0) in the Datadog Agent leaves grpc-go's default: 4 MiB. */
export const DEFAULT_MAX_RECV_MSG_SIZE_MIB = 4;

const SERVICES: Record<OtlpSignal, string> = {
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
};

export interface GrpcReceiverOptions extends ExportDeps {
  readonly endpoint: Endpoint;
  readonly maxRecvMsgSizeMiB: number;
  readonly budget: RequestBudget;
  readonly counters: OtlpCounters;
  readonly logger: Logger;
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function exportService(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: asBuffer,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: asBuffer,
      responseDeserialize: (bytes: Buffer) => bytes,
      originalName: 'export',
    },
  };
}

function textMetadata(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata.getMap())) if (typeof value === 'string') out[name] = value;
  return out;
}

export class OtlpGrpcReceiver {
  private server: Server | undefined;
  private boundPort = 0;
  private stopping = false;

  constructor(private readonly options: GrpcReceiverOptions) {}

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return formatAddress(this.options.endpoint.host, this.boundPort);
  }

  async start(): Promise<void> {
    const { Server, ServerCredentials } = await import('./grpc-js.js');
    const maxBytes = Math.max(1, this.options.maxRecvMsgSizeMiB) * 1024 * 1024;
    const server = new Server({
      'grpc.max_receive_message_length': maxBytes,
      // The spec's bound on responses; ours are a few bytes.
      'grpc.max_send_message_length': 4 * 1024 * 1024,
    });
    for (const signal of ['metrics', 'traces'] as const) {
      server.addService(exportService(SERVICES[signal]), { Export: (call: ServerUnaryCall<Buffer, Uint8Array>, done: sendUnaryData<Uint8Array>) => this.export(signal, call, done) });
    }
    const { host, port } = this.options.endpoint;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${formatAddress(host, port)}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    this.server = server;
  }

  /** Stops accepting; calls in progress get until `deadline` (a second at most), then are cancelled. */
  async stop(deadline: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stopping = true;
    const until = Math.min(deadline, Date.now() + 1000);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, Math.max(0, until - Date.now()));
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private export(signal: OtlpSignal, call: ServerUnaryCall<Buffer, Uint8Array>, done: sendUnaryData<Uint8Array>): void {
    const { counters, budget, logger } = this.options;
    counters.requests.grpc++;
    const body = call.request;
    if (this.stopping) {
      counters.refuse('stopping');
      return done({ code: RpcCode.UNAVAILABLE, details: 'the agent is stopping' });
    }
    if (!budget.tryStart(body.length)) {
      counters.refuse('overloaded');
      logger.once('otlp-grpc-overload', 'warn', `OTLP/gRPC receiver: over ${budget.maxRequests} requests or ${budget.maxBytes} bytes in flight, answering UNAVAILABLE`);
      // UNAVAILABLE is the spec's retryable throttling signal.
      return done({ code: RpcCode.UNAVAILABLE, details: 'the agent is busy: retry later' });
    }
    budget.hold(body.length);
    runExport(signal, body, { transport: 'grpc', encoding: 'protobuf', headers: textMetadata(call.metadata) }, this.options)
      .then((outcome) => {
        if (outcome.kind === 'invalid') done({ code: RpcCode.INVALID_ARGUMENT, details: outcome.message });
        else if (outcome.kind === 'failed') done({ code: RpcCode.INTERNAL, details: outcome.message });
        else done(null, encodeExportResponse(signal, outcome.result, 'protobuf'));
      })
      .catch((error: unknown) => done({ code: RpcCode.INTERNAL, details: (error as Error).message }))
      .finally(() => {
        budget.hold(-body.length);
        budget.finish();
      });
  }
}

// What the receivers answer: Export{Metrics,Trace}ServiceResponse with partial_success, and the
// google.rpc.Status body of OTLP/HTTP failures, each as protobuf or as OTLP/JSON.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export type OtlpEncoding = 'protobuf' | 'json';
export type OtlpSignal = 'metrics' | 'traces';

/** What a translator made of one request: points/spans it could not take, and why. */
export interface ExportResult {
  readonly rejected: number;
  readonly error?: string;
}

/** The spec's response size bound is 4 MiB; an error message never needs more than this. */
const MAX_ERROR_MESSAGE_CHARS = 4096;

const REJECTED_JSON_FIELD: Record<OtlpSignal, string> = { metrics: 'rejectedDataPoints', traces: 'rejectedSpans' };

/**
 * The response to an export. partial_success stays unset on full success, as the spec requires; it is
 * set when points/spans were rejected, or (rejected 0) to carry a warning.
 */
export function encodeExportResponse(signal: OtlpSignal, result: ExportResult, encoding: OtlpEncoding): Uint8Array {
  const rejected = Math.max(0, Math.trunc(result.rejected));
  const message = (result.error ?? '').slice(0, MAX_ERROR_MESSAGE_CHARS);
  const partial = rejected > 0 || message !== '';
  if (encoding === 'json') {
    if (!partial) return Buffer.from('{}');
    const body: Record<string, string> = {};
    // int64 in proto3 JSON is a decimal string.
    if (rejected > 0) body[REJECTED_JSON_FIELD[signal]] = String(rejected);
    if (message !== '') body.errorMessage = message;
    return Buffer.from(JSON.stringify({ partialSuccess: body }));
  }
  if (!partial) return new Uint8Array(0);
  // Both partial-success messages: rejected count (1, int64), error_message (2).
  const w = new BinaryWriter().tag(1, WireType.LengthDelimited).fork();
  if (rejected > 0) w.tag(1, WireType.Varint).int64(rejected);
  if (message !== '') w.tag(2, WireType.LengthDelimited).string(message);
  return w.join().finish();
}

/** google.rpc.Status codes the receivers use (the gRPC codes). */
export const RpcCode = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** google.rpc.Status { code = 1; message = 2 } without details. */
export function encodeRpcStatus(code: number, message: string, encoding: OtlpEncoding): Uint8Array {
  const text = message.slice(0, MAX_ERROR_MESSAGE_CHARS);
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message: text }));
  const w = new BinaryWriter();
  if (code !== 0) w.tag(1, WireType.Varint).int32(code);
  if (text !== '') w.tag(2, WireType.LengthDelimited).string(text);
  return w.finish();
}

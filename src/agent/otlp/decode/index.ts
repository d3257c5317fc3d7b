// OTLP request bodies (protobuf or JSON) to the model the translators read.
import type { ExportMetricsServiceRequest, ExportTraceServiceRequest } from '../model.js';
import { decodeMetricsJson } from './json-metrics.js';
import { decodeTracesJson } from './json-traces.js';
import type { DecodeLimits } from './limits.js';
import { decodeMetricsProto } from './proto-metrics.js';
import { decodeTracesProto } from './proto-traces.js';
import type { OtlpEncoding } from './responses.js';

export { DecodeError } from './decode-error.js';
export { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './limits.js';
export { decodeMetricsJson, decodeMetricsProto, decodeTracesJson, decodeTracesProto };
export { encodeExportResponse, encodeRpcStatus, RpcCode, type ExportResult, type OtlpEncoding, type OtlpSignal } from './responses.js';

/** Decodes an ExportMetricsServiceRequest; throws DecodeError on a malformed body. */
export function decodeMetricsRequest(body: Uint8Array, encoding: OtlpEncoding, limits?: DecodeLimits): ExportMetricsServiceRequest {
  return encoding === 'json' ? decodeMetricsJson(body, limits) : decodeMetricsProto(body, limits);
}

/** Decodes an ExportTraceServiceRequest; throws DecodeError on a malformed body. */
export function decodeTracesRequest(body: Uint8Array, encoding: OtlpEncoding, limits?: DecodeLimits): ExportTraceServiceRequest {
  return encoding === 'json' ? decodeTracesJson(body, limits) : decodeTracesProto(body, limits);
}

// Export*ServiceResponse and google.rpc.Status as the receivers write them, read back by the SDK's own
// response deserializers where it has them.
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { encodeExportResponse, encodeRpcStatus, RpcCode } from '../../../src/agent/otlp/decode/index.js';

function readStatus(bytes: Uint8Array): { code: number; message: string } {
  const r = new BinaryReader(bytes);
  const out = { code: 0, message: '' };
  while (r.pos < r.len) {
    const [no] = r.tag();
    if (no === 1) out.code = r.int32();
    else if (no === 2) out.message = r.string();
  }
  return out;
}

describe('export responses', () => {
  it('leaves partial_success unset on full success', () => {
    expect(encodeExportResponse('metrics', { rejected: 0 }, 'protobuf')).toHaveLength(0);
    expect(Buffer.from(encodeExportResponse('traces', { rejected: 0 }, 'json')).toString()).toBe('{}');
    expect(ProtobufMetricsSerializer.deserializeResponse(encodeExportResponse('metrics', { rejected: 0 }, 'protobuf')).partialSuccess).toBeFalsy();
  });

  it('writes rejected data points and spans with the message, in protobuf and JSON', () => {
    const metrics = ProtobufMetricsSerializer.deserializeResponse(encodeExportResponse('metrics', { rejected: 3, error: 'NaN values' }, 'protobuf'));
    expect(Number(metrics.partialSuccess?.rejectedDataPoints)).toBe(3);
    expect(metrics.partialSuccess?.errorMessage).toBe('NaN values');
    const traces = ProtobufTraceSerializer.deserializeResponse(encodeExportResponse('traces', { rejected: 2, error: 'no trace id' }, 'protobuf'));
    expect(Number(traces.partialSuccess?.rejectedSpans)).toBe(2);
    expect(traces.partialSuccess?.errorMessage).toBe('no trace id');

    expect(JsonMetricsSerializer.deserializeResponse(encodeExportResponse('metrics', { rejected: 3, error: 'x' }, 'json'))).toEqual({ partialSuccess: { rejectedDataPoints: '3', errorMessage: 'x' } });
    expect(JsonTraceSerializer.deserializeResponse(encodeExportResponse('traces', { rejected: 1 }, 'json'))).toEqual({ partialSuccess: { rejectedSpans: '1' } });
    // A warning without rejections is still a partial_success, with rejected 0 left at its default.
    expect(JsonTraceSerializer.deserializeResponse(encodeExportResponse('traces', { rejected: 0, error: 'slow down' }, 'json'))).toEqual({ partialSuccess: { errorMessage: 'slow down' } });
  });

  it('writes google.rpc.Status bodies', () => {
    expect(readStatus(encodeRpcStatus(RpcCode.INVALID_ARGUMENT, 'bad body', 'protobuf'))).toEqual({ code: 3, message: 'bad body' });
    expect(JSON.parse(Buffer.from(encodeRpcStatus(RpcCode.UNAVAILABLE, 'busy', 'json')).toString())).toEqual({ code: 14, message: 'busy' });
    expect(readStatus(encodeRpcStatus(RpcCode.INTERNAL, 'x'.repeat(10_000), 'protobuf')).message).toHaveLength(4096);
  });
});

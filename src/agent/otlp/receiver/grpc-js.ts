// What OTLP/gRPC needs of @grpc/grpc-js at run time, and nothing else: the build makes this module
// lib/otlp-grpc.js, loaded by grpc-receiver.ts only when a gRPC endpoint is set (grpc-js costs
// several MB of memory once loaded; an OTLP/HTTP-only agent does not pay them).
export { Server, ServerCredentials } from '@grpc/grpc-js';

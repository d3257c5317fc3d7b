// `host:port` endpoints as otlp_config.receiver.protocols.{http,grpc}.endpoint write them.
import { splitHostPort } from '../../../config/parsers.js';

/** The Datadog Agent's defaults (pkg/config/setup, from the collector's otlpreceiver): loopback only. */
export const DEFAULT_OTLP_HTTP_ENDPOINT = 'localhost:4318';
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'localhost:4317';

export interface Endpoint {
  /** The address to bind: `localhost` as 127.0.0.1, an empty host as every IPv4 interface. */
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port`; throws with the fix on anything else. */
export function parseEndpoint(endpoint: string): Endpoint {
  const parts = splitHostPort(endpoint);
  if (parts === undefined) {
    throw new Error(`OTLP endpoint '${endpoint}' is not host:port: write it like ${DEFAULT_OTLP_HTTP_ENDPOINT} (no scheme, no path)`);
  }
  const { host, port } = parts;
  // As Go's net.Listen: an empty host means every interface; localhost stays on IPv4 loopback.
  if (host === '') return { host: '0.0.0.0', port };
  if (host.toLowerCase() === 'localhost') return { host: '127.0.0.1', port };
  return { host, port };
}

/** `host:port` for logs and status, brackets around IPv6. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

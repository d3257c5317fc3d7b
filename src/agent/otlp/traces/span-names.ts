// Service, operation name, resource and type of a Datadog span from an OTLP span's kind and attributes,
// span attributes winning over resource attributes (`GetOTelOperationNameV2`, `GetOTelResourceV2`, `GetOTelSpanType`).
import { normalizeService } from '../../apm/normalize-names.js';
import { SPAN_KIND_CLIENT, SPAN_KIND_CONSUMER, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER, SPAN_KIND_UNSPECIFIED } from '../model.js';
import { asInt } from '../any-value.js';
import { either, type AttributeMap } from './attribute-map.js';
import { dbSpanType, DD_KEYS, DEFAULT_OTLP_SERVICE, spanKindString } from './conventions.js';

/** One span's view for naming: its attributes, its resource's, its kind and its name. */
export interface NamingInput {
  readonly span: AttributeMap;
  readonly resource: AttributeMap;
  readonly kind: number;
  readonly name: string;
}

export function serviceOf({ span, resource }: NamingInput): string {
  return normalizeService(either(span, resource, false, 'service.name') || DEFAULT_OTLP_SERVICE, '');
}

export function operationNameV2({ span, resource, kind }: NamingInput): string {
  const get = (normalize: boolean, ...keys: string[]): string => either(span, resource, normalize, ...keys);
  const override = get(true, 'operation.name');
  if (override) return override;
  const isClient = kind === SPAN_KIND_CLIENT;
  const isServer = kind === SPAN_KIND_SERVER;

  if (get(false, 'http.request.method', 'http.method')) {
    if (isServer) return 'http.server.request';
    if (isClient) return 'http.client.request';
  }
  const db = get(true, 'db.system');
  if (db && isClient) return `${db}.query`;

  const messagingSystem = get(true, 'messaging.system');
  const messagingOperation = get(true, 'messaging.operation');
  if (messagingSystem && messagingOperation && (isClient || isServer || kind === SPAN_KIND_CONSUMER || kind === SPAN_KIND_PRODUCER)) {
    return `${messagingSystem}.${messagingOperation}`;
  }

  const rpc = get(true, 'rpc.system');
  if (rpc === 'aws-api' && isClient) {
    const service = get(true, 'rpc.service');
    return service ? `aws.${service}.request` : 'aws.client.request';
  }
  if (rpc && isClient) return `${rpc}.client.request`;
  if (rpc && isServer) return `${rpc}.server.request`;

  const provider = get(true, 'faas.invoked_provider');
  const invoked = get(true, 'faas.invoked_name');
  if (provider && invoked && isClient) return `${provider}.${invoked}.invoke`;
  const trigger = get(true, 'faas.trigger');
  if (trigger && isServer) return `${trigger}.invoke`;

  if (get(true, 'graphql.operation.type')) return 'graphql.server.request';

  const protocol = get(true, 'network.protocol.name');
  if (isServer) return protocol ? `${protocol}.server.request` : 'server.request';
  if (isClient) return protocol ? `${protocol}.client.request` : 'client.request';
  return kind === SPAN_KIND_UNSPECIFIED ? 'Internal' : spanKindString(kind);
}

export function resourceNameV2({ span, resource, kind, name }: NamingInput): string {
  const get = (...keys: string[]): string => either(span, resource, false, ...keys);
  const override = get('resource.name');
  if (override) return override;

  let method = get('http.request.method', 'http.method');
  if (method) {
    if (method === '_OTHER') method = 'HTTP';
    const route = kind === SPAN_KIND_SERVER ? get('http.route') : '';
    return route ? `${method} ${route}` : method;
  }
  const messaging = get('messaging.operation');
  if (messaging) {
    const destination = get('messaging.destination', 'messaging.destination.name');
    return destination ? `${messaging} ${destination}` : messaging;
  }
  const rpcMethod = get('rpc.method');
  if (rpcMethod) {
    const service = get('rpc.service');
    return service ? `${rpcMethod} ${service}` : rpcMethod;
  }
  const graphql = get('graphql.operation.type');
  if (graphql) {
    const operation = get('graphql.operation.name');
    return operation ? `${graphql} ${operation}` : graphql;
  }
  // The query is the resource so that obfuscation (which works on the resource) sees it.
  if (get('db.system')) {
    const query = get('db.statement') || get('db.query.text');
    if (query) return query;
  }
  return name;
}

/** The v1 naming kept for `span_name_as_resource_name` / `span_name_remappings`: scope name + kind. */
export function operationNameV1(input: NamingInput, scopeName: string, spanNameAsResourceName: boolean, remappings: Readonly<Record<string, string>>): string {
  // v1 looks in the resource first.
  let name = either(input.resource, input.span, false, 'operation.name');
  if (!name) {
    if (spanNameAsResourceName) name = input.name;
    else name = `${scopeName || 'opentelemetry'}.${spanKindString(input.kind).toLowerCase()}`;
  }
  return Object.hasOwn(remappings, name) ? remappings[name]! : name;
}

export function resourceNameV1({ span, resource, name }: NamingInput): string {
  const get = (...keys: string[]): string => either(resource, span, false, ...keys);
  const override = get('resource.name');
  if (override) return override;
  const method = get('http.request.method', 'http.method');
  if (method) {
    const route = get('http.route');
    return route ? `${method} ${route}` : method;
  }
  const messaging = get('messaging.operation');
  if (messaging) {
    const destination = get('messaging.destination', 'messaging.destination.name');
    return destination ? `${messaging} ${destination}` : messaging;
  }
  const rpcMethod = get('rpc.method');
  // v1 appends the rpc service even when it is empty (a trailing space), as the agent does.
  if (rpcMethod) return `${rpcMethod} ${get('rpc.service')}`;
  const graphql = get('graphql.operation.type');
  if (graphql) {
    const operation = get('graphql.operation.name');
    return operation ? `${graphql} ${operation}` : graphql;
  }
  return name;
}

export function spanTypeOf({ span, resource, kind }: NamingInput): string {
  const override = either(span, resource, false, 'span.type');
  if (override) return override;
  if (kind === SPAN_KIND_SERVER) return 'web';
  if (kind === SPAN_KIND_CLIENT) {
    const db = either(span, resource, true, 'db.system');
    return db ? dbSpanType(db) : 'http';
  }
  return 'custom';
}

function statusIn(map: AttributeMap, key: string): number | undefined {
  const value = map.get(key);
  return value === undefined ? undefined : Number(BigInt.asUintN(32, asInt(value)));
}

/** The HTTP status code metric (`GetOTelStatusCode`): a present key decides, even when it is not an int. */
export function httpStatusCodeOf({ span, resource }: NamingInput): number {
  return (
    statusIn(span, DD_KEYS.httpStatusCode) ??
    statusIn(resource, DD_KEYS.httpStatusCode) ??
    statusIn(span, 'http.status_code') ??
    statusIn(span, 'http.response.status_code') ??
    statusIn(resource, 'http.status_code') ??
    statusIn(resource, 'http.response.status_code') ??
    0
  );
}

// Operation names, resources, span types and services of OTLP spans: the cases of the Datadog Agent's
// otel_util tests (GetOTelOperationNameV2, GetOTelResourceV2, GetOTelSpanType, GetOTelService).
import { describe, expect, it } from 'vitest';
import { SPAN_KIND_CLIENT, SPAN_KIND_CONSUMER, SPAN_KIND_INTERNAL, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER, SPAN_KIND_UNSPECIFIED } from '../../../src/agent/otlp/model.js';
import { mapOne, scope, type AttributeInput } from './traces-fixtures.js';

interface NameCase {
  readonly kind: number;
  readonly span?: Record<string, AttributeInput>;
  readonly resource?: Record<string, AttributeInput>;
  readonly expected: string;
}

describe('operation name (v2, the default)', () => {
  const cases: Record<string, NameCase> = {
    'http server': { kind: SPAN_KIND_SERVER, span: { 'http.request.method': 'GET' }, expected: 'http.server.request' },
    'http client': { kind: SPAN_KIND_CLIENT, span: { 'http.request.method': 'POST' }, expected: 'http.client.request' },
    'old http.method server': { kind: SPAN_KIND_SERVER, span: { 'http.method': 'GET' }, expected: 'http.server.request' },
    'http method on an internal span is not http': { kind: SPAN_KIND_INTERNAL, span: { 'http.method': 'GET' }, expected: 'Internal' },
    'db client': { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'postgresql' }, expected: 'postgresql.query' },
    'db system from the resource': { kind: SPAN_KIND_CLIENT, resource: { 'db.system': 'mysql' }, expected: 'mysql.query' },
    'db system on a server span': { kind: SPAN_KIND_SERVER, span: { 'db.system': 'postgresql' }, expected: 'server.request' },
    'span db.system wins over the resource': { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'postgresql' }, resource: { 'db.system': 'mysql' }, expected: 'postgresql.query' },
    'messaging producer': { kind: SPAN_KIND_PRODUCER, span: { 'messaging.system': 'Kafka', 'messaging.operation': 'publish' }, expected: 'kafka.publish' },
    'messaging consumer': { kind: SPAN_KIND_CONSUMER, span: { 'messaging.system': 'rabbitmq', 'messaging.operation': 'receive' }, expected: 'rabbitmq.receive' },
    'messaging without operation': { kind: SPAN_KIND_CONSUMER, span: { 'messaging.system': 'rabbitmq' }, expected: 'Consumer' },
    'aws client with service': { kind: SPAN_KIND_CLIENT, span: { 'rpc.system': 'aws-api', 'rpc.service': 'S3' }, expected: 'aws.s3.request' },
    'aws client': { kind: SPAN_KIND_CLIENT, span: { 'rpc.system': 'aws-api' }, expected: 'aws.client.request' },
    'rpc client': { kind: SPAN_KIND_CLIENT, span: { 'rpc.system': 'grpc' }, expected: 'grpc.client.request' },
    'rpc server': { kind: SPAN_KIND_SERVER, span: { 'rpc.system': 'grpc' }, expected: 'grpc.server.request' },
    'faas client': { kind: SPAN_KIND_CLIENT, span: { 'faas.invoked_provider': 'aws', 'faas.invoked_name': 'my-fn' }, expected: 'aws.my-fn.invoke' },
    'faas server': { kind: SPAN_KIND_SERVER, span: { 'faas.trigger': 'datasource' }, expected: 'datasource.invoke' },
    graphql: { kind: SPAN_KIND_SERVER, span: { 'graphql.operation.type': 'query' }, expected: 'graphql.server.request' },
    'protocol server': { kind: SPAN_KIND_SERVER, span: { 'network.protocol.name': 'amqp' }, expected: 'amqp.server.request' },
    'protocol client': { kind: SPAN_KIND_CLIENT, span: { 'network.protocol.name': 'mqtt' }, expected: 'mqtt.client.request' },
    'bare server': { kind: SPAN_KIND_SERVER, expected: 'server.request' },
    'bare client': { kind: SPAN_KIND_CLIENT, expected: 'client.request' },
    internal: { kind: SPAN_KIND_INTERNAL, expected: 'Internal' },
    unspecified: { kind: SPAN_KIND_UNSPECIFIED, expected: 'Internal' },
    producer: { kind: SPAN_KIND_PRODUCER, expected: 'Producer' },
    'operation.name overrides, tag-normalised': { kind: SPAN_KIND_SERVER, span: { 'operation.name': 'My Op', 'http.method': 'GET' }, expected: 'my_op' },
    'operation.name on the resource': { kind: SPAN_KIND_CLIENT, resource: { 'operation.name': 'batch.run' }, expected: 'batch.run' },
    'datadog.operation_name wins over everything': { kind: SPAN_KIND_SERVER, span: { 'datadog.operation_name': 'dd.op', 'operation.name': 'other' }, expected: 'dd.op' },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      expect(mapOne({ kind: c.kind, attributes: c.span ?? {} }, c.resource).name).toBe(c.expected);
    });
  }
});

describe('operation name (v1, with span_name_as_resource_name or remappings)', () => {
  it('scope name and kind', () => {
    expect(mapOne({ kind: SPAN_KIND_SERVER }, {}, { operationAndResourceNameV1: true }, scope('spring')).name).toBe('spring.server');
    expect(mapOne({ kind: SPAN_KIND_CLIENT }, {}, { operationAndResourceNameV1: true }).name).toBe('opentelemetry.client');
  });
  it('span name as operation name', () => {
    expect(mapOne({ kind: SPAN_KIND_SERVER, name: 'span_name' }, {}, { spanNameAsResourceName: true }).name).toBe('span_name');
  });
  it('remapped', () => {
    expect(mapOne({ kind: SPAN_KIND_INTERNAL }, {}, { spanNameRemappings: { 'opentelemetry.internal': 'internal_op' } }).name).toBe('internal_op');
  });
  it('v1 resource adds the route on any kind', () => {
    const span = mapOne({ kind: SPAN_KIND_CLIENT, attributes: { 'http.method': 'GET', 'http.route': '/' } }, {}, { operationAndResourceNameV1: true });
    expect(span.resource).toBe('GET /');
  });
});

describe('resource (v2)', () => {
  const cases: Record<string, NameCase> = {
    'span name when nothing else': { kind: SPAN_KIND_INTERNAL, expected: 'span_name' },
    'resource.name': { kind: SPAN_KIND_INTERNAL, span: { 'resource.name': 'res' }, expected: 'res' },
    'http method alone': { kind: SPAN_KIND_CLIENT, span: { 'http.request.method': 'GET' }, expected: 'GET' },
    'http method and route on a client: no route': { kind: SPAN_KIND_CLIENT, span: { 'http.method': 'GET', 'http.route': '/' }, expected: 'GET' },
    'http method and route on a server': { kind: SPAN_KIND_SERVER, span: { 'http.request.method': 'POST', 'http.route': '/api/users' }, expected: 'POST /api/users' },
    '_OTHER is HTTP': { kind: SPAN_KIND_CLIENT, span: { 'http.request.method': '_OTHER' }, expected: 'HTTP' },
    'http.request.method before http.method': { kind: SPAN_KIND_CLIENT, span: { 'http.request.method': 'PUT', 'http.method': 'GET' }, expected: 'PUT' },
    'span wins over resource': { kind: SPAN_KIND_CLIENT, span: { 'http.request.method': 'GET' }, resource: { 'http.request.method': 'POST' }, expected: 'GET' },
    'messaging operation and destination': { kind: SPAN_KIND_PRODUCER, span: { 'messaging.operation': 'publish', 'messaging.destination.name': 'orders' }, expected: 'publish orders' },
    'rpc method and service': { kind: SPAN_KIND_CLIENT, span: { 'rpc.method': 'Get', 'rpc.service': 'Users' }, expected: 'Get Users' },
    'rpc method alone': { kind: SPAN_KIND_CLIENT, span: { 'rpc.method': 'Get' }, expected: 'Get' },
    'graphql with name': { kind: SPAN_KIND_SERVER, span: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'myQuery' }, expected: 'query myQuery' },
    'graphql type only': { kind: SPAN_KIND_SERVER, span: { 'graphql.operation.type': 'query' }, expected: 'query' },
    'graphql name only': { kind: SPAN_KIND_SERVER, span: { 'graphql.operation.name': 'myQuery' }, expected: 'span_name' },
    'db statement': { kind: SPAN_KIND_CLIENT, resource: { 'db.system': 'mysql', 'db.statement': 'SELECT * FROM table WHERE id = 12345' }, expected: 'SELECT * FROM table WHERE id = 12345' },
    'db query text': { kind: SPAN_KIND_CLIENT, resource: { 'db.system': 'redis', 'db.query.text': 'SET key value' }, expected: 'SET key value' },
    'db.statement before db.query.text': { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'mysql', 'db.statement': 'SELECT FROM users', 'db.query.text': 'SELECT FROM orders' }, expected: 'SELECT FROM users' },
    'db system without a query': { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'postgresql' }, expected: 'span_name' },
    'resource.name before db.statement': { kind: SPAN_KIND_CLIENT, span: { 'resource.name': 'custom', 'db.system': 'mysql', 'db.statement': 'SELECT 1' }, expected: 'custom' },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      expect(mapOne({ kind: c.kind, attributes: c.span ?? {} }, c.resource).resource).toBe(c.expected);
    });
  }
});

describe('span type', () => {
  const cases: Record<string, NameCase> = {
    'span.type override (resource)': { kind: SPAN_KIND_INTERNAL, resource: { 'span.type': 'my-type' }, expected: 'my-type' },
    'span.type in both: span wins': { kind: SPAN_KIND_INTERNAL, resource: { 'span.type': 'resource-type' }, span: { 'span.type': 'span-type' }, expected: 'span-type' },
    server: { kind: SPAN_KIND_SERVER, expected: 'web' },
    'http client': { kind: SPAN_KIND_CLIENT, expected: 'http' },
    redis: { kind: SPAN_KIND_CLIENT, resource: { 'db.system': 'redis' }, expected: 'redis' },
    memcached: { kind: SPAN_KIND_CLIENT, resource: { 'db.system': 'memcached' }, expected: 'memcached' },
    postgresql: { kind: SPAN_KIND_CLIENT, resource: { 'db.system': 'postgresql' }, expected: 'sql' },
    elasticsearch: { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'elasticsearch' }, expected: 'elasticsearch' },
    opensearch: { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'opensearch' }, expected: 'opensearch' },
    cassandra: { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'cassandra' }, expected: 'cassandra' },
    mongodb: { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'mongodb' }, expected: 'mongodb' },
    'other db': { kind: SPAN_KIND_CLIENT, span: { 'db.system': 'couchdb' }, expected: 'db' },
    'db.system in both: span wins': { kind: SPAN_KIND_CLIENT, resource: { 'db.system': 'redis' }, span: { 'db.system': 'memcached' }, expected: 'memcached' },
    internal: { kind: SPAN_KIND_INTERNAL, expected: 'custom' },
    producer: { kind: SPAN_KIND_PRODUCER, expected: 'custom' },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      expect(mapOne({ kind: c.kind, attributes: c.span ?? {} }, c.resource).type).toBe(c.expected);
    });
  }
});

describe('service', () => {
  it('falls back to otlpresourcenoservicename', () => {
    expect(mapOne({}).service).toBe('otlpresourcenoservicename');
  });
  it('comes from the resource', () => {
    expect(mapOne({}, { 'service.name': 'svc' }).service).toBe('svc');
  });
  it('span service.name wins over the resource', () => {
    expect(mapOne({ attributes: { 'service.name': 'span_svc' } }, { 'service.name': 'resource_svc' }).service).toBe('span_svc');
  });
  it('is normalised, and an invalid one falls back', () => {
    expect(mapOne({}, { 'service.name': 'My Service' }).service).toBe('my_service');
    expect(mapOne({}, { 'service.name': '%$^' }).service).toBe('unnamed-service');
    expect(mapOne({}, { 'service.name': 'a'.repeat(101) }).service).toBe('a'.repeat(100));
  });
  it('datadog.service wins', () => {
    expect(mapOne({ attributes: { 'datadog.service': 'dd-svc' } }, { 'service.name': 'svc' }).service).toBe('dd-svc');
  });
  it('service.name is not copied into meta', () => {
    expect(mapOne({}, { 'service.name': 'svc' }).meta['service.name']).toBeUndefined();
  });
});

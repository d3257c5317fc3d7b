// Attribute keys and tables of the Datadog OTLP trace mapping (datadog-agent pkg/trace/transform,
// pkg/trace/otel/traceutil, opentelemetry-mapping-go otlp/attributes).
import { SPAN_KIND_CLIENT, SPAN_KIND_CONSUMER, SPAN_KIND_INTERNAL, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER, SPAN_KIND_UNSPECIFIED, STATUS_CODE_ERROR, STATUS_CODE_OK, STATUS_CODE_UNSET } from '../model.js';

/** The service of spans whose resource names none (`traceutil.DefaultOTLPServiceName`). */
export const DEFAULT_OTLP_SERVICE = 'otlpresourcenoservicename';

/** The `datadog.*` namespace a sender may use to set Datadog fields directly. */
export const DD_KEYS = {
  env: 'datadog.env',
  service: 'datadog.service',
  operationName: 'datadog.operation_name',
  resourceName: 'datadog.resource_name',
  spanType: 'datadog.span.type',
  spanKind: 'datadog.span.kind',
  httpStatusCode: 'datadog.http_status_code',
  containerId: 'datadog.container_id',
  version: 'datadog.version',
  error: 'datadog.error',
} as const;

/** `datadog.*` keys copied into meta under their APM names (span first, then resource). */
export const DD_KEYS_TO_META: ReadonlyArray<readonly [string, string]> = [
  [DD_KEYS.env, 'env'],
  [DD_KEYS.version, 'version'],
  [DD_KEYS.httpStatusCode, 'http.status_code'],
  ['datadog.error.msg', 'error.msg'],
  ['datadog.error.type', 'error.type'],
  ['datadog.error.stack', 'error.stack'],
];

/** OpenTelemetry HTTP conventions → the Datadog APM tag of the same meaning (`attributes.HTTPKeyMappings`). */
export const HTTP_KEY_MAPPINGS: ReadonlyMap<string, string> = new Map([
  ['client.address', 'http.client_ip'],
  ['http.response.body.size', 'http.response.content_length'],
  ['http.response.status_code', 'http.status_code'],
  ['http.request.body.size', 'http.request.content_length'],
  ['http.request.header.referrer', 'http.referrer'],
  ['http.request.method', 'http.method'],
  ['http.route', 'http.route'],
  ['network.protocol.version', 'http.version'],
  ['server.address', 'http.server_name'],
  ['url.full', 'http.url'],
  ['user_agent.original', 'http.useragent'],
]);

const REQUEST_HEADER_PREFIX = 'http.request.header.';

/** Keys the mapping sets span fields from, never copied into meta. */
function isApmConventionKey(key: string): boolean {
  return key === 'service.name' || key === 'operation.name' || key === 'resource.name' || key === 'span.type' || key.startsWith('datadog.');
}

/** `GetDDKeyForOTLPAttribute`: the meta/metrics key of an attribute, '' when it is not copied. */
export function datadogKeyFor(key: string): string {
  const mapped = HTTP_KEY_MAPPINGS.get(key);
  if (mapped !== undefined) return mapped;
  if (key.startsWith(REQUEST_HEADER_PREFIX)) return `http.request.headers.${key.slice(REQUEST_HEADER_PREFIX.length)}`;
  return isApmConventionKey(key) ? '' : key;
}

const SQL_SYSTEMS = [
  'other_sql', 'mssql', 'mysql', 'oracle', 'db2', 'postgresql', 'redshift', 'cloudscape', 'hsqldb', 'maxdb', 'ingres',
  'firstsql', 'edb', 'cache', 'firebird', 'derby', 'informix', 'mariadb', 'sqlite', 'sybase', 'teradata', 'vertica', 'h2',
  'coldfusion', 'cockroachdb', 'progress', 'hanadb', 'adabas', 'filemaker', 'instantdb', 'interbase', 'netezza', 'pervasive',
  'pointbase', 'clickhouse',
];

/** `db.system` → span type; systems not listed are `db`. */
const DB_SPAN_TYPES: ReadonlyMap<string, string> = new Map([
  ...SQL_SYSTEMS.map((s) => [s, 'sql'] as const),
  ['cassandra', 'cassandra'],
  ['redis', 'redis'],
  ['memcached', 'memcached'],
  ['mongodb', 'mongodb'],
  ['elasticsearch', 'elasticsearch'],
  ['opensearch', 'opensearch'],
]);

export function dbSpanType(system: string): string {
  return DB_SPAN_TYPES.get(system) ?? 'db';
}

/** `ptrace.SpanKind.String()`; '' for values the enum does not know. */
export function spanKindString(kind: number): string {
  switch (kind) {
    case SPAN_KIND_UNSPECIFIED:
      return 'Unspecified';
    case SPAN_KIND_INTERNAL:
      return 'Internal';
    case SPAN_KIND_SERVER:
      return 'Server';
    case SPAN_KIND_CLIENT:
      return 'Client';
    case SPAN_KIND_PRODUCER:
      return 'Producer';
    case SPAN_KIND_CONSUMER:
      return 'Consumer';
    default:
      return '';
  }
}

/** `traceutil.OTelSpanKindName`: the `span.kind` meta value. */
export function spanKindName(kind: number): string {
  const name = spanKindString(kind).toLowerCase();
  return name === '' ? 'unspecified' : name;
}

/** `ptrace.StatusCode.String()`: the `otel.status_code` meta value. */
export function statusCodeString(code: number): string {
  switch (code) {
    case STATUS_CODE_UNSET:
      return 'Unset';
    case STATUS_CODE_OK:
      return 'Ok';
    case STATUS_CODE_ERROR:
      return 'Error';
    default:
      return '';
  }
}

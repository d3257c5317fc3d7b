// What the http_check may submit: integrations-core http_check's metadata.csv (names, types,
// units) and its assets/service_checks.json.
import type { MetricMetadata } from '../check.js';

export const METRICS: readonly MetricMetadata[] = [
  { name: 'network.http.response_time', type: 'gauge', unit: 'second' },
  { name: 'network.http.can_connect', type: 'gauge' },
  { name: 'network.http.cant_connect', type: 'gauge' },
  { name: 'http.ssl.days_left', type: 'gauge', unit: 'day' },
  { name: 'http.ssl.seconds_left', type: 'gauge', unit: 'second' },
];

export const SERVICE_CHECKS = {
  canConnect: 'http.can_connect',
  sslCert: 'http.ssl_cert',
} as const;

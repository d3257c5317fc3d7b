// What the gunicorn check may submit: integrations-core gunicorn's metadata.csv lists the check's
// one metric (the gunicorn.request.* and gunicorn.log.* rows come from gunicorn's own statsd
// client, through DogStatsD), and its service check (assets/service_checks.json).
import type { MetricMetadata } from '../check.js';

export const METRICS: readonly MetricMetadata[] = [{ name: 'gunicorn.workers', type: 'gauge', unit: 'worker' }];

export const SERVICE_CHECKS = ['gunicorn.is_running'] as const;

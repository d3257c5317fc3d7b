// What the openmetrics check may submit. Its metric names come from each instance's `metrics`
// (`<namespace>.<name>`, with `.count`, `.sum`, `.bucket`, `.quantile` by type), so the table of
// fixed names is empty; tests assert the names they configured.
import type { MetricMetadata } from '../check.js';

export const METRICS: readonly MetricMetadata[] = [];

/** Sent as `<namespace>.openmetrics.health` (the spec's `enable_health_service_check`): the name after the namespace. */
export const SERVICE_CHECKS: readonly string[] = ['openmetrics.health'];

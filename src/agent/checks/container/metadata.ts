// What the container check may submit, as integrations-core's container/metadata.csv lists it:
// only the metrics a dyno's own cgroup (v1 or v2) can give.
import type { MetricMetadata } from '../check.js';

export const METRICS: readonly MetricMetadata[] = [
  { name: 'container.cpu.usage', type: 'rate', unit: 'nanocore' },
  { name: 'container.cpu.user', type: 'rate', unit: 'nanocore' },
  { name: 'container.cpu.system', type: 'rate', unit: 'nanocore' },
  { name: 'container.cpu.throttled', type: 'rate', unit: 'nanosecond' },
  { name: 'container.cpu.throttled.periods', type: 'rate' },
  { name: 'container.cpu.limit', type: 'gauge', unit: 'nanocore' },
  { name: 'container.memory.usage', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.usage.peak', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.kernel', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.limit', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.soft_limit', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.rss', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.cache', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.swap', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.oom_events', type: 'gauge' },
  { name: 'container.memory.working_set', type: 'gauge', unit: 'byte' },
  { name: 'container.memory.page_faults', type: 'count' },
  { name: 'container.memory.major_page_faults', type: 'count' },
  // metadata.csv says rate; the agent's generic check sends them as gauges, and so does this one.
  { name: 'container.pid.thread_count', type: 'rate' },
  { name: 'container.pid.thread_limit', type: 'rate' },
];

/** The container check sends no service check. */
export const SERVICE_CHECKS: readonly string[] = [];

// What the process check may submit: integrations-core process's metadata.csv (names, types, units)
// for what Linux /proc gives, and its service check (assets/service_checks.json).
import type { MetricMetadata } from '../check.js';

export const METRICS: readonly MetricMetadata[] = [
  { name: 'system.processes.number', type: 'gauge', unit: 'process' },
  { name: 'system.processes.cpu.pct', type: 'gauge', unit: 'percent' },
  { name: 'system.processes.cpu.normalized_pct', type: 'gauge', unit: 'percent' },
  { name: 'system.processes.mem.rss', type: 'gauge', unit: 'byte' },
  { name: 'system.processes.mem.vms', type: 'gauge', unit: 'byte' },
  { name: 'system.processes.mem.real', type: 'gauge', unit: 'byte' },
  { name: 'system.processes.mem.pct', type: 'gauge', unit: 'percent' },
  { name: 'system.processes.threads', type: 'gauge', unit: 'thread' },
  { name: 'system.processes.open_file_descriptors', type: 'gauge' },
  { name: 'system.processes.voluntary_ctx_switches', type: 'gauge', unit: 'event' },
  { name: 'system.processes.involuntary_ctx_switches', type: 'gauge', unit: 'event' },
  { name: 'system.processes.ioread_count', type: 'gauge', unit: 'read' },
  { name: 'system.processes.iowrite_count', type: 'gauge', unit: 'write' },
  { name: 'system.processes.ioread_bytes', type: 'gauge', unit: 'byte' },
  { name: 'system.processes.iowrite_bytes', type: 'gauge', unit: 'byte' },
  { name: 'system.processes.ioread_bytes_count', type: 'count', unit: 'byte' },
  { name: 'system.processes.iowrite_bytes_count', type: 'count', unit: 'byte' },
  // Submitted as rates (per second between runs); metadata.csv lists them as gauges per second.
  { name: 'system.processes.mem.page_faults.minor_faults', type: 'gauge', unit: 'occurrence' },
  { name: 'system.processes.mem.page_faults.children_minor_faults', type: 'gauge', unit: 'occurrence' },
  { name: 'system.processes.mem.page_faults.major_faults', type: 'gauge', unit: 'occurrence' },
  { name: 'system.processes.mem.page_faults.children_major_faults', type: 'gauge', unit: 'occurrence' },
  { name: 'system.processes.run_time.avg', type: 'gauge', unit: 'second' },
  { name: 'system.processes.run_time.max', type: 'gauge', unit: 'second' },
  { name: 'system.processes.run_time.min', type: 'gauge', unit: 'second' },
];

export const SERVICE_CHECKS = ['process.up'] as const;

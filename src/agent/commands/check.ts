// `agent check <name> [--json] [--check-rate] [--check-times N]`: runs every instance of one
// check now and prints what it would send, in the layout of the official `agent check`: the
// series, service checks and events as JSON, then the check's collector status. Exit 1 when an
// instance failed, or when the check cannot be loaded.
import type { Io } from '../../io.js';
import type { CheckOutput } from '../aggregator/check-sampler.js';
import { collectorSettings, collectorStatus, instanceStatus, loadInstances } from '../checks/runner.js';
import { unknownCheckError } from '../checks/registry.js';
import { renderCollector } from '../ipc/collector-text.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../../log.js';
import { loadSettings } from '../settings.js';
import type { AgentArgs } from './args.js';

/** Between two runs of a rate check, as `--check-rate` pauses. */
const RATE_PAUSE_MS = 1_000;

function block(io: Io, title: string, items: readonly unknown[]): void {
  if (items.length === 0) return;
  io.stdout.write(`=== ${title} ===\n${JSON.stringify(items, null, 2)}\n`);
}

export async function checkCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const name = args.positional[0];
  if (name === undefined || name === '') {
    io.stderr.write('Error: which check? usage: agent check <name> [--json] [--check-rate]\n');
    return 1;
  }
  const settings = loadSettings(args.configPath, env);
  const level = args.flags.get('log-level') ?? 'off';
  const logger = createLogger('CORE', (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'off', (line) => io.stderr.write(line));
  const { instances, configErrors, loadingErrors } = await loadInstances(collectorSettings(settings, logger), name);
  for (const e of configErrors) io.stderr.write(`\nError: invalid config for ${name}: ${e.file}: ${e.error}\n`);
  if (loadingErrors.length > 0) {
    io.stderr.write(`\nError: could not load ${name}:\n`);
    for (const e of loadingErrors) io.stderr.write(`* Built-in Check Loader: ${e.error}\n`);
  }
  if (instances.length === 0) {
    if (configErrors.length === 0 && loadingErrors.length === 0) io.stderr.write(`Error: no valid check found: ${unknownCheckError(name)}\n`);
    else io.stderr.write('Error: no valid check found\n');
    return 1;
  }

  const rate = args.flags.has('check-rate') || args.flags.has('r');
  const times = Math.max(1, Number(args.flags.get('check-times')) || (rate || instances.some((i) => i.options.definition.needsTwoRuns) ? 2 : 1));
  const perInstance: CheckOutput[] = instances.map(() => ({ series: [], serviceChecks: [], events: [] }));
  let failed = false;
  for (let run = 0; run < times; run++) {
    if (run > 0) await new Promise((resolve) => setTimeout(resolve, RATE_PAUSE_MS));
    const results = await Promise.all(instances.map((instance) => instance.run(instance.intervalMs || RATE_PAUSE_MS)));
    results.forEach((result, i) => {
      perInstance[i]!.series.push(...result.series);
      perInstance[i]!.serviceChecks.push(...result.serviceChecks);
      perInstance[i]!.events.push(...result.events);
      if (run === times - 1 && result.error !== undefined) failed = true;
    });
  }
  await Promise.all(instances.map((instance) => instance.close()));
  const series = perInstance.flatMap((out) => out.series);
  const serviceChecks = perInstance.flatMap((out) => out.serviceChecks);
  const events = perInstance.flatMap((out) => out.events);

  if (args.json) {
    const data = instances.map((instance, i) => ({
      aggregator: {
        ...(perInstance[i]!.series.length > 0 ? { metrics: perInstance[i]!.series.map((s) => ({ ...s, source_type_name: 'System' })) } : {}),
        ...(perInstance[i]!.serviceChecks.length > 0 ? { service_checks: perInstance[i]!.serviceChecks } : {}),
        ...(perInstance[i]!.events.length > 0 ? { events: perInstance[i]!.events } : {}),
      },
      runner: instanceStatus(instance),
    }));
    io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  if (instances.length > 1) io.stdout.write('Multiple check instances found, running each of them\n');
  block(io, 'Series', series.map((s) => ({ metric: s.metric, points: s.points, tags: s.tags, host: s.host, type: s.type, interval: s.interval, source_type_name: 'System' })));
  block(io, 'Service Checks', serviceChecks.map((c) => ({ check: c.check, host_name: c.host_name, message: c.message, tags: c.tags, timestamp: c.timestamp, status: c.status })));
  block(io, 'Events', events);
  io.stdout.write(`${renderCollector(collectorStatus(instances, [], []))}\n`);
  if (times < 2) {
    io.stdout.write('Check has run only once, if some metrics are missing you can try again with --check-rate to see any other metric if available.\n');
  }
  return failed ? 1 : 0;
}

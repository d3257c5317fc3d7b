// `agent check <name>`: runs one built-in check now and prints what it would send.
import type { Io } from '../../io.js';
import { scanConfd } from '../checks/confd.js';
import type { CheckSerie } from '../checks/host-check.js';
import { HOST_CHECK_NAMES, hostChecks } from '../checks/system-checks.js';
import { loadSettings } from '../settings.js';
import type { AgentArgs } from './args.js';

/** Rate-based checks need two readings; the pause between them. */
const SECOND_RUN_DELAY_MS = 1_000;

export async function checkCommand(args: AgentArgs, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const name = args.positional[0];
  const settings = loadSettings(args.configPath, env);
  const check = hostChecks().find((c) => c.name === name);
  if (name === undefined || check === undefined) {
    const configured = scanConfd(settings.confdPath).find((c) => c.name === name);
    const why = configured?.skipped ?? `no such check; the built-in agent runs ${HOST_CHECK_NAMES.join(', ')}`;
    io.stderr.write(`Error: cannot run check ${JSON.stringify(name ?? '')}: ${why}\n`);
    return 1;
  }
  let series: CheckSerie[];
  try {
    series = await check.run(Math.floor(Date.now() / 1000));
    if (name === 'cpu' || name === 'network') {
      await new Promise((resolve) => setTimeout(resolve, SECOND_RUN_DELAY_MS));
      series = await check.run(Math.floor(Date.now() / 1000));
    }
  } catch (error) {
    io.stderr.write(`Error: check ${name} failed: ${(error as Error).message}\n`);
    return 1;
  }
  if (args.json) {
    io.stdout.write(`${JSON.stringify(series.map((s) => ({ ...s, host: settings.hostname, tags: [...settings.tags, ...(s.tags ?? [])] })), null, 2)}\n`);
  } else {
    io.stdout.write(`=== Series (check ${name}, host ${settings.hostname}) ===\n`);
    for (const s of series) io.stdout.write(`${s.metric} ${s.type} ${s.points[0]![1]}${s.tags?.length ? ` ${s.tags.join(',')}` : ''}\n`);
    io.stdout.write(`Check ${name}: OK, ${series.length} series\n`);
  }
  return 0;
}

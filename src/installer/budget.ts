import { join } from 'node:path';
import { AGENT_SIZE_BUDGET_MIB } from '../constants.js';
import { formatBytes } from './output.js';
import { diskUsage } from './size.js';

/** One line per folder of the stripped agent at `root` that is over its size budget. */
export function overBudget(root: string, budgetMiB: Readonly<Record<string, number>> = AGENT_SIZE_BUDGET_MIB): string[] {
  const lines: string[] = [];
  for (const [folder, mib] of Object.entries(budgetMiB)) {
    const bytes = diskUsage(join(root, folder));
    if (bytes > mib * 1024 * 1024) {
      lines.push(`opt/datadog-agent/${folder} is ${formatBytes(bytes)}, over its ${mib} MiB budget: the slug may near Heroku's 500 MB limit.`);
    }
  }
  return lines;
}

import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes a path adds to the slug: files and symlinks counted by size, directories walked. */
export function diskUsage(path: string): number {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of readdirSync(path)) total += diskUsage(join(path, name));
  return total;
}

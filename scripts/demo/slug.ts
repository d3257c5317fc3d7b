// Builds examples/<app> into a temporary slug with the real bin/compile, like a Heroku build.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Folders under node_modules of `root` that `names` need, found as Node resolves them. */
export function dependencyClosure(root: string, names: readonly string[]): string[] {
  const lock = (JSON.parse(readFileSync(join(root, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  const resolve = (from: string, name: string): string | undefined => {
    for (let base = from; ; ) {
      const candidate = `${base}/node_modules/${name}`;
      if (lock[candidate]) return candidate;
      const parent = base.lastIndexOf('/node_modules/');
      if (parent < 0) return lock[`node_modules/${name}`] ? `node_modules/${name}` : undefined;
      base = base.slice(0, parent);
    }
  };
  const seen = new Set<string>();
  const queue = names.map((name) => `node_modules/${name}`);
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path) || !lock[path]) continue;
    seen.add(path);
    const entry = lock[path]!;
    // Optional dependencies missing from the lock (other platforms' binaries) are skipped.
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const found = resolve(path, dep);
      if (found) queue.push(found);
    }
  }
  // Nested folders come along with their top-level package folder.
  return [...seen].filter((p) => p.split('/node_modules/').length === 1).sort();
}

export interface BuildResult {
  readonly output: string;
  readonly ok: boolean;
}

/** Copies examples/<app> and its node_modules (from the repo's, as an offline npm install would) into `dir`. */
export function copyApp(repo: string, app: string, dir: string): void {
  const source = join(repo, 'examples', app);
  cpSync(source, dir, { recursive: true });
  // A Node app gets its dependencies; others (the gunicorn app) use what the machine has.
  const pkg = existsSync(join(source, 'package.json')) ? (JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }) : {};
  for (const folder of dependencyClosure(repo, Object.keys(pkg.dependencies ?? {}))) {
    mkdirSync(dirname(join(dir, folder)), { recursive: true });
    cpSync(join(repo, folder), join(dir, folder), { recursive: true, verbatimSymlinks: true });
  }
}

/** The app copied as copyApp does, then the real bin/compile on it. */
export function buildSlug(repo: string, app: string, buildDir: string, cacheDir: string, envDir: string, env: Record<string, string>): Promise<BuildResult> {
  copyApp(repo, app, buildDir);
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(envDir, { recursive: true });
  for (const [name, value] of Object.entries(env)) writeFileSync(join(envDir, name), value);
  const compile = join(repo, 'bin', 'compile');
  if (!existsSync(compile)) return Promise.resolve({ ok: false, output: 'bin/compile is missing' });
  return new Promise((resolve) => {
    execFile(compile, [buildDir, cacheDir, envDir], { env: { ...process.env, STACK: 'heroku-24' }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}` });
    });
  });
}

/** The command of a Procfile process type (heroku/procfile declares it to the CNB launcher the same way). */
export function procfileCommand(appDir: string, processType: string): string {
  const line = readFileSync(join(appDir, 'Procfile'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${processType}:`));
  if (line === undefined) throw new Error(`the app's Procfile has no ${processType} process`);
  return line.slice(processType.length + 1).trim();
}

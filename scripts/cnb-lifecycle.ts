// A stand-in for the Cloud Native Buildpacks lifecycle (Buildpack API 0.10), for tests and
// `npm run demo -- --cnb`: no registry, daemon or image here, so it runs one buildpack's detect
// and build against a real app folder and launches a process as the launcher does.
//   detect:  bin/detect PLATFORM PLAN (deprecated arguments, still passed), CNB_* variables, the platform's env/ in its environment
//   build:   restore (cached layers whole, the others' metadata), bin/build, then keep what the
//            layer types say: cache=true layers for the next build, launch=true ones for the "image"
//   launch:  every launch layer's bin/ on PATH and lib/ on LD_LIBRARY_PATH, its env/ and env.launch/
//            files (override, default, append, prepend, delim), then its exec.d programs with fd 3
//            read as TOML, then the process (the Procfile's, as heroku/procfile declares it)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { dynoMarker, spawnDyno, type Dyno } from './demo/dyno.js';
import { procfileCommand } from './demo/slug.js';

export interface Buildpack {
  readonly dir: string;
  readonly id: string;
  readonly version: string;
  readonly api: string;
}

export function readBuildpack(dir: string): Buildpack {
  const toml = parse(readFileSync(join(dir, 'buildpack.toml'), 'utf8')) as { api?: string; buildpack?: { id?: string; version?: string } };
  return { dir, id: toml.buildpack?.id ?? '', version: toml.buildpack?.version ?? '', api: toml.api ?? '' };
}

/** The folders one app's builds and launches share (a platform's volumes). */
export interface Workspace {
  readonly appDir: string;
  /** `<layers>/<buildpack id with / as _>` is the buildpack's CNB_LAYERS_DIR. */
  readonly layersRoot: string;
  readonly platformDir: string;
  /** Launch layers of the last build that were not cached: what the previous image holds. */
  readonly imageDir: string;
}

export function workspace(root: string, appDir: string): Workspace {
  return { appDir, layersRoot: join(root, 'layers'), platformDir: join(root, 'platform'), imageDir: join(root, 'image') };
}

export interface Target {
  readonly os: string;
  readonly arch: string;
  readonly distroName: string;
  readonly distroVersion: string;
}

export const HEROKU_24_AMD64: Target = { os: 'linux', arch: 'amd64', distroName: 'ubuntu', distroVersion: '24.04' };

export function layersDir(ws: Workspace, bp: Buildpack): string {
  return join(ws.layersRoot, bp.id.replaceAll('/', '_'));
}

export interface RunResult {
  readonly code: number | null;
  readonly output: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (error) => resolve({ code: null, output: `${output}${error.message}\n` }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The platform's env/ as files, and its variables (clear-env = false: they are in detect's and build's environment). */
function writePlatformEnv(ws: Workspace, vars: Readonly<Record<string, string>>): void {
  const envDir = join(ws.platformDir, 'env');
  rmSync(envDir, { recursive: true, force: true });
  mkdirSync(envDir, { recursive: true });
  for (const [name, value] of Object.entries(vars)) writeFileSync(join(envDir, name), value);
}

function targetEnv(target: Target): Record<string, string> {
  return { CNB_TARGET_OS: target.os, CNB_TARGET_ARCH: target.arch, CNB_TARGET_DISTRO_NAME: target.distroName, CNB_TARGET_DISTRO_VERSION: target.distroVersion };
}

export interface PhaseOptions {
  /** The app's config vars (the platform's env/). */
  readonly config: Readonly<Record<string, string>>;
  /** The build environment's own variables (PATH…). */
  readonly env: NodeJS.ProcessEnv;
  readonly target?: Target;
}

export async function detect(ws: Workspace, bp: Buildpack, options: PhaseOptions): Promise<RunResult> {
  writePlatformEnv(ws, options.config);
  const plan = join(ws.platformDir, 'plan.toml');
  writeFileSync(plan, '');
  // As lifecycle 0.20 does, the deprecated positional arguments come too.
  return run(join(bp.dir, 'bin', 'detect'), [ws.platformDir, plan], ws.appDir, {
    ...options.env,
    ...options.config,
    ...targetEnv(options.target ?? HEROKU_24_AMD64),
    CNB_BUILDPACK_DIR: bp.dir,
    CNB_PLATFORM_DIR: ws.platformDir,
    CNB_BUILD_PLAN_PATH: plan,
  });
}

interface LayerToml {
  types?: { launch?: boolean; build?: boolean; cache?: boolean };
  metadata?: Record<string, unknown>;
}

function readLayerToml(path: string): LayerToml {
  try {
    return parse(readFileSync(path, 'utf8')) as LayerToml;
  } catch {
    return {};
  }
}

/** `<name>.toml` files of a layers dir, by layer name (launch.toml, build.toml and store.toml are not layers). */
function layerNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.toml') && !['launch.toml', 'build.toml', 'store.toml'].includes(f))
    .map((f) => f.slice(0, -'.toml'.length));
}

/**
 * What the lifecycle's restorer leaves before bin/build: cache=true layers whole; of the others only
 * the metadata (their folder is not restored); [types] reset, so a buildpack must declare them again.
 */
function restore(dir: string): void {
  if (!existsSync(dir)) return;
  const names = new Set(layerNames(dir));
  for (const entry of readdirSync(dir)) {
    if (!entry.endsWith('.toml') && !names.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  for (const name of names) {
    const toml = readLayerToml(join(dir, `${name}.toml`));
    const cached = toml.types?.cache === true;
    if (!cached) rmSync(join(dir, name), { recursive: true, force: true });
    if (!cached && toml.types?.launch !== true) {
      rmSync(join(dir, `${name}.toml`), { force: true });
      continue;
    }
    writeFileSync(join(dir, `${name}.toml`), stringify({ metadata: toml.metadata ?? {} }));
  }
  rmSync(join(dir, 'launch.toml'), { force: true });
}

export interface LayerReport {
  readonly name: string;
  readonly launch: boolean;
  readonly cache: boolean;
  /** Launch layer declared with no contents: the previous image's layer is used again. */
  readonly reusedFromImage: boolean;
}

export interface BuildResult extends RunResult {
  readonly layers: readonly LayerReport[];
}

/** What the exporter and the cacher keep: launch layers in the image, cache layers for the next build, nothing else. */
function exportLayers(ws: Workspace, bp: Buildpack, dir: string): LayerReport[] {
  const image = join(ws.imageDir, bp.id.replaceAll('/', '_'));
  const reports: LayerReport[] = [];
  const names = new Set(layerNames(dir));
  for (const entry of readdirSync(dir)) {
    // A folder without its toml is not a layer: ignored, never exported.
    if (!entry.endsWith('.toml') && !names.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  for (const name of names) {
    const types = readLayerToml(join(dir, `${name}.toml`)).types ?? {};
    const launch = types.launch === true;
    const cache = types.cache === true;
    let reusedFromImage = false;
    if (launch && !existsSync(join(dir, name)) && existsSync(join(image, name))) {
      cpSync(join(image, name), join(dir, name), { recursive: true, verbatimSymlinks: true });
      reusedFromImage = true;
    }
    if (!launch && !cache && types.build !== true) rmSync(join(dir, `${name}.toml`), { force: true });
    reports.push({ name, launch, cache, reusedFromImage });
  }
  rmSync(image, { recursive: true, force: true });
  for (const layer of reports) {
    if (layer.launch && !layer.cache && existsSync(join(dir, layer.name))) cpSync(join(dir, layer.name), join(image, layer.name), { recursive: true, verbatimSymlinks: true });
  }
  return reports;
}

export async function build(ws: Workspace, bp: Buildpack, options: PhaseOptions): Promise<BuildResult> {
  writePlatformEnv(ws, options.config);
  const dir = layersDir(ws, bp);
  restore(dir);
  mkdirSync(dir, { recursive: true });
  const plan = join(ws.platformDir, 'bp-plan.toml');
  writeFileSync(plan, '');
  const result = await run(join(bp.dir, 'bin', 'build'), [dir, ws.platformDir, plan], ws.appDir, {
    ...options.env,
    ...options.config,
    ...targetEnv(options.target ?? HEROKU_24_AMD64),
    CNB_BUILDPACK_DIR: bp.dir,
    CNB_PLATFORM_DIR: ws.platformDir,
    CNB_LAYERS_DIR: dir,
    CNB_BP_PLAN_PATH: plan,
  });
  return { ...result, layers: result.code === 0 ? exportLayers(ws, bp, dir) : [] };
}

/** The launch layers of every buildpack, in build order (one buildpack here). */
function launchLayers(ws: Workspace, bp: Buildpack): string[] {
  const dir = layersDir(ws, bp);
  return layerNames(dir)
    .sort()
    .filter((name) => readLayerToml(join(dir, `${name}.toml`)).types?.launch === true && existsSync(join(dir, name)))
    .map((name) => join(dir, name));
}

/** One env file of a layer's env/ or env.launch/: NAME[.override|.default|.append|.prepend|.delim]. */
function applyEnvDir(env: Record<string, string | undefined>, dir: string): void {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  const delims = new Map<string, string>();
  for (const f of files) if (f.endsWith('.delim')) delims.set(f.slice(0, -'.delim'.length), readFileSync(join(dir, f), 'utf8'));
  for (const f of files.sort()) {
    const dot = f.lastIndexOf('.');
    const suffix = dot > 0 ? f.slice(dot + 1) : '';
    const known = ['override', 'default', 'append', 'prepend', 'delim'].includes(suffix);
    const name = known ? f.slice(0, dot) : f;
    const value = readFileSync(join(dir, f), 'utf8');
    const before = env[name];
    const delim = delims.get(name) ?? '';
    switch (known ? suffix : 'override') {
      case 'override':
        env[name] = value;
        break;
      case 'default':
        if (before === undefined || before === '') env[name] = value;
        break;
      case 'append':
        env[name] = before === undefined || before === '' ? value : `${before}${delim}${value}`;
        break;
      case 'prepend':
        env[name] = before === undefined || before === '' ? value : `${value}${delim}${before}`;
        break;
    }
  }
}

function prependPath(env: Record<string, string | undefined>, name: string, dir: string): void {
  if (!existsSync(dir)) return;
  const before = env[name];
  env[name] = before === undefined || before === '' ? dir : `${dir}:${before}`;
}

/** Runs one exec.d program with a pipe on fd 3; its TOML output sets variables. Its stdout and stderr go to `log`. */
function runExecD(program: string, cwd: string, env: Record<string, string | undefined>, log: (chunk: string) => void): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [], { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let toml = '';
    child.stdout!.on('data', (c: Buffer) => log(c.toString()));
    child.stderr!.on('data', (c: Buffer) => log(c.toString()));
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (c: Buffer) => (toml += c.toString()));
    // As the launcher: the output is complete when fd 3 is closed by every holder and the program exited.
    let exit: number | null | undefined;
    let closed = false;
    const done = (): void => {
      if (exit === undefined || !closed) return;
      if (exit !== 0) return reject(new Error(`exec.d program ${program} exited with ${exit}`));
      try {
        const values = parse(toml) as Record<string, unknown>;
        const out: Record<string, string> = {};
        for (const [key, value] of Object.entries(values)) {
          if (typeof value !== 'string') return reject(new Error(`exec.d program ${program} wrote a non-string value for ${key}`));
          out[key] = value;
        }
        resolve(out);
      } catch (error) {
        reject(new Error(`exec.d program ${program} wrote invalid TOML on fd 3: ${(error as Error).message}`));
      }
    };
    fd3.on('close', () => {
      closed = true;
      done();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      exit = code;
      done();
    });
  });
}

export interface LaunchEnvironment {
  readonly env: Record<string, string | undefined>;
  /** Names the exec.d programs set. */
  readonly fromExecD: readonly string[];
}

/** The process's environment as the launcher builds it: layer env, then exec.d output. */
export async function launchEnvironment(ws: Workspace, bp: Buildpack, processType: string, base: NodeJS.ProcessEnv, log: (chunk: string) => void): Promise<LaunchEnvironment> {
  const env: Record<string, string | undefined> = { ...base, CNB_APP_DIR: ws.appDir, CNB_LAYERS_DIR: ws.layersRoot };
  const layers = launchLayers(ws, bp);
  for (const layer of layers) {
    prependPath(env, 'PATH', join(layer, 'bin'));
    prependPath(env, 'LD_LIBRARY_PATH', join(layer, 'lib'));
    applyEnvDir(env, join(layer, 'env'));
    applyEnvDir(env, join(layer, 'env.launch'));
    applyEnvDir(env, join(layer, 'env.launch', processType));
  }
  const fromExecD: string[] = [];
  for (const layer of layers) {
    for (const folder of [join(layer, 'exec.d'), join(layer, 'exec.d', processType)]) {
      if (!existsSync(folder)) continue;
      for (const program of readdirSync(folder).sort()) {
        const path = join(folder, program);
        if (!statSync(path).isFile()) continue;
        const values = await runExecD(path, ws.appDir, env, log);
        Object.assign(env, values);
        fromExecD.push(...Object.keys(values));
      }
    }
  }
  return { env, fromExecD };
}

export interface Launched extends Dyno {
  readonly environment: LaunchEnvironment;
}

/**
 * Launches `processType` of the app as a dyno: the launch environment (exec.d programs included,
 * they and what they start carry the dyno's marker), then the process in its own process group.
 */
export async function launch(ws: Workspace, bp: Buildpack, processType: string, base: NodeJS.ProcessEnv, logFile: string): Promise<Launched> {
  const id = randomUUID();
  const log = (chunk: string): void => appendFileSync(logFile, chunk);
  const environment = await launchEnvironment(ws, bp, processType, { ...base, ...dynoMarker(id) }, log);
  const dyno = spawnDyno(id, ['bash', '-c', procfileCommand(ws.appDir, processType)], ws.appDir, environment.env, logFile);
  return { ...dyno, pids: () => dyno.pids(), environment };
}

// Where the process's own cgroup lives: its path from /proc/self/cgroup, joined to the mount of
// its hierarchy from /proc/self/mountinfo (or the cgroup root when that says nothing).
import { join } from 'node:path';
import { isDirectory, readText } from './cgroup-files.js';

/** The v1 controllers the check reads. */
export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export type CgroupLayout =
  | { readonly version: 2; readonly dir: string }
  | { readonly version: 1; readonly dirs: Readonly<Partial<Record<V1Controller, string>>> };

export interface CgroupFiles {
  /** Root of /proc; tests point it at fixtures. */
  readonly proc: string;
  /** Where cgroups are mounted when mountinfo does not say (/sys/fs/cgroup). */
  readonly cgroupRoot: string;
}

export interface CgroupMembership {
  /** Empty for the unified (v2) hierarchy. */
  readonly controllers: readonly string[];
  readonly path: string;
}

export interface CgroupMount {
  readonly root: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly superOptions: readonly string[];
}

/** The lines `id:controllers:path` of /proc/<pid>/cgroup. */
export function parseProcCgroup(text: string): CgroupMembership[] {
  const memberships: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (!match) continue;
    memberships.push({ controllers: match[1] === '' ? [] : match[1]!.split(','), path: match[2]! });
  }
  return memberships;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The cgroup and cgroup2 mounts of /proc/<pid>/mountinfo. */
export function parseMountinfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6 || fields.length < separator + 4) continue;
    const fsType = fields[separator + 1]!;
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({
      root: unescapeMountField(fields[3]!),
      mountPoint: unescapeMountField(fields[4]!),
      fsType,
      superOptions: fields[separator + 3]!.split(','),
    });
  }
  return mounts;
}

/** The first existing directory of: the path under each mount, each mount's own root (a cgroup namespace), the fallback. */
async function locate(path: string, mounts: readonly CgroupMount[], fallback: string): Promise<string | undefined> {
  const candidates: string[] = [];
  // A path with `..` names a cgroup outside our namespace: only the mount's root is ours.
  const inNamespace = !path.split('/').includes('..');
  if (inNamespace) {
    for (const mount of mounts) {
      if (mount.root === '/') candidates.push(join(mount.mountPoint, path));
      else if (path === mount.root || path.startsWith(`${mount.root}/`)) candidates.push(join(mount.mountPoint, path.slice(mount.root.length)));
    }
  }
  for (const mount of mounts) candidates.push(mount.mountPoint);
  if (mounts.length === 0) {
    if (inNamespace) candidates.push(join(fallback, path));
    candidates.push(fallback);
  }
  for (const candidate of candidates) if (await isDirectory(candidate)) return candidate;
  return undefined;
}

/**
 * The process's own cgroup directories: v1 when /proc/self/cgroup names v1 controllers we read
 * (hybrid hosts keep their controllers there), else v2; undefined when there is no cgroup at all.
 */
export async function findCgroup(files: CgroupFiles): Promise<CgroupLayout | undefined> {
  const cgroupText = await readText(join(files.proc, 'self', 'cgroup'));
  const mounts = parseMountinfo((await readText(join(files.proc, 'self', 'mountinfo'))) ?? '');
  if (cgroupText === undefined) return rootCgroup(files);
  const memberships = parseProcCgroup(cgroupText);

  const v1Paths = new Map<V1Controller, string>();
  for (const membership of memberships) {
    for (const controller of V1_CONTROLLERS) if (membership.controllers.includes(controller)) v1Paths.set(controller, membership.path);
  }
  if (v1Paths.size > 0) {
    const dirs: Partial<Record<V1Controller, string>> = {};
    for (const [controller, path] of v1Paths) {
      const own = mounts.filter((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));
      const dir = await locate(path, own, join(files.cgroupRoot, controller));
      if (dir !== undefined) dirs[controller] = dir;
    }
    if (Object.keys(dirs).length > 0) return { version: 1, dirs };
  }

  const unified = memberships.find((m) => m.controllers.length === 0);
  if (unified === undefined) return undefined;
  const dir = await locate(unified.path, mounts.filter((m) => m.fsType === 'cgroup2'), files.cgroupRoot);
  return dir === undefined ? undefined : { version: 2, dir };
}

/** Without /proc/self/cgroup: the cgroup root itself, v2 when it has `cgroup.controllers`. */
async function rootCgroup(files: CgroupFiles): Promise<CgroupLayout | undefined> {
  if ((await readText(join(files.cgroupRoot, 'cgroup.controllers'))) !== undefined) return { version: 2, dir: files.cgroupRoot };
  const dirs: Partial<Record<V1Controller, string>> = {};
  for (const controller of V1_CONTROLLERS) {
    const dir = join(files.cgroupRoot, controller);
    if (await isDirectory(dir)) dirs[controller] = dir;
  }
  return Object.keys(dirs).length > 0 ? { version: 1, dirs } : undefined;
}

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIN_NODE_MAJOR, SLUG } from '../constants.js';

/** Major version of the node binary at `path`, or undefined when it does not run. */
export function nodeMajor(path: string): number | undefined {
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const match = /^v(\d+)\./.exec(result.stdout ?? '');
  return result.status === 0 && match !== null ? Number(match[1]) : undefined;
}

export interface SlugNode {
  /** Path of the node the bundles run with, relative to the slug root (HOME in a dyno). */
  readonly path: string;
  readonly reused: boolean;
  readonly version: string;
}

/** Reuses the app's own Node >= 20 when its slug has one, else copies the node running us. */
export function installNode(buildDir: string, runningNode: string): SlugNode {
  const appNode = join(buildDir, SLUG.appNode);
  if (existsSync(appNode)) {
    const major = nodeMajor(appNode);
    if (major !== undefined && major >= MIN_NODE_MAJOR) {
      return { path: SLUG.appNode, reused: true, version: versionOf(appNode) };
    }
  }
  const path = `${SLUG.buildpackRoot}/node/bin/node`;
  const target = join(buildDir, path);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(runningNode, target);
  chmodSync(target, 0o755);
  return { path, reused: false, version: versionOf(target) };
}

function versionOf(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

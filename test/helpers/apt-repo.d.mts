// Types of test/helpers/apt-repo.mjs for TypeScript tests.
import type { Server } from 'node:http';

export interface AptRepoUrls {
  readonly APT_REPO_URL: string;
  readonly APT_KEYS_URL: string;
  readonly NODE_DIST_URL: string;
  readonly SERVER_URL: string;
  readonly UNREACHABLE_URL: string;
  readonly REQUEST_LOG: string;
  readonly REPO_DIR: string;
}

export interface AptRepoOptions {
  /** Where to build (default: a new temp dir). */
  readonly dir?: string;
  /** Also serve a Node dist folder with the real pinned Node (test/helpers/pinned-node.mjs: fetched once, then cached). */
  readonly nodeDist?: boolean;
  /** A file added to the pinned package, for realistic sizes. */
  readonly payload?: string;
}

export interface TestPackage {
  readonly name: 'datadog-agent' | 'datadog-heroku-agent';
  readonly version: string;
  readonly component: '6' | '7';
  readonly compression: 'gzip' | 'xz' | 'zstd';
}

export const PACKAGES: readonly TestPackage[];
export function startAptRepo(options?: AptRepoOptions): Promise<{ urls: AptRepoUrls; close(): Promise<void> }>;
export function buildRepository(dir: string, options?: Omit<AptRepoOptions, 'dir'>): string;
export function serve(dir: string): Promise<Server>;
export function tarArchive(entries: readonly { name: string; body?: string; type?: 'file' | 'dir' | 'symlink'; linkname?: string; mode?: number }[]): Buffer;
export function arArchive(members: readonly { name: string; body: Buffer }[]): Buffer;

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_INFO_FILE, SLUG } from './constants.js';

/**
 * What bin/compile installed, written to `<HOME>/.apt/opt/datadog-buildpack/build.json`.
 * The runtime reads it instead of running `agent version` at every boot.
 */
export interface BuildInfo {
  readonly buildpackVersion: string;
  readonly flavor: 'official' | 'builtin';
  /** Debian package installed (official flavour). */
  readonly agentPackage?: 'datadog-heroku-agent' | 'datadog-agent';
  /** Its version without epoch, e.g. `7.81.2-1` (official flavour). */
  readonly agentVersion?: string;
  readonly apmEnabled: boolean;
  readonly processAgent: boolean;
  /** Path of the node binary the bundles run with, relative to HOME (the slug root). */
  readonly node: string;
  readonly stack?: string;
}

export function buildInfoPath(home: string): string {
  return join(home, SLUG.buildpackRoot, BUILD_INFO_FILE);
}

/** The build info of the slug at `home`, or undefined when the slug has none (not compiled). */
export function readBuildInfo(home: string): BuildInfo | undefined {
  try {
    return JSON.parse(readFileSync(buildInfoPath(home), 'utf8')) as BuildInfo;
  } catch {
    return undefined;
  }
}

import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuildInfo } from '../build-info.js';
import { buildInfoPath } from '../build-info.js';
import { SLUG } from '../constants.js';
import { BuildError } from './errors.js';

/** Bundles the dyno runs; intake-ui is optional (the intake page, demo only). */
const LIB_FILES = ['agent-wrapper.js', 'agent.js', 'otlp.js', 'otlp-grpc.js', 'intake.js', 'package.json'] as const;
const REQUIRED_LIB_FILES = new Set(['agent-wrapper.js', 'package.json']);

function copyExecutable(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, 0o755);
}

/** Copies lib bundles into `.apt/opt/datadog-buildpack/lib`. */
export function installBundles(buildpackDir: string, buildDir: string): void {
  const libDir = join(buildDir, SLUG.buildpackRoot, 'lib');
  mkdirSync(libDir, { recursive: true });
  for (const name of LIB_FILES) {
    const from = join(buildpackDir, 'lib', name);
    if (!existsSync(from)) {
      if (REQUIRED_LIB_FILES.has(name)) {
        throw new BuildError('BUILDPACK_INCOMPLETE', `The buildpack has no lib/${name}.`, 'Use a released tag of the buildpack (lib/ is built and committed there).');
      }
      continue;
    }
    copyFileSync(from, join(libDir, name));
  }
  // The built-in agent's integration checks (one bundle each) and the intake page's assets.
  for (const folder of ['checks', 'intake-ui']) {
    const from = join(buildpackDir, 'lib', folder);
    if (existsSync(from)) cpSync(from, join(libDir, folder), { recursive: true });
  }
}

/** Puts `agent-wrapper` on the dyno PATH (`.apt/usr/bin`). */
export function installWrapper(buildpackDir: string, buildDir: string): void {
  const shim = join(buildpackDir, 'extra', 'agent-wrapper');
  if (!existsSync(shim)) {
    throw new BuildError('BUILDPACK_INCOMPLETE', 'The buildpack has no extra/agent-wrapper.', 'Use a released tag of the buildpack.');
  }
  copyExecutable(shim, join(buildDir, SLUG.binDir, 'agent-wrapper'));
}

/** Installs `.profile.d/datadog.sh`, which starts the agent at dyno boot. */
export function installProfileScript(buildpackDir: string, buildDir: string): void {
  const script = join(buildpackDir, 'extra', 'datadog.sh');
  if (!existsSync(script)) {
    throw new BuildError('BUILDPACK_INCOMPLETE', 'The buildpack has no extra/datadog.sh: the agent could not start in dynos.', 'Use a released tag of the buildpack.');
  }
  copyExecutable(script, join(buildDir, SLUG.profileScript));
}

export function writeBuildInfo(buildDir: string, info: BuildInfo): void {
  const path = buildInfoPath(buildDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`);
}

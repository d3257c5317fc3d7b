// What the CNB lifecycle gives bin/build (Buildpack API 0.10): its folders and the target, from CNB_* variables.
import { BuildError } from '../errors.js';

export interface CnbTarget {
  readonly os: string;
  /** `amd64` or `arm64` (Go's names). */
  readonly arch: string;
  readonly distroName: string;
  readonly distroVersion: string;
}

export interface CnbContext {
  readonly layersDir: string;
  readonly platformDir: string;
  /** The app's source folder (the working directory of bin/build). */
  readonly appDir: string;
  readonly buildpackDir: string;
  readonly target: CnbTarget;
  /** The node binary running the installer: copied into the node layer when it is not already there. */
  readonly runningNode: string;
}

export function cnbContext(env: NodeJS.ProcessEnv, cwd: string, runningNode: string, buildpackDir: string): CnbContext {
  const layersDir = env.CNB_LAYERS_DIR ?? '';
  if (layersDir === '') {
    throw new BuildError('BUILDPACK_INCOMPLETE', 'bin/build ran without CNB_LAYERS_DIR.', 'bin/build is run by the Cloud Native Buildpacks lifecycle (Buildpack API 0.10); on Heroku Cedar the buildpack runs bin/compile.');
  }
  return {
    layersDir,
    platformDir: env.CNB_PLATFORM_DIR ?? '',
    appDir: cwd,
    buildpackDir: env.CNB_BUILDPACK_DIR ?? buildpackDir,
    target: {
      os: env.CNB_TARGET_OS ?? 'linux',
      arch: env.CNB_TARGET_ARCH ?? 'amd64',
      distroName: env.CNB_TARGET_DISTRO_NAME ?? '',
      distroVersion: env.CNB_TARGET_DISTRO_VERSION ?? '',
    },
    runningNode,
  };
}

/** The target as the cache key's "stack": a change of distro or arch invalidates cached packages and layers. */
export function targetKey(target: CnbTarget): string {
  const distro = target.distroName === '' ? '' : `${target.distroName}-${target.distroVersion}/`;
  return `${distro}${target.os}/${target.arch}`;
}

// Layer `agent`: what a Cedar slug holds under .apt/ (the official agent or nothing, the bundles, the
// wrapper, build.json), plus `bin/agent-wrapper` (on the launch PATH) and `exec.d/datadog` (the
// launch-time work of .profile.d/datadog.sh). Kept while the build inputs are the same: buildpack
// and its bundles, flavour, requested agent version and repository, strip options, target.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readBuildInfo } from '../../build-info.js';
import { BUILDPACK_VERSION, SLUG } from '../../constants.js';
import type { Config } from '../../config/variables.js';
import { requestedVersion } from '../apt/versions.js';
import { buildInfoOf, installAgent } from '../build.js';
import { BuildError } from '../errors.js';
import type { InstalledAgent } from '../official.js';
import type { BuildOutput } from '../output.js';
import { installBundles, installWrapper, writeBuildInfo } from '../slug.js';
import { targetKey, type CnbContext } from './context.js';
import { Layer, type LayerMetadata } from './layer.js';

export const AGENT_LAYER = 'agent';
/** The exec.d program of the layer, from extra/exec.d/datadog. */
export const EXEC_D_PROGRAM = 'exec.d/datadog';

/** Hash of what the buildpack copies into the layer, so a new build of the bundles is never hidden by a reuse. */
function bundlesDigest(buildpackDir: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(relative(buildpackDir, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(join(buildpackDir, 'lib'));
  walk(join(buildpackDir, 'extra'));
  return hash.digest('hex').slice(0, 16);
}

function layerMetadata(ctx: CnbContext, config: Config): LayerMetadata {
  const official = config.DD_AGENT_FLAVOR === 'official';
  return {
    buildpack_version: BUILDPACK_VERSION,
    bundles: bundlesDigest(ctx.buildpackDir),
    flavor: config.DD_AGENT_FLAVOR,
    agent_version: official ? requestedVersion(config.DD_AGENT_VERSION, config.DD_AGENT_MAJOR_VERSION).version : '',
    repository: official ? config.DD_APT_REPO_URL : '',
    apm_enabled: config.DD_APM_ENABLED,
    process_agent: config.DD_PROCESS_AGENT,
    python_version: config.DD_PYTHON_VERSION ?? '',
    target: targetKey(ctx.target),
  };
}

export interface AgentLayer {
  readonly layer: Layer;
  readonly agent: InstalledAgent | undefined;
  readonly reused: boolean;
}

export async function installAgentLayer(ctx: CnbContext, config: Config, packagesDir: string, node: string, out: BuildOutput): Promise<AgentLayer> {
  const layer = new Layer(ctx.layersDir, AGENT_LAYER);
  const metadata = layerMetadata(ctx, config);
  const types = { launch: true, build: false, cache: true };
  if (layer.reusable(metadata)) {
    const info = readBuildInfo(layer.dir);
    if (info !== undefined) {
      out.step(`Build inputs unchanged: reusing the agent layer${info.agentVersion === undefined ? '' : ` (${info.agentPackage} ${info.agentVersion})`}`);
      layer.write(types, metadata);
      const agent = info.agentPackage === undefined || info.agentVersion === undefined ? undefined : { packageName: info.agentPackage, version: info.agentVersion };
      return { layer, agent, reused: true };
    }
  }
  layer.reset();
  const agent = await installAgent(
    { buildDir: layer.dir, cacheDir: packagesDir, envDir: undefined, buildpackDir: ctx.buildpackDir, stack: targetKey(ctx.target), runningNode: ctx.runningNode },
    config,
    out,
  );
  out.step('Installing the agent runtime');
  installBundles(ctx.buildpackDir, layer.dir);
  installWrapper(ctx.buildpackDir, layer.dir);
  // The lifecycle puts <layer>/bin on the launch PATH; the shim finds the layer root through the link.
  mkdirSync(join(layer.dir, 'bin'), { recursive: true });
  symlinkSync(join('..', SLUG.binDir, 'agent-wrapper'), join(layer.dir, 'bin', 'agent-wrapper'));
  installExecD(ctx.buildpackDir, layer.dir);
  writeBuildInfo(layer.dir, buildInfoOf(config, agent, relative(layer.dir, node), targetKey(ctx.target)));
  out.detail('agent-wrapper on the launch PATH; exec.d/datadog starts the agent before the app');
  layer.write(types, metadata);
  return { layer, agent, reused: false };
}

function installExecD(buildpackDir: string, layerDir: string): void {
  const from = join(buildpackDir, 'extra', EXEC_D_PROGRAM);
  if (!existsSync(from)) {
    throw new BuildError('BUILDPACK_INCOMPLETE', `The buildpack has no extra/${EXEC_D_PROGRAM}: the agent could not start at launch.`, 'Use a released tag of the buildpack.');
  }
  const to = join(layerDir, EXEC_D_PROGRAM);
  mkdirSync(join(layerDir, 'exec.d'), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, 0o755);
}

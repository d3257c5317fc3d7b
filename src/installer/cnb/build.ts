// The Cloud Native Buildpack build (Heroku Fir, `bin/build`): the same steps as the classic build,
// into layers — node (the runtime), agent (what a slug holds under .apt/), packages (the .deb cache).
import { join } from 'node:path';
import { BUILDPACK_VERSION, SLUG } from '../../constants.js';
import { readBuildConfig, sizeLine } from '../build.js';
import { BuildError } from '../errors.js';
import type { BuildOutput } from '../output.js';
import { diskUsage } from '../size.js';
import { installAgentLayer } from './agent-layer.js';
import type { CnbContext } from './context.js';
import { installNodeLayer } from './node-layer.js';
import { packagesLayer, settlePackagesLayer } from './packages-layer.js';

export async function buildLayers(ctx: CnbContext, out: BuildOutput): Promise<void> {
  const config = readBuildConfig(ctx.platformDir === '' ? undefined : join(ctx.platformDir, 'env'));
  const { target } = ctx;
  const distro = target.distroName === '' ? '' : `, ${target.distroName} ${target.distroVersion}`;
  out.step(`Datadog buildpack ${BUILDPACK_VERSION}: ${config.DD_AGENT_FLAVOR} agent (Cloud Native Buildpack, ${target.os}/${target.arch}${distro})`);
  if (config.DD_AGENT_FLAVOR === 'official' && target.arch !== 'amd64') {
    throw new BuildError(
      'TARGET_UNSUPPORTED',
      `The official Datadog Agent package is installed for amd64 only; this build targets ${target.os}/${target.arch}.`,
      'Set DD_AGENT_FLAVOR=builtin (the built-in agent runs on arm64), or build for linux/amd64.',
    );
  }
  const node = installNodeLayer(ctx, out);
  const packages = packagesLayer(ctx.layersDir);
  const agent = await installAgentLayer(ctx, config, packages.dir, node.node, out);
  settlePackagesLayer(packages, config);

  const runtimeBytes = diskUsage(join(agent.layer.dir, SLUG.buildpackRoot)) + diskUsage(join(agent.layer.dir, SLUG.binDir)) + diskUsage(node.layer.dir);
  out.step(sizeLine(agent.layer.dir, agent.agent, runtimeBytes, ' incl. node', 'image'));
}

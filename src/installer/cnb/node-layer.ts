// Layer `node`: the Node the agent runs with at launch, in `dist/bin/node` (not the layer's bin/, so
// it never shadows the app's own node on PATH). Kept while its version and arch hold; bin/build
// downloads the pinned Node straight into it when the build has no Node >= 20 of its own.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BuildOutput } from '../output.js';
import type { CnbContext } from './context.js';
import { Layer } from './layer.js';

export const NODE_LAYER = 'node';
/** Where the binary sits in the layer; bin/build's install_pinned_node writes the same place. */
export const NODE_IN_LAYER = 'dist/bin/node';

export interface NodeLayer {
  readonly layer: Layer;
  /** Absolute path of the node binary. */
  readonly node: string;
}

export function installNodeLayer(ctx: CnbContext, out: BuildOutput): NodeLayer {
  const layer = new Layer(ctx.layersDir, NODE_LAYER);
  const node = join(layer.dir, NODE_IN_LAYER);
  const metadata = { version: process.version, arch: ctx.target.arch };
  if (resolve(ctx.runningNode) === resolve(node)) {
    out.detail(`Node ${process.version} in the node layer`);
  } else if (layer.reusable(metadata)) {
    out.detail(`Node ${process.version} unchanged: reusing the node layer`);
  } else {
    layer.reset();
    mkdirSync(dirname(node), { recursive: true });
    copyFileSync(ctx.runningNode, node);
    chmodSync(node, 0o755);
    out.detail(`Node ${process.version} copied into the node layer`);
  }
  layer.write({ launch: true, build: false, cache: true }, metadata);
  return { layer, node };
}

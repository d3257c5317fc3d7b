// Layer `packages`: a cache-only layer (never in the image) with the verified agent .deb by SHA256
// and the key of the build that fetched it, as CACHE_DIR/datadog holds them on Cedar (cache.ts
// decides what in it is still valid). The builtin flavour downloads nothing and drops the layer.
import type { Config } from '../../config/variables.js';
import { Layer } from './layer.js';

export const PACKAGES_LAYER = 'packages';

export function packagesLayer(layersDir: string): Layer {
  return new Layer(layersDir, PACKAGES_LAYER);
}

/** After the agent layer: cache the layer for the next build, or remove it. */
export function settlePackagesLayer(layer: Layer, config: Config): void {
  if (config.DD_AGENT_FLAVOR === 'official') layer.write({ launch: false, build: false, cache: true }, {});
  else layer.remove();
}

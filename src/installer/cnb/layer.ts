// One layer of `<layers>/<name>/` and its `<name>.toml` (Buildpack API 0.10): the types that say when
// it is used, and the metadata that decides whether the restored one is kept (same metadata) or rebuilt.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';

export interface LayerTypes {
  /** In the app image, applied at launch. */
  readonly launch: boolean;
  /** Visible to the buildpacks after this one during the build. */
  readonly build: boolean;
  /** Restored by the next build. */
  readonly cache: boolean;
}

export type LayerMetadata = Readonly<Record<string, string | number | boolean>>;

export class Layer {
  readonly dir: string;
  readonly tomlPath: string;

  constructor(
    layersDir: string,
    readonly name: string,
  ) {
    this.dir = join(layersDir, name);
    this.tomlPath = join(layersDir, `${name}.toml`);
  }

  /** The metadata of the layer the lifecycle restored, when it restored one (and its folder with it). */
  restoredMetadata(): Record<string, unknown> | undefined {
    if (!existsSync(this.tomlPath) || !existsSync(this.dir)) return undefined;
    try {
      const metadata = parse(readFileSync(this.tomlPath, 'utf8')).metadata;
      return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The restored layer was made from the same inputs: keep it as it is. */
  reusable(metadata: LayerMetadata): boolean {
    const restored = this.restoredMetadata();
    if (restored === undefined) return false;
    const keys = new Set([...Object.keys(restored), ...Object.keys(metadata)]);
    for (const key of keys) if (restored[key] !== metadata[key]) return false;
    return true;
  }

  /** An empty folder for new contents. */
  reset(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** The layer as this build leaves it: the lifecycle exports, caches or discards it by these types. */
  write(types: LayerTypes, metadata: LayerMetadata): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.tomlPath, stringify({ types: { ...types }, metadata: { ...metadata } }));
  }

  /** Not part of this build: no folder, no toml (nothing cached, nothing exported). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.tomlPath, { force: true });
  }
}

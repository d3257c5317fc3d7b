import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the previous build was made of; a change in any field flushes the cached packages. */
export interface CacheKey {
  readonly stack: string;
  readonly flavor: 'official' | 'builtin';
  /** Requested agent version (or pin) and repository, '' for the builtin flavour. */
  readonly version: string;
  readonly repo: string;
}

/** A verified package kept from an earlier build: enough to reuse it with no network at all. */
export interface CachedPackage {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly size: number;
}

interface CacheState {
  readonly key: CacheKey;
  readonly package?: CachedPackage;
}

/** `$CACHE_DIR/datadog`: `state.json` and `debs/<sha256>.deb`. */
export class PackageCache {
  readonly dir: string;
  #state: CacheState | undefined;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'datadog');
    try {
      this.#state = JSON.parse(readFileSync(this.statePath, 'utf8')) as CacheState;
    } catch {
      this.#state = undefined;
    }
  }

  get statePath(): string {
    return join(this.dir, 'state.json');
  }

  debPath(sha256: string): string {
    return join(this.dir, 'debs', `${sha256}.deb`);
  }

  /** Compares `key` with the previous build: 'same', 'changed' (cache flushed) or 'empty'. */
  reconcile(key: CacheKey): 'same' | 'changed' | 'empty' {
    const previous = this.#state?.key;
    if (previous === undefined) {
      this.#save({ key });
      return 'empty';
    }
    const same = previous.stack === key.stack && previous.flavor === key.flavor && previous.version === key.version && previous.repo === key.repo;
    if (same) return 'same';
    rmSync(join(this.dir, 'debs'), { recursive: true, force: true });
    this.#save({ key });
    return 'changed';
  }

  /** The package the previous build installed for the same key, when its verified .deb is still here. */
  reusable(): CachedPackage | undefined {
    const cached = this.#state?.package;
    return cached !== undefined && existsSync(this.debPath(cached.sha256)) ? cached : undefined;
  }

  /** Moves a verified download into the cache and remembers it. */
  store(file: string, pkg: CachedPackage): string {
    const target = this.debPath(pkg.sha256);
    mkdirSync(join(this.dir, 'debs'), { recursive: true });
    renameSync(file, target);
    if (this.#state !== undefined) this.#save({ key: this.#state.key, package: pkg });
    return target;
  }

  /** Drops a cached .deb that no longer verifies. */
  forget(pkg: CachedPackage): void {
    rmSync(this.debPath(pkg.sha256), { force: true });
    if (this.#state !== undefined) this.#save({ key: this.#state.key });
  }

  #save(state: CacheState): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(`${this.statePath}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(`${this.statePath}.tmp`, this.statePath);
    this.#state = state;
  }
}

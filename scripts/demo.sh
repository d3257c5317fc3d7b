#!/usr/bin/env bash
# npm run demo [-- --short] [-- --keep]: the whole pipeline on this machine (see scripts/demo.ts).
set -o errexit -o pipefail -o nounset
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/ensure-deps.sh
ensure_node_modules

# The driver is TypeScript: bundle it (dependencies stay in node_modules) and run it.
mkdir -p .demo
node_modules/.bin/esbuild scripts/demo.ts --bundle --platform=node --format=esm --target=node20 \
  --packages=external --log-level=warning --outfile=.demo/demo.mjs
exec node .demo/demo.mjs "$@"

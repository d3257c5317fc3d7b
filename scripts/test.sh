#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages, npm packages, build check, tests.
set -o errexit -o pipefail -o nounset
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/ensure-deps.sh
ensure_debian_packages
ensure_node_modules

step() { printf '\n== %s\n' "$*"; }

step "lib/ bundles match src/"
node scripts/build.mjs --check
step "README variable table matches src/config"
node scripts/docs.mjs --check
step "typecheck"
npx tsc --noEmit -p tsconfig.json
step "vitest"
npx vitest run
step "bats"
npx bats --print-output-on-failure test/bats

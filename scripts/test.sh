#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages, npm packages, build check, tests.
set -o errexit -o pipefail -o nounset
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/ensure-deps.sh
ensure_debian_packages
ensure_node_modules

step() { printf '\n== %s\n' "$*"; }
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

step "lib/ bundles match src/"
node scripts/build.mjs --check
step "README variable table matches src/config"
node scripts/docs.mjs --check
step "typecheck"
npx tsc --noEmit -p tsconfig.json

status=0
step "vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" || status=1
step "bats"
# bats declares its command under "directories.bin", which npm 11 no longer links into .bin.
node_modules/bats/bin/bats --print-output-on-failure --tap test/bats | tee "$results/bats.tap" || status=1

# One closing line for the whole suite, counted from both runners' own reports.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  try {
    const v = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + v.numTodoTests;
    if (!v.success && v.numFailedTests === 0) failed += 1; // an unhandled error outside any test
  } catch { failed += 1; }
  const tap = fs.readFileSync(process.argv[2], "utf8");
  if (!/^1\.\.\d+/m.test(tap)) failed += 1; // bats never ran: no TAP plan
  for (const line of tap.split("\n")) {
    if (/^ok .*# skip/i.test(line)) skipped++;
    else if (/^ok /.test(line)) passed++;
    else if (/^not ok /.test(line)) failed++;
  }
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/vitest.json" "$results/bats.tap"
exit "$status"

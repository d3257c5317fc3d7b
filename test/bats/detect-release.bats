#!/usr/bin/env bats

setup() {
  ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
}

@test "bin/detect prints Datadog and succeeds for any app" {
  run "$ROOT/bin/detect" "$BATS_TEST_TMPDIR"
  [ "$status" -eq 0 ]
  [ "$output" = "Datadog" ]
}

@test "bin/release prints valid YAML" {
  run "$ROOT/bin/release" "$BATS_TEST_TMPDIR"
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | node -e "require('yaml').parse(require('fs').readFileSync(0, 'utf8'))"
}

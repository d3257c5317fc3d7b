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

@test "bin/detect under the CNB API (CNB_* variables, the lifecycle's PLATFORM PLAN arguments) passes silently" {
  mkdir -p "$BATS_TEST_TMPDIR/platform"
  run env CNB_BUILDPACK_DIR="$ROOT" CNB_PLATFORM_DIR="$BATS_TEST_TMPDIR/platform" CNB_BUILD_PLAN_PATH="$BATS_TEST_TMPDIR/plan.toml" "$ROOT/bin/detect" "$BATS_TEST_TMPDIR/platform" "$BATS_TEST_TMPDIR/plan.toml"
  [ "$status" -eq 0 ]
  [ "$output" = "" ]
}

@test "bin/build outside the CNB lifecycle fails with one clear error" {
  run env -u CNB_LAYERS_DIR "$ROOT/bin/build"
  [ "$status" -eq 1 ]
  [[ "$output" == *" !     bin/build runs under the Cloud Native Buildpacks lifecycle (CNB_LAYERS_DIR is not set)."* ]]
}

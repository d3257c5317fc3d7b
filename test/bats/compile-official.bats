#!/usr/bin/env bats
# bin/compile, official flavour, against the signed test apt repository (test/helpers/apt-repo.mjs).

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
  app_node
  set_env DD_APT_REPO_URL "$APT_REPO_URL"
  set_env DD_APT_KEYS_URL "$APT_KEYS_URL"
  AGENT="$BUILD/.apt/opt/datadog-agent"
}

@test "default: the pinned 7.81.2-1 datadog-heroku-agent is verified, installed and recorded" {
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"InRelease signature verified"* ]]
  [[ "$output" == *"-----> Downloading datadog-heroku-agent 7.81.2-1"* ]]
  [[ "$output" == *"100%"* ]]
  [[ "$output" == *"adds"*"to the slug"* ]]
  run "$AGENT/bin/agent/agent" version
  [[ "$output" == "Agent 7.81.2 "* ]]
  [ -f "$BUILD/.apt/etc/datadog-agent/datadog.yaml.example" ]
  [ -x "$AGENT/embedded/bin/trace-agent" ]
  [ "$(build_info agentPackage)" = datadog-heroku-agent ]
  [ "$(build_info agentVersion)" = 7.81.2-1 ]
  [ "$(build_info flavor)" = official ]
}

@test "agent-wrapper --version runs from an official-flavour slug" {
  compile
  [ "$status" -eq 0 ]
  run env HOME=/nonexistent "$BUILD/.apt/usr/bin/agent-wrapper" --version
  [ "$status" -eq 0 ]
  [ -n "$output" ]
}

@test "DD_AGENT_VERSION picks that version, with epoch 1: accepted" {
  set_env DD_AGENT_VERSION "1:7.70.0-1"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"datadog-heroku-agent 7.70.0-1"* ]]
  run "$AGENT/bin/agent/agent" version
  [[ "$output" == "Agent 7.70.0 "* ]]
  [ "$(build_info agentVersion)" = 7.70.0-1 ]
}

@test "a version only packaged as datadog-agent falls back to it" {
  set_env DD_AGENT_VERSION "7.50.0-1"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"Downloading datadog-agent 7.50.0-1"* ]]
  [ "$(build_info agentPackage)" = datadog-agent ]
}

@test "a trailing _amd64 is stripped with the official warning" {
  set_env DD_AGENT_VERSION "7.70.0-1_amd64"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"Please update your pinned version to 7.70.0-1"* ]]
  [[ "$output" == *"heroku config:set DD_AGENT_VERSION=7.70.0-1"* ]]
  [ "$(build_info agentVersion)" = 7.70.0-1 ]
}

@test "DD_AGENT_MAJOR_VERSION=6 installs the 6.53.1-1 pin from component 6, Python 2 by default" {
  set_env DD_AGENT_MAJOR_VERSION 6
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"stable 6"* ]]
  run "$AGENT/bin/agent/agent" version
  [[ "$output" == "Agent 6.53.1 "* ]]
  [ -d "$AGENT/embedded/lib/python2.7" ]
  [ -x "$AGENT/embedded/bin/pydoc2" ]
  [ ! -e "$AGENT/embedded/lib/python3.8" ]
  [ ! -e "$AGENT/embedded/lib/libpython3.8.so.1.0" ]
  [ ! -e "$AGENT/embedded/bin/pip3" ]
}

@test "DD_PYTHON_VERSION=3 keeps Python 3 in an agent 6 slug" {
  set_env DD_AGENT_MAJOR_VERSION 6
  set_env DD_PYTHON_VERSION 3
  compile
  [ "$status" -eq 0 ]
  [ -d "$AGENT/embedded/lib/python3.8" ]
  [ -x "$AGENT/embedded/bin/pip3" ]
  [ ! -e "$AGENT/embedded/lib/python2.7" ]
  [ ! -e "$AGENT/embedded/bin/pydoc" ]
  [ ! -e "$AGENT/embedded/bin/python2.7" ]
}

@test "a missing version fails listing the versions of both packages" {
  set_env DD_AGENT_VERSION "7.99.0-1"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'Version "7.99.0-1" was not found.'* ]]
  [[ "$stderr" == *"Available Heroku versions"*"7.81.2-1"*"7.70.0-1"*"7.60.0-1"* ]]
  [[ "$stderr" == *"Available regular Agent versions"*"7.50.0-1"* ]]
  [[ "$stderr" == *"DD_AGENT_VERSION"* ]]
  [ ! -e "$AGENT" ]
}

@test "the strip list removes what dynos never use and keeps the rest" {
  compile
  [ "$status" -eq 0 ]
  for gone in sources embedded/share/doc embedded/share/man embedded/sbin/gstatus embedded/.installed_by_pkg.txt \
    embedded/bin/system-probe embedded/share/system-probe embedded/bin/clang-bpf embedded/bin/llc-bpf \
    embedded/lib/libbcc.so.0 embedded/lib/libbcc_bpf.so.0 embedded/nikos embedded/bin/secret-generic-connector \
    embedded/lib/libssl.a embedded/bin/security-agent \
    embedded/lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a \
    embedded/lib/python3.12/site-packages/Cryptodome/SelfTest \
    embedded/lib/python3.12/site-packages/botocore/data/ec2 \
    embedded/lib/python3.12/site-packages/kubernetes embedded/lib/python3.12/site-packages/lxml \
    embedded/lib/python3.12/site-packages/openstack embedded/lib/python3.12/site-packages/pysnmp_mibs \
    embedded/lib/python3.12/site-packages/pyVim embedded/lib/python3.12/site-packages/pyVmomi \
    embedded/lib/python3.12/site-packages/cm_client; do
    if [ -e "$AGENT/$gone" ]; then echo "not stripped: $gone"; return 1; fi
  done
  for kept in embedded/lib/libkeep.so.1 embedded/lib/libpython3.12.so.1.0 embedded/bin/python3.12 \
    embedded/lib/python3.12/site-packages/botocore/data/s3/service.json \
    embedded/lib/python3.12/site-packages/datadog_checks/base/__init__.py; do
    if [ ! -e "$AGENT/$kept" ]; then echo "wrongly stripped: $kept"; return 1; fi
  done
  [[ "$output" == *"Stripped "* ]]
}

@test "absolute symlinks in the package are re-rooted inside the slug" {
  compile
  [ "$status" -eq 0 ]
  [ -L "$AGENT/embedded/ssl/cert.pem" ]
  [[ "$(readlink "$AGENT/embedded/ssl/cert.pem")" != /* ]]
  [ "$(cat "$AGENT/embedded/ssl/cert.pem")" = certs ]
}

@test "DD_APM_ENABLED=false strips trace-agent" {
  set_env DD_APM_ENABLED false
  compile
  [ "$status" -eq 0 ]
  [ ! -e "$AGENT/embedded/bin/trace-agent" ]
  [[ "$output" == *"DD_APM_ENABLED=false: trace-agent removed"* ]]
  [ "$(build_info apmEnabled)" = false ]
}

@test "before 7.52 process-agent is stripped unless DD_PROCESS_AGENT=true" {
  set_env DD_AGENT_VERSION 7.50.0-1
  compile
  [ "$status" -eq 0 ]
  [ ! -e "$AGENT/embedded/bin/process-agent" ]
  rm -rf "$BUILD" && mkdir -p "$BUILD" && app_node
  set_env DD_PROCESS_AGENT true
  compile
  [ "$status" -eq 0 ]
  [ -x "$AGENT/embedded/bin/process-agent" ]
}

@test "7.52 to 7.67 without DD_PROCESS_AGENT: the core-only binary replaces the combined agent" {
  set_env DD_AGENT_VERSION 7.60.0-1
  compile
  [ "$status" -eq 0 ]
  [ ! -e "$AGENT/embedded/bin/process-agent" ]
  [ ! -e "$AGENT/bin/agent/core-agent" ]
  grep -q "core-agent only" "$AGENT/bin/agent/agent"
  [[ "$output" == *"core-only agent binary installed"* ]]
}

@test "7.52 to 7.67 with DD_PROCESS_AGENT=true: the combined agent and process-agent stay" {
  set_env DD_AGENT_VERSION 7.60.0-1
  set_env DD_PROCESS_AGENT true
  compile
  [ "$status" -eq 0 ]
  [ -x "$AGENT/embedded/bin/process-agent" ]
  [ ! -e "$AGENT/bin/agent/core-agent" ]
  ! grep -q "core-agent only" "$AGENT/bin/agent/agent"
}

@test "from 7.68 there is no process-agent to strip" {
  set_env DD_PROCESS_AGENT true
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"Agent >= 7.68 runs the process checks in the core agent"* ]]
  [ -x "$AGENT/bin/agent/agent" ]
  [ "$(build_info processAgent)" = true ]
}

@test "warm cache: the second build downloads nothing, even with the repository down" {
  compile
  [ "$status" -eq 0 ]
  debs_before="$(apt_requests '\.deb$')"
  rm -rf "$BUILD" && mkdir -p "$BUILD" && app_node
  before="$(wc -l <"$REQUEST_LOG")"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"reusing the cached datadog-heroku-agent 7.81.2-1 (nothing downloaded)"* ]]
  [ "$(wc -l <"$REQUEST_LOG")" -eq "$before" ]
  [ "$(apt_requests '\.deb$')" -eq "$debs_before" ]
  [ -x "$AGENT/bin/agent/agent" ]
}

@test "a corrupted cached package is detected and downloaded again" {
  compile
  [ "$status" -eq 0 ]
  for deb in "$CACHE"/datadog/debs/*.deb; do printf 'x' >>"$deb"; done
  rm -rf "$BUILD" && mkdir -p "$BUILD" && app_node
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"no longer matches its checksum"* ]]
  [[ "$output" == *"-----> Downloading datadog-heroku-agent 7.81.2-1"* ]]
}

@test "a stack change flushes the cache and downloads again" {
  STACK=heroku-22 compile
  [ "$status" -eq 0 ]
  rm -rf "$BUILD" && mkdir -p "$BUILD" && app_node
  STACK=heroku-24 compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"flushing the cached agent package"* ]]
  [[ "$output" == *"-----> Downloading datadog-heroku-agent"* ]]
  [ "$(ls "$CACHE/datadog/debs" | wc -l)" -eq 1 ]
}

@test "a version change flushes the cache; switching to builtin flushes it too" {
  compile
  [ "$status" -eq 0 ]
  rm -rf "$BUILD" && mkdir -p "$BUILD" && app_node
  set_env DD_AGENT_VERSION 7.70.0-1
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"flushing the cached agent package"* ]]
  [[ "$output" == *"Downloading datadog-heroku-agent 7.70.0-1"* ]]
  rm -rf "$BUILD" && mkdir -p "$BUILD" && app_node
  set_env DD_AGENT_FLAVOR builtin
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"cached agent packages flushed"* ]]
  [ ! -e "$CACHE/datadog/debs" ] || [ -z "$(ls "$CACHE/datadog/debs")" ]
}

@test "a repository with only Release + Release.gpg (like apt.datadoghq.com) is accepted" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-detached"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" == *"Release signature verified"* ]]
}

@test "a tampered .deb fails on its SHA256 and is not cached" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-tampered"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"does not match the signed index"* ]]
  [[ "$stderr" == *"DD_APT_REPO_URL"* ]]
  [ ! -e "$AGENT" ]
  [ -z "$(ls -A "$CACHE/datadog/debs" 2>/dev/null)" ]
}

@test "a download cut halfway fails with DOWNLOAD_FAILED and nothing cached" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-truncated"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"Could not download"*".deb"* ]]
  [[ "$stderr" == *"DD_APT_REPO_URL"* ]]
  [ -z "$(ls -A "$CACHE/datadog/debs" 2>/dev/null)" ]
}

@test "redirects are followed, as from a CDN" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-redirect"
  compile
  [ "$status" -eq 0 ]
  [ "$(build_info agentVersion)" = 7.81.2-1 ]
}

@test "indexes signed by a stranger key are refused" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-badsig"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"not trusted: signed by a key that is not a Datadog apt key"* ]]
  [[ "$stderr" == *"DD_APT_REPO_URL"* ]]
  [ "$(apt_requests '^GET /apt-badsig/pool/')" -eq 0 ]
}

@test "an InRelease altered after signing is refused" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-forged"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"not trusted: its signature does not match its content"* ]]
  [ ! -e "$AGENT" ]
}

@test "an unsigned repository is refused" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-unsigned"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"unsigned"* ]]
  [ ! -e "$AGENT" ]
}

@test "a Packages index that differs from the signed Release is refused" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-modified"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"does not match the SHA256 the signed Release lists"* ]]
}

@test "no signing key found at DD_APT_KEYS_URL is an error naming it" {
  set_env DD_APT_KEYS_URL "$SERVER_URL/keys-empty"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"No Datadog apt signing key found"* ]]
  [[ "$stderr" == *"DD_APT_KEYS_URL"* ]]
}

@test "an unreachable repository fails with the variable to change" {
  set_env DD_APT_REPO_URL "$UNREACHABLE_URL/apt"
  set_env DD_APT_KEYS_URL "$UNREACHABLE_URL/keys"
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"Could not download"* ]]
  [[ "$stderr" == *"DD_APT_KEYS_URL"* ]]
  [ "$(printf '%s\n' "$stderr" | grep -c '^ *!     ')" -ge 2 ]
}

@test "a package with a '..' entry is refused and nothing escapes" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-traversal"
  set_env DD_AGENT_VERSION 7.81.2-1
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"unsafe entr"* ]]
  [[ "$stderr" == *'path with ".."'* ]]
  [ ! -e "$BATS_TEST_TMPDIR/escaped-by-dotdot" ]
  [ ! -e "$BUILD/escaped-by-dotdot" ]
  [ ! -e "$AGENT" ]
}

@test "a package with an absolute path entry is refused" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-traversal"
  set_env DD_AGENT_VERSION 7.70.0-1
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"absolute path"* ]]
  [ ! -e /tmp/escaped-absolute-datadog-test ]
}

@test "a package writing through a symlink out of the root is refused" {
  set_env DD_APT_REPO_URL "$SERVER_URL/apt-traversal"
  set_env DD_AGENT_VERSION 7.60.0-1
  compile_split
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"outside the package"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/escaped-by-symlink" ]
  [ ! -e "$BUILD/escaped-by-symlink" ]
  [ ! -e "$BUILD/.apt/escaped-by-symlink" ]
}

@test "other apt packages already under .apt are kept" {
  mkdir -p "$BUILD/.apt/usr/lib/x86_64-linux-gnu"
  echo lib >"$BUILD/.apt/usr/lib/x86_64-linux-gnu/libother.so"
  compile
  [ "$status" -eq 0 ]
  [ -f "$BUILD/.apt/usr/lib/x86_64-linux-gnu/libother.so" ]
}

@test "the buildpack works from its committed files alone (no node_modules, no build step)" {
  bp="$BATS_TEST_TMPDIR/buildpack"
  mkdir -p "$bp"
  (cd "$ROOT" && git ls-files -z bin lib extra src | xargs -0 cp --parents -t "$bp")
  [ ! -e "$bp/node_modules" ]
  run env STACK=heroku-24 "$bp/bin/compile" "$BUILD" "$CACHE" "$ENVD"
  [ "$status" -eq 0 ]
  [ -x "$AGENT/bin/agent/agent" ]
  run "$BUILD/.apt/usr/bin/agent-wrapper" --version
  [ "$status" -eq 0 ]
}

@test "credentials in DD_APT_REPO_URL are sent as Basic auth and never printed" {
  set_env DD_APT_REPO_URL "http://mirror-user:hunter2@${APT_REPO_URL#http://}"
  compile
  [ "$status" -eq 0 ]
  [[ "$output" != *"hunter2"* ]]
  [[ "$output" == *"Reading the Datadog apt repository (http://127.0.0.1:"* ]]
  grep -q "^Basic $(printf 'mirror-user:hunter2' | base64) /apt/pool/" "$REPO_DIR/auth.log"
  set_env DD_APT_REPO_URL "http://mirror-user:hunter2@${UNREACHABLE_URL#http://}"
  rm -rf "$BUILD" "$CACHE" && mkdir -p "$BUILD" "$CACHE" && app_node
  compile
  [ "$status" -eq 1 ]
  [[ "$output" != *"hunter2"* ]]
}

@test "a build whose network call stalls with nothing pending never exits 0" {
  # A preload makes every HTTP GET hang with no handle left: the event loop drains mid-build.
  cat >"$BATS_TEST_TMPDIR/stall.cjs" <<'JS'
const http = require('node:http');
http.get = () => { const { EventEmitter } = require('node:events'); const req = new EventEmitter(); return req; };
JS
  bats_require_minimum_version 1.5.0
  run --separate-stderr env NODE_OPTIONS="--require $BATS_TEST_TMPDIR/stall.cjs" STACK=heroku-24 "$ROOT/bin/compile" "$BUILD" "$CACHE" "$ENVD"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"The build stopped before finishing"* ]]
}

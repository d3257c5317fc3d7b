# Shared set-up of the compile bats files: a fresh BUILD/CACHE/ENV dir per test.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

new_build() {
  BUILD="$BATS_TEST_TMPDIR/build"
  CACHE="$BATS_TEST_TMPDIR/cache"
  ENVD="$BATS_TEST_TMPDIR/env"
  mkdir -p "$BUILD" "$CACHE" "$ENVD"
}

# set_env NAME VALUE: a config var as Heroku passes it to bin/compile (one file per variable).
set_env() {
  printf '%s' "$2" >"$ENVD/$1"
}

# The app brings its own Node (a Node buildpack ran first): saves copying node in every test.
app_node() {
  mkdir -p "$BUILD/.heroku/node/bin"
  ln -sf "$(command -v node)" "$BUILD/.heroku/node/bin/node"
}

compile() {
  run env STACK="${STACK:-heroku-24}" "$ROOT/bin/compile" "$BUILD" "$CACHE" "$ENVD"
}

# A compile with stdout and stderr kept apart ($output = stdout, $stderr = stderr).
compile_split() {
  bats_require_minimum_version 1.5.0
  run --separate-stderr env STACK="${STACK:-heroku-24}" "$ROOT/bin/compile" "$BUILD" "$CACHE" "$ENVD"
}

build_info() {
  node -e 'const i = require(process.argv[1]); console.log(i[process.argv[2]] ?? "")' "$BUILD/.apt/opt/datadog-buildpack/build.json" "$1"
}

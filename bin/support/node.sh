# Sourced by bin/compile and bin/build: the Node that runs lib/installer.js. Uses `node` on PATH
# when it is >= MIN_NODE_MAJOR, else downloads the pinned Node from DD_NODE_DIST_URL, checked
# against that release's SHASUMS256.txt. Needs BUILDPACK_DIR and bin/support/output.sh.

# One source of truth for the pins: src/constants.ts ships with the buildpack.
constant() {
  sed -n "s/^export const $1 = '\{0,1\}\([^';]*\)'\{0,1\};.*/\1/p" "$BUILDPACK_DIR/src/constants.ts"
}
NODE_VERSION="$(constant PINNED_NODE_VERSION)"
MIN_NODE_MAJOR="$(constant MIN_NODE_MAJOR)"
[ -n "$NODE_VERSION" ] && [ -n "$MIN_NODE_MAJOR" ] || fail "The buildpack's src/constants.ts is unreadable." "Use a released tag of the buildpack."

# A URL fit to print: the credentials of a private mirror removed.
redact() {
  printf '%s' "$1" | sed 's#//[^/@]*@#//#'
}

node_major() {
  "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0
}

# The `node` on PATH when it is recent enough, else nothing.
path_node() {
  if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge "$MIN_NODE_MAJOR" ]; then
    command -v node
  fi
}

# install_pinned_node ENV_DIR DEST ARCH: sets NODE to DEST/bin/node, the pinned Node for linux-ARCH
# (x64, arm64), downloaded and verified unless DEST already holds it.
install_pinned_node() {
  local env_dir="$1" dest="$2" arch="$3" dist name tarball expected actual
  dist="$(constant DEFAULT_NODE_DIST_URL)"
  if [ -n "$env_dir" ] && [ -s "$env_dir/DD_NODE_DIST_URL" ]; then
    dist="$(tr -d '[:space:]' <"$env_dir/DD_NODE_DIST_URL")"
  fi
  dist="${dist%/}"
  name="node-v$NODE_VERSION-linux-$arch"
  NODE="$dest/bin/node"
  if [ -x "$NODE" ] && [ "$("$NODE" --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
    detail "Using cached Node $NODE_VERSION"
    return
  fi
  step "Installing Node $NODE_VERSION for the build (no Node >= $MIN_NODE_MAJOR found)"
  rm -rf "$dest" && mkdir -p "$dest"
  tarball="$dest/$name.tar.gz"
  curl --fail --silent --show-error --location --retry 2 --connect-timeout 10 \
    -o "$dest/SHASUMS256.txt" "$dist/v$NODE_VERSION/SHASUMS256.txt" 2>"$dest/curl.err" \
    || fail "Could not download $(redact "$dist")/v$NODE_VERSION/SHASUMS256.txt: $(redact "$(tail -n1 "$dest/curl.err")")" \
            "Check DD_NODE_DIST_URL (a Node.js dist mirror), or add a Node >= $MIN_NODE_MAJOR buildpack before this one."
  curl --fail --silent --show-error --location --retry 2 --connect-timeout 10 \
    -o "$tarball" "$dist/v$NODE_VERSION/$name.tar.gz" 2>"$dest/curl.err" \
    || fail "Could not download $(redact "$dist")/v$NODE_VERSION/$name.tar.gz: $(redact "$(tail -n1 "$dest/curl.err")")" \
            "Check DD_NODE_DIST_URL (a Node.js dist mirror), or add a Node >= $MIN_NODE_MAJOR buildpack before this one."
  expected="$(awk -v f="$name.tar.gz" '$2 == f { print $1 }' "$dest/SHASUMS256.txt")"
  actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    rm -rf "$dest"
    fail "$name.tar.gz does not match SHASUMS256.txt (expected ${expected:-no entry}, got $actual)." \
         "Check DD_NODE_DIST_URL: it must serve the official Node.js release files."
  fi
  tar -xzf "$tarball" -C "$dest" --strip-components=1 "$name/bin/node"
  rm -f "$tarball" "$dest/curl.err" "$dest/SHASUMS256.txt"
  detail "Node $NODE_VERSION verified (sha256 $actual) and cached"
}

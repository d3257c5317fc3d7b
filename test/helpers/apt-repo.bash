# Sourced by bats files: starts test/helpers/apt-repo.mjs once per file (setup_file) and
# exports its URLs (APT_REPO_URL, APT_KEYS_URL, NODE_DIST_URL, SERVER_URL, UNREACHABLE_URL,
# REQUEST_LOG). `start_apt_repo [--node-dist]` / `stop_apt_repo`.

start_apt_repo() {
  local root dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  dir="$BATS_FILE_TMPDIR/apt-repo"
  mkdir -p "$dir"
  node "$root/test/helpers/apt-repo.mjs" --dir "$dir" "$@" >"$dir.out" 2>&1 &
  echo $! >"$BATS_FILE_TMPDIR/apt-repo.pid"
  local tries=0
  until [ -s "$dir/urls.env" ]; do
    if ! kill -0 "$(cat "$BATS_FILE_TMPDIR/apt-repo.pid")" 2>/dev/null || [ $tries -ge 600 ]; then
      cat "$dir.out" >&2
      return 1
    fi
    sleep 0.1
    tries=$((tries + 1))
  done
  set -o allexport
  # shellcheck disable=SC1091
  source "$dir/urls.env"
  set +o allexport
}

stop_apt_repo() {
  local pidfile="$BATS_FILE_TMPDIR/apt-repo.pid"
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
}

# Number of requests the repository served whose path matches $1 (grep -E).
apt_requests() {
  grep -cE "$1" "$REQUEST_LOG" || true
}

# Sourced by scripts/test.sh and scripts/demo.sh: installs what a fresh machine lacks.

# Debian packages the tests drive for real: gpg/gpgv (apt signatures), dpkg-deb and
# apt-ftparchive (test apt repository), gunicorn with setproctitle (statsd client, gunicorn check),
# redis-server and PostgreSQL (their checks), openssl (self-signed certificates), chromium (intake page).
ensure_debian_packages() {
  local missing=()
  command -v gpg >/dev/null || missing+=(gnupg)
  command -v gpgv >/dev/null || missing+=(gpgv)
  command -v dpkg-deb >/dev/null || missing+=(dpkg)
  command -v dpkg-architecture >/dev/null || missing+=(dpkg-dev)
  command -v apt-ftparchive >/dev/null || missing+=(apt-utils)
  command -v xz >/dev/null || missing+=(xz-utils)
  command -v zstd >/dev/null || missing+=(zstd)
  command -v curl >/dev/null || missing+=(curl)
  command -v gunicorn >/dev/null || missing+=(gunicorn)
  command -v nc >/dev/null || missing+=(netcat-openbsd)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v redis-server >/dev/null || missing+=(redis-server)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  /usr/bin/python3 -c 'import setproctitle' 2>/dev/null || missing+=(python3-setproctitle)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# Sourced by bin/compile and bin/build: Heroku-style output (steps, 7-space details, errors on stderr).
step() { echo "-----> $*"; }
detail() { echo "       $*"; }
fail() {
  local line
  for line in "$@"; do echo " !     $line" >&2; done
  exit 1
}

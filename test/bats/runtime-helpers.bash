# Shared by the runtime bats files: slugs compiled once per file by the real bin/compile, one copy per
# test booted like a dyno (bash sources .profile.d/datadog.sh with HOME at the copy).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
API_KEY="0123456789abcdef0123456789abcdef"

# compile_slug NAME KEY=VALUE...: bin/compile into $BATS_FILE_TMPDIR/slugs/NAME with those ENV_DIR files.
compile_slug() {
  local name="$1" build="$BATS_FILE_TMPDIR/slugs/$1" env="$BATS_FILE_TMPDIR/env-$1" pair
  shift
  mkdir -p "$build/.heroku/node/bin" "$env" "$BATS_FILE_TMPDIR/cache-$name"
  ln -sf "$(command -v node)" "$build/.heroku/node/bin/node"
  for pair in "$@"; do printf '%s' "${pair#*=}" >"$env/${pair%%=*}"; done
  STACK=heroku-24 "$ROOT/bin/compile" "$build" "$BATS_FILE_TMPDIR/cache-$name" "$env" >"$BATS_FILE_TMPDIR/compile-$name.log" 2>&1 \
    || { cat "$BATS_FILE_TMPDIR/compile-$name.log" >&2; return 1; }
}

# new_dyno NAME: a private copy of the compiled slug as $APP, log files beside it.
new_dyno() {
  APP="$BATS_TEST_TMPDIR/app"
  cp -a "$BATS_FILE_TMPDIR/slugs/$1" "$APP"
  BOOT_LOG="$BATS_TEST_TMPDIR/boot.log"
  ENV_OUT="$BATS_TEST_TMPDIR/env.out"
  export STANDIN_LOG="$BATS_TEST_TMPDIR/standin.log"
  : >"$STANDIN_LOG"
  PID_FILE="$APP/.apt/opt/datadog-agent/run/agent-wrapper.pid"
}

# boot [NAME=VALUE...]: a dyno's bash sources the profile script, records its environment and exits;
# the supervisor lives on, writing to $BOOT_LOG like to the dyno's stdout.
boot() {
  # Free ports by default (arguments may override them): the agents listen, and `start` waits for that.
  local free
  read -r -a free < <(node -e '
    const net = require("net"), dgram = require("dgram");
    const u = dgram.createSocket("udp4");
    u.bind(0, "127.0.0.1", () => { const t = net.createServer().listen(0, "127.0.0.1", () => {
      console.log(u.address().port, t.address().port); u.close(); t.close(); }); });')
  env -i PATH=/usr/bin:/bin HOME="$APP" DYNO=web.1 HEROKU_APP_NAME=my-app DD_API_KEY="$API_KEY" \
    DD_DOGSTATSD_PORT="${free[0]}" DD_APM_RECEIVER_PORT="${free[1]}" \
    STANDIN_LOG="$STANDIN_LOG" STANDIN_TOKEN_DELAY="${STANDIN_TOKEN_DELAY:-0.5}" "$@" \
    bash -c 'cd "$HOME" && source .profile.d/datadog.sh && env >"$0"' "$ENV_OUT" >>"$BOOT_LOG" 2>&1
}

# wrapper ARGS...: agent-wrapper from the dyno's PATH with the dyno's exported environment.
wrapper() {
  env -i $(grep -E '^(PATH|HOME|DD_[A-Z_]+|DYNO|DYNOTYPE|STANDIN_LOG)=' "$ENV_OUT" | tr '\n' ' ') DD_API_KEY="$API_KEY" agent-wrapper "$@"
}

exported() {
  grep -E "^$1=" "$ENV_OUT" | head -n1 | cut -d= -f2-
}

supervisor_pid() {
  cat "$PID_FILE" 2>/dev/null
}

# wait_for COMMAND...: retries a test command for up to 20 s.
wait_for() {
  local tries=0
  until "$@"; do
    [ $tries -ge 200 ] && { echo "timed out waiting for: $*" >&2; cat "$BOOT_LOG" >&2; return 1; }
    sleep 0.1
    tries=$((tries + 1))
  done
}

logged() {
  grep -qE -- "$1" "$BOOT_LOG"
}

standin_started() {
  grep -qE "^$1 [0-9]+ $2" "$STANDIN_LOG"
}

# Pids of the stand-ins started in this test (from their own log).
standin_pids() {
  awk '{ print $2 }' "$STANDIN_LOG" 2>/dev/null | sort -u
}

alive() {
  kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null
}

none_alive() {
  local pid
  for pid in "$@"; do alive "$pid" && return 1; done
  return 0
}

# Stops what this test started, by pid: the supervisor, then any stand-in left.
stop_dyno() {
  local pid
  pid="$(supervisor_pid)"
  if [ -n "$pid" ] && alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_for none_alive "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  for pid in $(standin_pids); do
    # Only a process still running from this test's slug (pids may have been reused since).
    grep -qF "$APP" "/proc/$pid/cmdline" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done
  # Port listeners of stand-ins killed with -9 by the test (their parent could not stop them).
  pkill -f '^timeout 300 nc -l' 2>/dev/null || true
}

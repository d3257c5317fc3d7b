#!/usr/bin/env bats
# Dyno boot of an official-flavour slug (stand-in agent binaries from the test apt repository):
# .profile.d/datadog.sh, agent-wrapper prepare/start/status/stop and the supervisor.

setup_file() {
  load '../helpers/apt-repo'
  load 'runtime-helpers'
  start_apt_repo
  # 7.60: trace-agent and a standalone process-agent, all three supervised.
  compile_slug official DD_APT_REPO_URL="$APT_REPO_URL" DD_APT_KEYS_URL="$APT_KEYS_URL" \
    DD_AGENT_VERSION=7.60.0-1 DD_PROCESS_AGENT=true
  stop_apt_repo
}

setup() {
  load 'runtime-helpers'
  new_dyno official
}

teardown() {
  stop_dyno
}

core_agent_runs() {
  [ "$(grep -c '^agent [0-9]* run' "$STANDIN_LOG")" -ge "$1" ]
}

@test "sourcing the profile exports the dyno's variables and returns while the agents start in the background" {
  boot DD_TAGS="team:core, tier:web" HEROKU_RELEASE_VERSION=v12 PATH="$APP/.apt/usr/bin:/usr/bin:/bin" DD_PROCESS_AGENT=true
  [ "$(exported DD_TAGS)" = "dyno:web.1,dynotype:web,buildpackversion:0.1.0,appname:my-app,team:core,tier:web" ]
  [ "$(exported DYNOTYPE)" = web ]
  [ "$(exported DD_VERSION)" = v12 ]
  [ -n "$(exported DD_HOSTNAME)" ]
  [ "$(exported DD_CONF_DIR)" = "$APP/.apt/etc/datadog-agent" ]
  # PATH already held the wrapper's folder: not added twice.
  [ "$(exported PATH)" = "$APP/.apt/usr/bin:/usr/bin:/bin" ]
  ! grep -qE '^(LD_LIBRARY_PATH|PYTHONPATH)=' "$ENV_OUT"
  grep -q "^confd_path: $APP/.apt/etc/datadog-agent/conf.d" "$APP/.apt/etc/datadog-agent/datadog.yaml"
  grep -q '^# datadog.yaml example for 7.60.0-1' "$APP/.apt/etc/datadog-agent/datadog.yaml"
  ! grep -q "$API_KEY" "$APP/.apt/etc/datadog-agent/datadog.yaml"
  # The supervisor runs on after the boot shell exited.
  alive "$(supervisor_pid)"
  wait_for standin_started agent "run -c $APP/.apt/etc/datadog-agent/datadog.yaml"
}

@test "PATH gets the wrapper's folder when it lacks it" {
  boot
  [ "$(exported PATH)" = "$APP/.apt/usr/bin:/usr/bin:/bin" ]
}

@test "the core agent starts first, trace-agent and process-agent once its auth token exists" {
  STANDIN_TOKEN_DELAY=1.5 boot DD_PROCESS_AGENT=true
  wait_for standin_started trace-agent "--config $APP/.apt/etc/datadog-agent/datadog.yaml"
  wait_for standin_started process-agent "--cfgpath $APP/.apt/etc/datadog-agent/datadog.yaml"
  [ "$(head -n1 "$STANDIN_LOG" | cut -d' ' -f1)" = agent ]
  [ -s "$APP/.apt/etc/datadog-agent/auth_token" ]
  # The agent's libraries are on its LD_LIBRARY_PATH only, not the app's.
  grep -q "^agent .* LD_LIBRARY_PATH=$APP/.apt/opt/datadog-agent/embedded/lib:" "$STANDIN_LOG"
  ! logged 'unable to read auth token'
  ! logged 'restarting'
  wait_for logged '\[trace-agent\] .*Listening for traces'
  logged '\[agent\] .* \| CORE \| INFO \| Starting Datadog Agent'
}

@test "agent-wrapper status reaches the agent and shows the supervised processes" {
  boot DD_PROCESS_AGENT=true
  wait_for standin_started process-agent
  run wrapper status
  [ "$status" -eq 0 ]
  [[ "$output" == *"Supervisor: running (pid $(supervisor_pid))"* ]]
  [[ "$output" == *"agent: running (pid "* ]]
  [[ "$output" == *"trace-agent: running (pid "* ]]
  [[ "$output" == *"Status: running (stand-in)"* ]]
  [[ "$output" == *"Arguments: -c $APP/.apt/etc/datadog-agent/datadog.yaml"* ]]
  run wrapper status --json
  [[ "$output" != *"Supervisor"* ]]
  run wrapper check "my check" --flag
  [ "$status" -eq 0 ]
  grep -q "^agent [0-9]* check -c $APP/.apt/etc/datadog-agent/datadog.yaml my check --flag" "$STANDIN_LOG"
  run wrapper health
  [ "$output" = "Agent health: PASS" ]
}

@test "a killed agent is restarted with backoff, each restart logged once" {
  boot
  wait_for standin_started trace-agent
  first="$(awk '$1 == "agent" && $3 == "run" { print $2; exit }' "$STANDIN_LOG")"
  kill -KILL "$first"
  wait_for core_agent_runs 2
  [ "$(grep -c 'agent was killed by SIGKILL; restarting in 1 s (attempt 1)' "$BOOT_LOG")" -eq 1 ]
  ! alive "$first"
  run wrapper status
  [[ "$output" == *"agent: running (pid "*", 1 restart"* ]]
}

@test "SIGTERM to every process of the dyno (as Heroku does) ends the supervisor and its agents" {
  boot
  wait_for standin_started trace-agent
  wait_for logged 'Listening for traces'
  supervisor="$(supervisor_pid)"
  pids="$supervisor $(standin_pids)"
  kill -TERM $pids 2>/dev/null || true
  wait_for none_alive $pids
  logged 'Agent stopped'
  logged 'Trace agent stopped'
  ! logged 'restarting'
  [ "$(tail -n1 "$BOOT_LOG" | grep -c 'all agents stopped')" -eq 1 ]
  [ ! -e "$PID_FILE" ]
}

@test "SIGTERM to the supervisor: satellites stop first, then the core agent, then the supervisor" {
  boot DD_PROCESS_AGENT=true
  wait_for logged 'Starting process-agent'
  wait_for logged 'Listening for traces'
  supervisor="$(supervisor_pid)"
  kill -TERM "$supervisor"
  wait_for none_alive "$supervisor" $(standin_pids)
  trace="$(grep -n 'Trace agent stopped' "$BOOT_LOG" | cut -d: -f1)"
  process="$(grep -n 'Process agent stopped' "$BOOT_LOG" | cut -d: -f1)"
  core="$(grep -n '\[agent\] .*Agent stopped' "$BOOT_LOG" | cut -d: -f1)"
  done_line="$(grep -n 'all agents stopped' "$BOOT_LOG" | cut -d: -f1)"
  [ "$trace" -lt "$core" ] && [ "$process" -lt "$core" ] && [ "$core" -lt "$done_line" ]
}

@test "agent-wrapper stop stops the supervisor; a second start is refused while one runs" {
  boot
  first="$(supervisor_pid)"
  run wrapper start
  [[ "$output" == *"already running (pid $first)"* ]]
  run wrapper stop
  [ "$status" -eq 0 ]
  [[ "$output" == *"(pid $first) stopped"* ]]
  ! alive "$first"
  run wrapper stop
  [[ "$output" == *"not running"* ]]
}

@test "no DD_API_KEY: the official one-line hint, nothing started" {
  boot DD_API_KEY=
  [ "$(cat "$BOOT_LOG")" = "DD_API_KEY environment variable not set. Run: heroku config:add DD_API_KEY=<your API key>" ]
  [ ! -e "$PID_FILE" ]
  [ -n "$(exported DD_TAGS)" ]
}

@test "DD_LOG_LEVEL=off: no API key, a bad value, a running agent - not one line of output" {
  boot DD_API_KEY= DD_LOG_LEVEL=off DD_DYNO_HOST=maybe
  [ ! -s "$BOOT_LOG" ]
  boot DD_LOG_LEVEL=OFF
  wait_for standin_started trace-agent
  sleep 1
  kill -TERM "$(supervisor_pid)"
  wait_for test ! -e "$PID_FILE"
  [ ! -s "$BOOT_LOG" ]
}

@test "DISABLE_DATADOG_AGENT: one line, nothing started" {
  boot DISABLE_DATADOG_AGENT=1
  [ "$(wc -l <"$BOOT_LOG")" -eq 1 ]
  logged 'The Datadog Agent has been disabled'
  [ ! -e "$PID_FILE" ]
  [ ! -s "$STANDIN_LOG" ]
}

@test "prerun.sh: sees the prepared variables, changes tags, version and config, or disables the agent" {
  mkdir -p "$APP/datadog"
  cat >"$APP/datadog/prerun.sh" <<'PRERUN'
echo "prerun sees DYNOTYPE=$DYNOTYPE DD_CONF_DIR=$DD_CONF_DIR"
DD_TAGS="$DD_TAGS, from:prerun"
export DD_VERSION=prerun-1
echo "custom: 1" >>"$DD_CONF_DIR/datadog.yaml"
if [ "$DYNOTYPE" = run ]; then DISABLE_DATADOG_AGENT=true; fi
PRERUN
  boot
  logged "prerun sees DYNOTYPE=web DD_CONF_DIR=$APP/.apt/etc/datadog-agent"
  [ "$(exported DD_TAGS)" = "dyno:web.1,dynotype:web,buildpackversion:0.1.0,appname:my-app,from:prerun" ]
  [ "$(exported DD_VERSION)" = prerun-1 ]
  grep -q '^custom: 1' "$APP/.apt/etc/datadog-agent/datadog.yaml"
  wait_for standin_started agent run
  stop_dyno
  : >"$BOOT_LOG"
  boot DYNO=run.4242
  logged 'The Datadog Agent has been disabled'
  [ "$(exported DYNOTYPE)" = run ]
  ! logged 'supervising'
}

@test "integrations from the app's datadog folder and URL variables; no secret in any output" {
  mkdir -p "$APP/datadog/conf.d" "$APP/datadog/checks.d"
  printf 'instances:\n  - url: http://localhost\n' >"$APP/datadog/conf.d/http_check.yaml"
  printf 'print(1)\n' >"$APP/datadog/checks.d/custom.py"
  boot DD_ENABLE_HEROKU_POSTGRES=true DATABASE_URL='postgres://admin:pgsecret99@db.example:5432/app' \
    DD_ENABLE_HEROKU_REDIS=true DD_REDIS_URL_VAR='REDIS_URL,BAD_REDIS' REDIS_URL='rediss://:redissecret77@r.example:6380' \
    BAD_REDIS='redis://:badsecret55@' DD_LOG_LEVEL=debug
  conf="$APP/.apt/etc/datadog-agent"
  grep -q 'url: http://localhost' "$conf/conf.d/http_check.d/conf.yaml"
  [ -f "$conf/checks.d/custom.py" ]
  grep -q 'password: pgsecret99' "$conf/conf.d/postgres.d/conf.yaml"
  grep -q 'ssl: true' "$conf/conf.d/redisdb.d/conf.yaml"
  logged 'BAD_REDIS is not a redis'
  wait_for standin_started trace-agent
  run wrapper status
  for secret in "$API_KEY" pgsecret99 redissecret77 badsecret55; do
    ! grep -q "$secret" "$BOOT_LOG"
    [[ "$output" != *"$secret"* ]]
  done
}

@test "DD_DISABLE_HOST_METRICS and the hostname rules reach the files and the exports" {
  mkdir -p "$APP/.apt/etc/datadog-agent/conf.d/cpu.d"
  echo 'instances: [{}]' >"$APP/.apt/etc/datadog-agent/conf.d/cpu.d/conf.yaml.default"
  boot DD_DISABLE_HOST_METRICS=true DD_DYNO_HOST=true HEROKU_APP_NAME=My_App DD_API_KEY=
  [ -f "$APP/.apt/etc/datadog-agent/conf.d/cpu.d/conf.yaml.default_disabled" ]
  [ "$(exported DD_HOSTNAME)" = "My-App.web.1" ]
}

@test "unknown subcommand: usage and exit 2; --version" {
  boot DD_API_KEY=
  run wrapper frobnicate
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown command \"frobnicate\""*"usage: agent-wrapper"* ]]
  run wrapper --version
  [ "$output" = 0.1.0 ]
}

@test "hostile values in DD_TAGS and the app name are exported as text (split into tags), never executed" {
  boot DD_API_KEY= DD_TAGS="it's,\$(touch $BATS_TEST_TMPDIR/pwned),\`touch $BATS_TEST_TMPDIR/pwned2\`" HEROKU_APP_NAME="o'app;\$HOME"
  [ ! -e "$BATS_TEST_TMPDIR/pwned" ] && [ ! -e "$BATS_TEST_TMPDIR/pwned2" ]
  [ "$(exported DD_TAGS)" = "dyno:web.1,dynotype:web,buildpackversion:0.1.0,appname:o'app;\$HOME,it's,\$(touch,$BATS_TEST_TMPDIR/pwned),\`touch,$BATS_TEST_TMPDIR/pwned2\`" ]
}

@test "a shell with errexit and nounset still reaches the app's command when the agent cannot start" {
  rm "$APP/.apt/opt/datadog-buildpack/build.json"
  run env -i PATH=/usr/bin:/bin HOME="$APP" DYNO=web.1 DD_API_KEY="$API_KEY" \
    bash -c 'set -o errexit -o nounset; source "$HOME/.profile.d/datadog.sh"; echo app-started'
  [ "$status" -eq 0 ]
  [[ "$output" == *"no build info"*"app-started" ]]
  [[ "$output" != *"$API_KEY"* ]]
}

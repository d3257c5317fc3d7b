#!/usr/bin/env bats
# Dyno boot of a builtin-flavour slug: the supervisor runs the built-in agent (lib/agent.js) on the slug's
# node; agent-wrapper status reaches it over IPC. Ports are ephemeral; the intake is a local server answering 202.

setup_file() {
  load 'runtime-helpers'
  compile_slug builtin DD_AGENT_FLAVOR=builtin
  node -e '
    const http = require("http");
    const server = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(202); res.end("{}"); }); });
    server.listen(0, "127.0.0.1", () => require("fs").writeFileSync(process.argv[1], String(server.address().port)));
  ' "$BATS_FILE_TMPDIR/intake.port" >/dev/null 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/intake.pid"
  wait_for test -s "$BATS_FILE_TMPDIR/intake.port"
}

teardown_file() {
  kill "$(cat "$BATS_FILE_TMPDIR/intake.pid")" 2>/dev/null || true
}

setup() {
  load 'runtime-helpers'
  new_dyno builtin
  INTAKE="http://127.0.0.1:$(cat "$BATS_FILE_TMPDIR/intake.port")"
  read -r CMD_PORT APM_PORT < <(node -e '
    const net = require("net");
    const ports = [];
    const next = () => { const s = net.createServer().listen(0, "127.0.0.1", () => { ports.push(s.address().port); s.close(); ports.length < 2 ? next() : console.log(ports.join(" ")); }); };
    next();')
  STATSD_PORT="$(node -e 'const s = require("dgram").createSocket("udp4"); s.bind(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
  PORTS=(DD_CMD_PORT="$CMD_PORT" DD_APM_RECEIVER_PORT="$APM_PORT" DD_DOGSTATSD_PORT="$STATSD_PORT"
    DD_DD_URL="$INTAKE" DD_APM_DD_URL="$INTAKE")
}

teardown() {
  stop_dyno
}

agent_ready() {
  [ -s "$APP/.apt/etc/datadog-agent/auth_token" ]
}

@test "the supervisor runs the built-in agent with the generated datadog.yaml; status reaches it; SIGTERM stops it" {
  boot "${PORTS[@]}"
  grep -q "^cmd_port: $CMD_PORT" "$APP/.apt/etc/datadog-agent/datadog.yaml"
  ! grep -q "$API_KEY" "$APP/.apt/etc/datadog-agent/datadog.yaml"
  wait_for logged "started agent \\(pid [0-9]+\\)"
  logged 'DATADOG-BUILDPACK \| INFO \| supervising agent \(builtin flavour\)'
  # The builtin flavour's supervisor is Perl (supervisor.pl), its environment the dyno's.
  [[ "$(tr '\0' ' ' <"/proc/$(supervisor_pid)/cmdline")" == "datadog-supervisor -e "*" -- --name=agent "* ]]
  grep -qz "^DD_API_KEY=$API_KEY\$" "/proc/$(supervisor_pid)/environ"
  wait_for agent_ready
  run wrapper status
  [ "$status" -eq 0 ]
  [[ "$output" == *"Datadog buildpack 0.1.0 (builtin)"*"Supervisor: running (pid $(supervisor_pid))"*"agent: running (pid "* ]]
  run wrapper status --json
  [ "$status" -eq 0 ]
  echo "$output" | node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))'
  supervisor="$(supervisor_pid)"
  kill -TERM "$supervisor"
  wait_for none_alive "$supervisor"
  logged 'all agents stopped'
  ! logged 'restarting'
  ! grep -q "$API_KEY" "$BOOT_LOG"
}

first_datagram_counted() {
  wrapper status --json | node -e '
    const status = JSON.parse(require("fs").readFileSync(0, "utf8"));
    process.exit(status.components.dogstatsd.metricSamples === 1 ? 0 : 1);'
}

@test "the profile returns once DogStatsD and the trace receiver listen: the app's first datagram counts" {
  boot "${PORTS[@]}"
  # No wait at all: this is what the app's first line of code does.
  printf 'boot.first:1|c' | nc -u -w0 127.0.0.1 "$STATSD_PORT"
  node -e 'require("net").connect(Number(process.argv[1]), "127.0.0.1").on("connect", function () { this.end(); }).on("error", () => process.exit(1))' "$APM_PORT"
  wait_for agent_ready
  wait_for first_datagram_counted
}

uds_datagram_counted() {
  wrapper status --json | node -e '
    const { dogstatsd } = JSON.parse(require("fs").readFileSync(0, "utf8")).components;
    process.exit(dogstatsd.udsPackets === 1 && dogstatsd.metricSamples === 1 ? 0 : 1);'
}

@test "DD_DOGSTATSD_SOCKET: the slug's agent serves the Unix socket from boot; status shows it; stop removes it" {
  socket_dir="$(mktemp -d /tmp/dsd.XXXXXX)" # sun_path holds 108 bytes: BATS_TEST_TMPDIR is too long
  boot "${PORTS[@]}" DD_DOGSTATSD_SOCKET="$socket_dir/dsd.socket"
  # Right after the profile script, like the app's first line of code.
  printf 'boot.uds:1|c' | nc -U -u -w0 "$socket_dir/dsd.socket"
  wait_for uds_datagram_counted
  run wrapper status
  [[ "$output" == *"Uds Listening: $socket_dir/dsd.socket"*"Uds Relay Pid: "* ]]
  supervisor="$(supervisor_pid)"
  kill -TERM "$supervisor"
  wait_for none_alive "$supervisor"
  [ ! -e "$socket_dir/dsd.socket" ]
  ! pgrep -f "dogstatsd-relay .* -- unix $socket_dir" >/dev/null
  rm -rf "$socket_dir"
}

# The agent's pid once its UDP relay serves (IPC starts first, so the pid alone is not enough).
agent_pid() {
  wrapper status --json 2>/dev/null | node -e '
    const status = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (status.components.dogstatsd.udpRelayPid === undefined) process.exit(1);
    process.stdout.write(String(status.pid));'
}

udp_relay_pid() {
  wrapper status --json 2>/dev/null | node -e '
    const pid = JSON.parse(require("fs").readFileSync(0, "utf8")).components.dogstatsd.udpRelayPid;
    if (pid === undefined) process.exit(1);
    process.stdout.write(String(pid));'
}

samples_counted() {
  wrapper status --json | node -e '
    const status = JSON.parse(require("fs").readFileSync(0, "utf8"));
    process.exit(status.components.dogstatsd.metricSamples === Number(process.argv[1]) ? 0 : 1);' "$1"
}

restarted_agent_ready() {
  local pid
  pid="$(agent_pid)" && [ -n "$pid" ] && [ "$pid" != "$1" ]
}

@test "a SIGKILLed agent takes its UDP relay with it; the supervisor holds the port: what is sent meanwhile is counted by the next agent" {
  boot "${PORTS[@]}"
  wait_for agent_pid
  first="$(agent_pid)"
  relay="$(udp_relay_pid)"
  # The socket is the supervisor's, inherited by the relay (relay.pl's fd mode).
  [[ "$(tr '\0' ' ' <"/proc/$relay/cmdline")" == "dogstatsd-relay -e "*" -- fd udp 4"* ]]
  kill -KILL "$first"
  wait_for none_alive "$relay"
  # No agent reads the port now: the datagram waits in the socket's queue.
  printf 'during.restart:1|c' | nc -u -w0 127.0.0.1 "$STATSD_PORT"
  wait_for restarted_agent_ready "$first"
  logged 'agent was killed by SIGKILL; restarting in 1 s \(attempt 1\)'
  printf 'after.restart:1|c' | nc -u -w0 127.0.0.1 "$STATSD_PORT"
  wait_for samples_counted 2
  run wrapper status
  [[ "$output" == *"agent: running (pid $(agent_pid)), 1 restart"$'\n'* ]]
  supervisor="$(supervisor_pid)"
  run wrapper stop
  [ "$status" -eq 0 ]
  [[ "$output" == *"The Datadog agent supervisor (pid $supervisor) stopped."* ]]
  logged 'all agents stopped'
}

@test "agent-wrapper intake dispatches to the intake bundle with its arguments" {
  run "$APP/.apt/usr/bin/agent-wrapper" intake --help
  [[ "$output" == *"--port"* ]]
}

# The builtin flavour's supervisor, in Perl: a Perl process is ~5 MB RSS where a second Node process is
# ~43 MB (bench/footprint.mjs). It keeps the contract of the Node supervisor (supervisor.ts and
# supervise.ts, still the official flavour's): it runs one agent process, restarts it after base,
# 2×base… (at most cap; the count starts again after stable-after ms of uptime), one log line per
# attempt; a clean exit (code 0, SIGTERM, SIGINT) waits clean-exit-grace-ms first, as Heroku signals
# every process of the dyno and ours may be on its way. The agent's output (stdout and stderr) is
# prefixed and filtered by level as log-filter.ts ChildLog does; the supervisor's own lines have the
# shape of buildpack-log.ts. On SIGTERM or SIGINT it sends SIGTERM to the agent, SIGKILLs it at
# grace-ms, removes the pid and state files and exits 0; a second signal changes nothing; SIGHUP is
# ignored. The state file has the schema of pid-file.ts SupervisorState, so `agent-wrapper status`
# and `agent-wrapper stop` work unchanged.
# `agent-wrapper start` computes everything (perl-supervisor.ts): the agent's environment is this
# process's own, its command line follows `--`. No module beyond strict and warnings: POSIX alone
# would add 2.5 MB RSS, so Linux's numbers (errno, signals, WNOHANG; the same on x86_64 and arm64)
# are written here, Errno is loaded only to name why an agent could not start, the clock is
# /proc/uptime (10 ms, monotonic) and startedAt has whole seconds.
# Sockets that outlive the agent: with --udp=ADDRESS:PORT, --unix-socket=PATH (both with --rcvbuf=N
# when given) and --apm=ADDRESS:PORT it binds the DogStatsD UDP socket, the DogStatsD Unix datagram
# socket and the trace receiver's listening TCP socket (backlog 511, SO_REUSEADDR, as Node's listen)
# before it first starts the agent, and hands them to every agent it starts as inherited
# descriptors, named in DD_BUILDPACK_INHERITED_SOCKETS='udp=3,unix=4,apm=5' (src/agent/dogstatsd/
# inherited-sockets.ts). What arrives while the agent restarts waits in the kernel's queues (UDP's
# SO_RCVBUF, the Unix socket's, the listen backlog) and is read by the next agent. A socket that
# cannot be bound (port taken) is tried again before each start; meanwhile the agent binds it
# itself, and its error names the variable. The Unix socket's file goes when the supervisor stops.
# Usage: perl -e "$PERL_LOADER" -- --name=agent --level=info --grace-ms=25000 --backoff=1000,60000,60000
#   --clean-exit-grace-ms=1000 [--pid-file=P] [--state-file=S] [--auth-token=T] [--flavour=TEXT]
#   [--udp=A:P] [--unix-socket=PATH] [--rcvbuf=N] [--apm=A:P]
#   -- COMMAND ARGS...   (the script on fd 3; tests pass short --grace-ms and --backoff)

use strict;
use warnings;

sub EINTR () { 4 }
sub EAGAIN () { 11 }
sub WNOHANG () { 1 }
sub SIGINT () { 2 }
sub SIGTERM () { 15 }
# Socket numbers of Linux (the same on x86_64 and arm64), without the Socket module.
sub AF_UNIX () { 1 }
sub AF_INET () { 2 }
sub SOCK_STREAM () { 1 }
sub SOCK_DGRAM () { 2 }
sub SOL_SOCKET () { 1 }
sub SO_REUSEADDR () { 2 }
sub SO_RCVBUF () { 8 }
sub F_SETFD () { 2 }
my @SIGNAL_NAME = qw(ZERO HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS);

my %opt;
while (@ARGV && $ARGV[0] ne '--') {
  my $arg = shift @ARGV;
  $arg =~ /\A--([a-z-]+)=(.*)\z/s or die "supervisor: unknown argument $arg\n";
  $opt{$1} = $2;
}
shift @ARGV;
my @command = @ARGV;
for my $required (qw(name level grace-ms backoff clean-exit-grace-ms)) {
  die "supervisor: --$required is missing\n" unless defined $opt{$required};
}
die "supervisor: no command after --\n" unless @command;
my $name = $opt{name};
my $grace_ms = $opt{'grace-ms'};
my $clean_exit_grace_ms = $opt{'clean-exit-grace-ms'};
my ($base_ms, $cap_ms, $stable_after_ms) = split /,/, $opt{backoff};

my @LEVELS = qw(trace debug info warn error critical off);
my %RANK;
@RANK{@LEVELS} = (0 .. $#LEVELS);
my $threshold = $RANK{$opt{level}};
die "supervisor: unknown level $opt{level}\n" unless defined $threshold;

sub now_ms {
  open(my $fh, '<', '/proc/uptime') or die "supervisor: /proc/uptime: $!\n";
  my ($seconds) = split ' ', scalar <$fh>;
  close $fh;
  return $seconds * 1000;
}

sub utc {
  my ($format) = @_;
  my @t = gmtime;
  return sprintf($format, $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0]);
}

sub errno_name {
  my $code = $! + 0;
  require Errno; # only when something failed (%! would load it at compile time)
  for my $name (@Errno::EXPORT_OK) {
    my $value = eval { Errno->can($name)->() };
    return $name if defined $value && $value == $code;
  }
  return "errno $code";
}

# The dyno's log stream. A closed one must not kill the supervisor (nor, with it, the agent); a stdout
# left non-blocking by the node that started us gets up to 1 s to take each write.
$SIG{PIPE} = 'IGNORE';
sub out {
  my ($text) = @_;
  my $offset = 0;
  while ($offset < length $text) {
    my $n = syswrite(STDOUT, $text, length($text) - $offset, $offset);
    if (defined $n) { $offset += $n; next }
    next if $! == EINTR;
    return unless $! == EAGAIN;
    my $writable = '';
    vec($writable, fileno(STDOUT), 1) = 1;
    return unless select(undef, $writable, undef, 1) > 0;
  }
}

sub logline {
  my ($level, $message) = @_;
  return if $RANK{$level} < $threshold;
  out(utc('%04d-%02d-%02d %02d:%02d:%02d') . ' UTC | DATADOG-BUILDPACK | ' . uc($level) . " | $message\n");
}

# ChildLog: agent lines carry their level (`… | CORE | WARN | …`); a line without one follows the line before.
my $LEVEL_FIELD = qr/\|\s*[A-Z][A-Z_-]*\s*\|\s*(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL)\s*\|/;
sub child_line {
  my ($output, $line) = @_;
  $line =~ s/\r\z//;
  if ($line =~ $LEVEL_FIELD) {
    my $level = lc $1;
    $level = 'warn' if $level eq 'warning';
    $output->{keeping} = $RANK{$level} >= $threshold;
  }
  return if $threshold >= $RANK{off} || !$output->{keeping} || $line eq '';
  out("[$name] $line\n");
}

sub child_chunk {
  my ($output, $chunk) = @_;
  my $text = $output->{pending} . $chunk;
  my $start = 0;
  while ((my $newline = index($text, "\n", $start)) >= 0) {
    child_line($output, substr($text, $start, $newline - $start));
    $start = $newline + 1;
  }
  $output->{pending} = substr($text, $start);
}

# One per agent started: its pipe is read until end of file, which a grandchild may hold past the agent's death.
my @outputs;

# Reads what the pipes hold, waiting at most $timeout seconds for something; false when nothing came.
sub read_outputs {
  my ($timeout) = @_;
  my $ready = '';
  vec($ready, fileno($_->{fh}), 1) = 1 for @outputs;
  return 0 if select($ready, undef, undef, $timeout) <= 0; # timeout, or EINTR: a signal to handle
  for my $output (grep { vec($ready, fileno($_->{fh}), 1) } @outputs) {
    my $n = sysread($output->{fh}, my $chunk, 65536);
    next if !defined $n && ($! == EINTR || $! == EAGAIN);
    if ($n) { child_chunk($output, $chunk); next }
    child_line($output, $output->{pending}) if $output->{pending} ne '';
    close $output->{fh};
    @outputs = grep { $_ != $output } @outputs;
  }
  return 1;
}

# What the pipes hold right now (bounded: a grandchild may write without end).
sub drain_outputs {
  for (1 .. 64) { last unless @outputs && read_outputs(0) }
}

my %child = (pid => undef, restarts => 0, attempt => 0, started_at => 0, state => 'waiting', last_exit => undef);
my ($timer_at, $timer_action);
my $stopping = 0;
my ($stop_deadline, $killed);
my $started_at = utc('%04d-%02d-%02dT%02d:%02d:%02d.000Z');

sub json_string {
  my ($text) = @_;
  my %short = ("\b" => '\b', "\t" => '\t', "\n" => '\n', "\f" => '\f', "\r" => '\r', '"' => '\"', '\\' => '\\\\');
  $text =~ s{(["\\\x00-\x1f])}{$short{$1} // sprintf('\u%04x', ord $1)}ge;
  return "\"$text\"";
}

sub write_atomic {
  my ($path, $text) = @_;
  my $tmp = "$path.$$.tmp";
  open(my $fh, '>', $tmp) or return;
  print {$fh} $text;
  close $fh or return;
  rename $tmp, $path;
}

# The state for `agent-wrapper status`, as JSON.stringify(state, null, 2) writes it.
sub changed {
  return unless defined $opt{'state-file'};
  my $pid = $child{state} eq 'running' && defined $child{pid} ? qq(\n      "pid": $child{pid},) : '';
  write_atomic($opt{'state-file'}, join('',
    "{\n  \"pid\": $$,\n  \"startedAt\": ", json_string($started_at), ",\n  \"children\": [\n    {\n",
    '      "name": ', json_string($name), ',', $pid, "\n      \"restarts\": $child{restarts},\n",
    '      "state": ', json_string($child{state}), "\n    }\n  ]\n}\n"));
}

sub remove_pid_file {
  my $path = $opt{'pid-file'};
  return unless defined $path && open(my $fh, '<', $path);
  my $text = do { local $/; <$fh> } // '';
  close $fh;
  $text =~ s/\s+\z//;
  return unless $text eq $$;
  unlink $path;
  unlink $opt{'state-file'} if defined $opt{'state-file'};
}

# The sockets held across agent restarts: kind => { fh, what } once bound.
my %held;
my @wanted = (
  (defined $opt{udp} ? ['udp', $opt{udp}] : ()),
  (defined $opt{'unix-socket'} ? ['unix', $opt{'unix-socket'}] : ()),
  (defined $opt{apm} ? ['apm', $opt{apm}] : ()),
);

sub sockaddr_in4 {
  my ($where) = @_;
  my ($address, $port) = $where =~ /\A(\d+\.\d+\.\d+\.\d+):(\d+)\z/ or return;
  return pack('S n C4 x8', AF_INET, $port, split(/\./, $address));
}

# Binds what is not held yet; a failure is logged at debug level only: the agent then binds the socket itself and says why it cannot.
sub hold_sockets {
  for my $want (@wanted) {
    my ($kind, $where) = @$want;
    next if $held{$kind};
    my $fh;
    my $ok;
    if ($kind eq 'unix') {
      if (length $where > 107) { logline(debug => "cannot hold the unix socket $where: longer than sun_path"); next } # pack would cut it
      unlink $where if -S $where; # a socket file left by an earlier run would make bind fail
      $ok = socket($fh, AF_UNIX, SOCK_DGRAM, 0) && bind($fh, pack('S a108', AF_UNIX, $where));
      chmod 0722, $where if $ok; # as the official agent: any local user may write
    } else {
      my $address = sockaddr_in4($where);
      unless (defined $address) { logline(debug => "cannot hold $kind socket $where: not an IPv4 address:port"); next }
      if ($kind eq 'udp') {
        $ok = socket($fh, AF_INET, SOCK_DGRAM, 0) && bind($fh, $address);
      } else {
        $ok = socket($fh, AF_INET, SOCK_STREAM, 0) && setsockopt($fh, SOL_SOCKET, SO_REUSEADDR, 1) && bind($fh, $address) && listen($fh, 511);
      }
    }
    unless ($ok) { logline(debug => "cannot hold the $kind socket $where (" . errno_name() . '): the agent binds it itself'); next }
    setsockopt($fh, SOL_SOCKET, SO_RCVBUF, $opt{rcvbuf} + 0) if $kind ne 'apm' && $opt{rcvbuf}; # capped by rmem_max
    $held{$kind} = { fh => $fh, what => $where };
    logline(debug => "holding the $kind socket $where (fd " . fileno($fh) . ') across agent restarts');
  }
}

sub release_sockets {
  for my $kind (keys %held) {
    close $held{$kind}{fh};
    unlink $held{$kind}{what} if $kind eq 'unix' && -S $held{$kind}{what};
  }
  %held = ();
}

sub child_exited;

sub spawn_agent {
  return if $stopping;
  hold_sockets();
  $child{started_at} = now_ms(); # an attempt that fails to start counts as an uptime of 0
  my ($read, $write, $status_read, $status_write);
  unless (pipe($read, $write) && pipe($status_read, $status_write)) {
    return child_exited('could not start (' . errno_name() . ')', 0);
  }
  my $pid = fork;
  unless (defined $pid) {
    my $why = errno_name();
    close $_ for $read, $write, $status_read, $status_write;
    return child_exited("could not start ($why)", 0);
  }
  if ($pid == 0) {
    # As node's spawn: dispositions back to default (an ignored signal survives exec), stdin /dev/null.
    $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP PIPE CHLD);
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>&', $write);
    open(STDERR, '>&', $write);
    # The held sockets stay open across exec; the variable names them.
    my @inherited;
    for my $kind (grep { $held{$_} } qw(udp unix apm)) {
      fcntl($held{$kind}{fh}, F_SETFD, 0);
      push @inherited, "$kind=" . fileno($held{$kind}{fh});
    }
    if (@inherited) { $ENV{DD_BUILDPACK_INHERITED_SOCKETS} = join(',', @inherited) } else { delete $ENV{DD_BUILDPACK_INHERITED_SOCKETS} }
    { no warnings 'exec'; exec { $command[0] } @command; }
    syswrite($status_write, errno_name()); # the pipe closes on a successful exec: nothing written then
    exit 127;
  }
  close $write;
  close $status_write;
  my $why = '';
  1 while !defined(sysread($status_read, $why, 64)) && $! == EINTR;
  close $status_read;
  if ($why ne '') {
    waitpid($pid, 0);
    close $read;
    return child_exited("could not start ($why)", 0);
  }
  push @outputs, { fh => $read, pending => '', keeping => 1 };
  $child{pid} = $pid;
  $child{state} = 'running';
  $child{last_exit} = undef;
  logline(info => "started $name (pid $pid)");
  changed();
}

sub child_exited {
  my ($how, $clean) = @_;
  $child{pid} = undef;
  if ($stopping) {
    $child{state} = 'stopped';
    logline(info => "$name $how");
    changed();
    return;
  }
  if ($clean && $child{state} eq 'running') {
    # Heroku signals every process of the dyno: an agent that stopped cleanly is most likely ahead of
    # our own SIGTERM, so wait a moment before calling it a crash.
    $child{state} = 'backoff';
    $child{last_exit} = $how;
    ($timer_at, $timer_action) = (now_ms() + $clean_exit_grace_ms, sub { child_exited($how, 0) });
    return;
  }
  $child{attempt} = 0 if now_ms() - $child{started_at} >= $stable_after_ms;
  $child{attempt} += 1;
  $child{restarts} += 1;
  my $delay = $base_ms * 2 ** ($child{attempt} - 1);
  $delay = $cap_ms if $delay > $cap_ms;
  $child{state} = 'backoff';
  logline(warn => "$name $how; restarting in " . ($delay / 1000) . " s (attempt $child{attempt})");
  changed();
  ($timer_at, $timer_action) = (now_ms() + $delay, \&spawn_agent);
}

sub reap {
  while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    next unless defined $child{pid} && $pid == $child{pid};
    my $status = $?;
    my $signal = $status & 127;
    my $how = $signal ? 'was killed by ' . ($SIGNAL_NAME[$signal] ? "SIG$SIGNAL_NAME[$signal]" : "signal $signal") : 'exited with code ' . ($status >> 8);
    my $clean = $signal ? ($signal == SIGTERM || $signal == SIGINT) : ($status >> 8) == 0;
    # What the agent wrote before it died comes before the line that says so.
    drain_outputs();
    child_exited($how, $clean);
  }
}

sub stop {
  my ($signal) = @_;
  logline(info => "$signal received: stopping the agents");
  return if $stopping; # a second signal changes nothing
  $stopping = 1;
  $stop_deadline = now_ms() + $grace_ms;
  undef $timer_at;
  if (defined $child{pid}) {
    kill 'TERM', $child{pid};
    return;
  }
  logline(info => "$name $child{last_exit}") if defined $child{last_exit} && $child{state} eq 'backoff';
  $child{state} = 'stopped';
}

my @signals;
$SIG{TERM} = sub { push @signals, 'SIGTERM' };
$SIG{INT} = sub { push @signals, 'SIGINT' };
$SIG{HUP} = 'IGNORE';
$SIG{CHLD} = sub {}; # interrupts select; reap() does the work

write_atomic($opt{'pid-file'}, "$$\n") if defined $opt{'pid-file'};
logline(info => "supervising $name" . (defined $opt{flavour} ? " ($opt{flavour})" : ''));
unlink $opt{'auth-token'} if defined $opt{'auth-token'}; # a stale token
spawn_agent();

while (1) {
  reap();
  stop(shift @signals) while @signals;
  last if $stopping && !defined $child{pid};
  my $now = now_ms();
  if ($stopping && !$killed && $now >= $stop_deadline) {
    logline(warn => "$name still running " . ($grace_ms / 1000) . ' s after SIGTERM: killing it');
    kill 'KILL', $child{pid};
    $killed = 1;
  }
  if (defined $timer_at && $now >= $timer_at) {
    my $action = $timer_action;
    undef $timer_at;
    $action->();
    next;
  }
  # At most 1 s: a signal that lands between the checks above and select is handled then.
  my $wait = 1000;
  $wait = $timer_at - $now if defined $timer_at && $timer_at - $now < $wait;
  $wait = $stop_deadline - $now if $stopping && !$killed && $stop_deadline - $now < $wait;
  $wait = 0 if $wait < 0;
  if (@outputs) { read_outputs($wait / 1000) } else { select(undef, undef, undef, $wait / 1000) }
}
drain_outputs();
release_sockets();
changed();
remove_pid_file();
logline(info => 'all agents stopped');
exit 0;

# The DogStatsD socket relay, in Perl: Node 20 cannot open AF_UNIX SOCK_DGRAM sockets, and its
# UDP receive path costs ~4 µs a datagram (one recvmsg, a 64 KiB buffer and a JS callback each);
# every Heroku stack has /usr/bin/perl with its Socket module (perl-base is essential in Ubuntu;
# heroku/base-images lists perl and perl-base for heroku-22 and heroku-24).
# The relay binds the socket and writes each datagram to stdout as a 4-byte big-endian length
# and the bytes, in writes of up to 256 KiB; the first frame says "<SO_RCVBUF granted> <port>"
# once bound. Small UDP batches wait 1 ms for more, so neither process wakes once a datagram.
# It keeps draining the socket while the agent's event loop is busy (GC, flush), up to a 1 MiB
# pipe. It ignores SIGTERM (the dyno sends it to every process). Two ends: the agent stopping
# writes a byte on stdin before closing it, and the relay then hands over what the socket still
# holds before exiting; a bare end of file on stdin (or EPIPE on stdout) is the agent's death, and
# the relay exits at once WITHOUT reading the socket, so that what the kernel holds waits there for
# the next agent's relay when the socket outlives the agent (`fd` mode, below). A full pipe blocks
# it: backpressure, as a slow reader of the socket itself would give.
# In `fd` mode the socket is already bound (by the builtin flavour's supervisor, supervisor.pl,
# which holds it across agent restarts) and inherited as file descriptor <n>: the relay neither
# binds nor removes anything.
# It is read from file descriptor 3 by PERL_LOADER (src/perl-script.ts), so that `ps` shows a short
# command line (`dogstatsd-relay -e … -- udp 127.0.0.1 8125 …`) without setting $0, which would
# overwrite the process's environment as /proc shows it. perl-base modules only.
# Usage: perl -e "$PERL_LOADER" -- udp <address> <port> [<SO_RCVBUF>] | unix <path> [<SO_RCVBUF>]
#   | fd udp|unix <n> [<SO_RCVBUF>], the script on fd 3

use strict;
use warnings;
use Socket qw(AF_INET AF_UNIX SOCK_DGRAM SOL_SOCKET SO_RCVBUF MSG_DONTWAIT inet_aton pack_sockaddr_in unpack_sockaddr_in pack_sockaddr_un);

my $kind = shift @ARGV;
$SIG{TERM} = $SIG{INT} = $SIG{HUP} = 'IGNORE';

sub fail { print STDERR "$_[0]\n"; exit 2 }

my ($sock, $rcvbuf);
if ($kind eq 'fd') {
  my $fd;
  ($kind, $fd, $rcvbuf) = @ARGV;
  open($sock, '+<&=', $fd) or fail("socket: fd $fd: $!");
  defined getsockname($sock) or fail("socket: fd $fd: $!");
} elsif ($kind eq 'unix') {
  my $path;
  ($path, $rcvbuf) = @ARGV;
  socket($sock, AF_UNIX, SOCK_DGRAM, 0) or fail("socket: $!");
  bind($sock, pack_sockaddr_un($path)) or fail("bind: $!");
  chmod 0722, $path; # as the official agent: any local user may write
} else {
  my ($address, $port);
  ($address, $port, $rcvbuf) = @ARGV;
  socket($sock, AF_INET, SOCK_DGRAM, 0) or fail("socket: $!");
  bind($sock, pack_sockaddr_in($port, inet_aton($address))) or fail("bind: $!");
}
setsockopt($sock, SOL_SOCKET, SO_RCVBUF, $rcvbuf + 0) if $rcvbuf; # capped by rmem_max
my $granted = unpack('i', getsockopt($sock, SOL_SOCKET, SO_RCVBUF));
my $bound = $kind eq 'unix' ? 0 : (unpack_sockaddr_in(getsockname($sock)))[0];
fcntl(STDOUT, 1031, 1 << 20); # F_SETPIPE_SZ: a 1 MiB pipe for bursts; the default 64 KiB if refused
binmode STDOUT;

sub put {
  my ($data) = @_;
  while (length $data) {
    my $n = syswrite(STDOUT, $data);
    if (!defined $n) { next if $!{EINTR}; exit 0 }
    substr($data, 0, $n, '');
  }
}

# Everything the socket holds now, in writes of about 256 KiB; returns how many datagrams.
sub relay {
  my $out = '';
  my $count = 0;
  while (defined(recv($sock, my $dgram, 65536, MSG_DONTWAIT))) {
    $out .= pack('N', length $dgram) . $dgram;
    $count++;
    if (length $out >= 262144) { put($out); $out = '' }
  }
  put($out) if length $out;
  return $count;
}

my $hello = "$granted $bound";
put(pack('N', length $hello) . $hello);
my $watch = '';
vec($watch, fileno($sock), 1) = 1;
vec($watch, fileno(STDIN), 1) = 1;
while (1) {
  next if select(my $ready = $watch, undef, undef, undef) < 0; # EINTR
  if (vec($ready, fileno(STDIN), 1)) {
    my $n = sysread(STDIN, my $ignored, 64);
    last if $n; # the agent is stopping: hand over what the socket holds
    exit 0 if defined $n; # bare end of file: the agent died; leave the socket's queue to the next relay
    next if $!{EINTR};
    exit 0;
  }
  # A small UDP batch: wait 1 ms for more, so that the relay and the agent wake up at most ~1000
  # times a second instead of once a datagram. Not on a Unix socket: its queue holds 10.
  my $relayed = relay();
  select(undef, undef, undef, 0.001) if $kind eq 'udp' && $relayed > 1 && $relayed < 64;
}
relay();
exit 0;

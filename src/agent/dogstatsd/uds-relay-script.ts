// The Unix datagram relay, in Perl: Node 20 cannot open AF_UNIX SOCK_DGRAM sockets, and every
// Heroku stack has /usr/bin/perl with its Socket module (perl-base, essential in Ubuntu).
// It binds DD_DOGSTATSD_SOCKET and writes each datagram to stdout as a 4-byte big-endian
// length and the bytes; the first frame, empty, says it is bound. It ignores SIGTERM (the
// dyno sends it to every process): the agent ends it by closing stdin, and it then drains
// what the socket still holds before exiting, so datagrams already accepted are delivered.
// Blocking writes keep backpressure: a slow agent fills the pipe, then the socket queue.
// Usage: perl -e "$UDS_RELAY_SCRIPT" -- <path> [<SO_RCVBUF bytes>]

export const UDS_RELAY_SCRIPT = String.raw`
use strict;
use warnings;
use Socket qw(AF_UNIX SOCK_DGRAM SOL_SOCKET SO_RCVBUF MSG_DONTWAIT pack_sockaddr_un);

my ($path, $rcvbuf) = @ARGV;
$0 = "dogstatsd-uds-relay $path";
$SIG{TERM} = $SIG{INT} = $SIG{HUP} = 'IGNORE';

sub fail { print STDERR "$_[0]\n"; exit 2 }

socket(my $sock, AF_UNIX, SOCK_DGRAM, 0) or fail("socket: $!");
bind($sock, pack_sockaddr_un($path)) or fail("bind: $!");
chmod 0722, $path; # as the official agent: any local user may write
setsockopt($sock, SOL_SOCKET, SO_RCVBUF, $rcvbuf + 0) if $rcvbuf; # capped by rmem_max, as for UDP
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

# Everything the socket holds now, in writes of about 256 KiB.
sub relay {
  my $out = '';
  while (defined(recv($sock, my $dgram, 65536, MSG_DONTWAIT))) {
    $out .= pack('N', length $dgram) . $dgram;
    if (length $out >= 262144) { put($out); $out = '' }
  }
  put($out) if length $out;
}

put(pack('N', 0));
my $watch = '';
vec($watch, fileno($sock), 1) = 1;
vec($watch, fileno(STDIN), 1) = 1;
while (1) {
  next if select(my $ready = $watch, undef, undef, undef) < 0; # EINTR
  if (vec($ready, fileno(STDIN), 1)) {
    my $n = sysread(STDIN, my $ignored, 64);
    last unless $n || (!defined $n && $!{EINTR}); # end of file: the agent is stopping
  }
  relay();
}
relay();
exit 0;
`;

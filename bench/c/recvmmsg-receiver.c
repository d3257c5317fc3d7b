// The machine's ceiling for bench/dogstatsd.mjs: a minimal UDP receiver that reads with recvmmsg
// in batches and only counts datagrams and samples (lines), parsing nothing.
//   recvmmsg-receiver [port (0 = any)] [SO_RCVBUF bytes, 0 = kernel default; default 4 MiB, capped by net.core.rmem_max]
// Binds 127.0.0.1, prints "listening <port> rcvbuf <bytes granted>" on stdout, then answers each
// line read on stdin with "<datagrams> <samples>" (counts so far). Exits at EOF on stdin or SIGTERM.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 512
#define SIZE 65536

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int rcvbuf = argc > 2 ? atoi(argv[2]) : 4 << 20;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
  socklen_t len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &len);
  int granted = 0;
  len = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
  printf("listening %d rcvbuf %d\n", ntohs(addr.sin_port), granted);
  fflush(stdout);

  static char bufs[BATCH][SIZE];
  static struct mmsghdr msgs[BATCH];
  static struct iovec iovs[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iovs[i].iov_base = bufs[i];
    iovs[i].iov_len = SIZE;
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  long long datagrams = 0, samples = 0;
  struct pollfd fds[2] = {{.fd = fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
  char line[256];
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[0].revents & POLLIN) {
      for (;;) {
        int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) break;
        for (int i = 0; i < n; i++) {
          unsigned int l = msgs[i].msg_len;
          if (l == 0) continue;
          datagrams++;
          samples++;
          const char *p = bufs[i], *end = bufs[i] + l;
          while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            p++;
            if (p < end) samples++;
          }
        }
        if (n < BATCH) break;
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(0, line, sizeof line);
      if (r <= 0) return 0;
      printf("%lld %lld\n", datagrams, samples);
      fflush(stdout);
    }
  }
}

// Paced DogStatsD sender for bench/: sendmmsg at a given rate, single-metric or ~1400-byte packed
// datagrams, the same 64 templates as bench/dogstatsd-sender.mjs (a Node sender tops out near
// 240k datagrams/s on a small VM; this one does not limit the receivers it feeds).
//   udp-sender <port | /path/to/unix.socket> <datagrams/s> <seconds> <single|packed> [contexts]
// UDP goes to 127.0.0.1:<port>, blocking, as a client that does not care does. A path sends over a
// Unix datagram socket, non-blocking like the stock clients: a datagram refused while the
// socket's queue is full is dropped and counted in "dropped".
// Prints {"datagrams":N,"samples":N,"seconds":S,"dropped":N,"errors":N} on stdout.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TEMPLATES 64
#define BATCH 256

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char bufs[TEMPLATES][1600];
static size_t lens[TEMPLATES];
static long samples_of[TEMPLATES];

static void build(int single, long contexts) {
  static const char *types[] = {"c", "g", "ms", "h", "d"};
  for (int i = 0; i < TEMPLATES; i++) {
    if (single) {
      lens[i] = (size_t)snprintf(bufs[i], sizeof bufs[i], "bench.requests:1|c|#route:r%ld,env:bench", i % contexts);
      samples_of[i] = 1;
      continue;
    }
    size_t size = 0;
    long n = 0;
    while (size < 1360) {
      if (n) bufs[i][size++] = '\n';
      size += (size_t)snprintf(bufs[i] + size, sizeof bufs[i] - size, "bench.packed.m%ld:%ld|%s|#route:r%ld,env:bench", (i + n) % contexts, (n * 7) % 500, types[n % 5], n % 10);
      n++;
    }
    lens[i] = size;
    samples_of[i] = n;
  }
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s <port | socket path> <datagrams/s> <seconds> <single|packed> [contexts]\n", argv[0]);
    return 2;
  }
  const char *target = argv[1];
  double rate = atof(argv[2]), seconds = atof(argv[3]);
  int single = strcmp(argv[4], "single") == 0;
  long contexts = argc > 5 ? atol(argv[5]) : 100;
  if (contexts < 1) contexts = 1;
  build(single, contexts);

  int unix_socket = target[0] == '/';
  int fd;
  if (unix_socket) {
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, target, sizeof addr.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
  } else {
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(target))};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
  }

  static struct mmsghdr msgs[BATCH];
  static struct iovec iovs[BATCH];
  long long datagrams = 0, samples = 0, dropped = 0, errors = 0;
  long long last = (long long)(rate * seconds);
  double start = now();
  for (;;) {
    double elapsed = now() - start;
    long long due = (long long)(elapsed * rate);
    if (due > last) due = last;
    long long pending = due - datagrams;
    if (pending <= 0) {
      if (datagrams >= last) break;
      // Sleep until the next datagram is due, at most 1 ms, so the pace stays even.
      double wait = (datagrams + 1) / rate - elapsed;
      if (wait > 0.001) wait = 0.001;
      if (wait > 0.00002) {
        struct timespec ts = {0, (long)(wait * 1e9)};
        nanosleep(&ts, NULL);
      }
      continue;
    }
    int n = pending > BATCH ? BATCH : (int)pending;
    for (int i = 0; i < n; i++) {
      int t = (int)((datagrams + i) % TEMPLATES);
      iovs[i].iov_base = bufs[t];
      iovs[i].iov_len = lens[t];
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (sent < 0) {
      // The datagram at the head of the batch is refused: a full Unix socket queue (EAGAIN) or a
      // transient error (ENOBUFS, ECONNREFUSED while nothing listens). Counted, and skipped.
      if (errno == EAGAIN || errno == EWOULDBLOCK) dropped++;
      else if (errno != EINTR) errors++;
      if (errno == EINTR) continue;
      samples += samples_of[datagrams % TEMPLATES]; // attempted: counted as sent, so a drop is a loss
      sent = 1;
    } else {
      for (int i = 0; i < sent; i++) samples += samples_of[(datagrams + i) % TEMPLATES];
    }
    datagrams += sent;
  }
  double took = now() - start;
  close(fd);
  printf("{\"datagrams\":%lld,\"samples\":%lld,\"seconds\":%.6f,\"dropped\":%lld,\"errors\":%lld}\n", datagrams, samples, took, dropped, errors);
  return 0;
}

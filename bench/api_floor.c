/* api_floor: the cheapest servers of p0f's API transport this machine can run, as yardsticks.
 *
 *   api_floor SOCKET [epoll|threads]
 *
 * Listens on the unix socket SOCKET and answers every complete 21-byte query with a constant
 * 232-byte record (p0f's answer magic, status NOMATCH, the rest zero): no host table, no
 * validation, no logging. Two designs, one recv and one send per query each, nothing else:
 *   epoll    (default) one thread, one epoll set, level-triggered, non-blocking sockets: the
 *            shape of p0f's own poll() loop and of P0fSharp's API before 2026-12-04;
 *   threads  a thread per connection with blocking recv / send: the shape of P0fSharp's API.
 * bench/run.sh drives both with the same api_bench runs as p0f and P0fSharp, so the table shows
 * what each design's transport alone allows on the machine and how close the real servers get.
 * Stops on SIGTERM/SIGINT (the socket file is removed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define QUERY 21
#define ANSWER 232
#define MAX_FD 4096
#define BATCH 8 /* answers sent together when a client pipelines queries */

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static unsigned char pending[MAX_FD][QUERY]; /* a query that arrived in pieces */
static int pending_len[MAX_FD];

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
}

static unsigned char answers[BATCH * ANSWER];

/* threads mode: one connection, blocking calls, until the client goes or stops reading */
static void *serve_connection(void *arg) {
  int fd = (int)(intptr_t)arg, have = 0;
  unsigned char in[BATCH * QUERY];
  for (;;) {
    ssize_t got = recv(fd, in + have, sizeof in - (size_t)have, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    have += (int)got;
    int queries = have / QUERY;
    if (queries == 0) continue;
    memmove(in, in + queries * QUERY, (size_t)(have - queries * QUERY));
    have -= queries * QUERY;
    if (send(fd, answers, (size_t)queries * ANSWER, MSG_NOSIGNAL) != (ssize_t)queries * ANSWER) break;
  }
  close(fd);
  return NULL;
}

static void run_threads(int listener) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  while (!stop) {
    struct pollfd p = {.fd = listener, .events = POLLIN};
    if (poll(&p, 1, 200) <= 0) continue;
    int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) continue;
    pthread_t t;
    if (pthread_create(&t, &attr, serve_connection, (void *)(intptr_t)c)) close(c);
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "epoll") && strcmp(argv[2], "threads"))) {
    fprintf(stderr, "usage: %s SOCKET [epoll|threads]\n", argv[0]);
    return 2;
  }
  int threads = argc == 3 && !strcmp(argv[2], "threads");
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof addr.sun_path) { fprintf(stderr, "api_floor: socket path too long\n"); return 1; }
  strcpy(addr.sun_path, argv[1]);
  unlink(argv[1]);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 128)) {
    perror("api_floor: socket");
    return 1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev)) { perror("api_floor: epoll"); return 1; }

  for (int i = 0; i < BATCH; i++) {
    uint32_t magic = 0x50304602, status = 0x20; /* host byte order, as p0f writes it */
    memcpy(answers + i * ANSWER, &magic, 4);
    memcpy(answers + i * ANSWER + 4, &status, 4);
  }
  if (threads) {
    run_threads(listener);
    unlink(argv[1]);
    return 0;
  }

  struct epoll_event events[64];
  unsigned char in[BATCH * QUERY];
  while (!stop) {
    int n = epoll_wait(ep, events, 64, 200);
    if (n < 0 && errno != EINTR) { perror("api_floor: epoll_wait"); break; }
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          if (c >= MAX_FD) { close(c); continue; }
          pending_len[c] = 0;
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev)) close(c);
        }
        continue;
      }
      int have = pending_len[fd];
      memcpy(in, pending[fd], (size_t)have);
      ssize_t got = recv(fd, in + have, sizeof in - (size_t)have, 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) { drop(ep, fd); continue; }
      have += (int)got;
      int queries = have / QUERY;
      pending_len[fd] = have - queries * QUERY;
      memcpy(pending[fd], in + queries * QUERY, (size_t)pending_len[fd]);
      /* A client that does not read its answers is dropped rather than waited for. */
      if (queries > 0 && send(fd, answers, (size_t)queries * ANSWER, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)queries * ANSWER)
        drop(ep, fd);
    }
  }
  unlink(argv[1]);
  return 0;
}

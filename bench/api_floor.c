/* api_floor: the cheapest server of p0f's API transport this machine can run, as a yardstick.
 *
 *   api_floor SOCKET
 *
 * Listens on the unix socket SOCKET and answers every complete 21-byte query with a constant
 * 232-byte record (p0f's answer magic, status NOMATCH, the rest zero): no host table, no
 * validation, no logging. One thread, one epoll set, level-triggered, non-blocking sockets,
 * one recv and one send per ready connection, no spinning: what any design that answers each
 * query with its own recv/send pays in system calls, copies and wake-ups. bench/run.sh drives
 * it with the same api_bench runs as p0f and P0fSharp, so the table shows how close to this
 * floor each real server gets and how far above p0f the floor itself lies on this machine.
 * Stops on SIGTERM/SIGINT (the socket file is removed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: %s SOCKET\n", argv[0]); return 2; }
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

  unsigned char answers[BATCH * ANSWER];
  memset(answers, 0, sizeof answers);
  for (int i = 0; i < BATCH; i++) {
    uint32_t magic = 0x50304602, status = 0x20; /* host byte order, as p0f writes it */
    memcpy(answers + i * ANSWER, &magic, 4);
    memcpy(answers + i * ANSWER + 4, &status, 4);
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

/* api_connect_per_query: load for p0f's API in the shape rspamd's p0f module gives it.
 *
 *   api_connect_per_query SOCKET IPV4 CLIENTS CONNECTIONS_PER_CLIENT
 *
 * Each of CLIENTS threads, CONNECTIONS_PER_CLIENT times: connects to the unix socket SOCKET,
 * sends one 21-byte query for IPV4, reads the 232-byte answer, closes. (api_bench keeps its
 * connections open and so never measures accepting them.) Prints the connections completed,
 * errors, connections per second and the latency of a whole connection (connect to close)
 * at the median and the 99th percentile, in microseconds. Exit status 1 if any failed.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QUERY 21
#define ANSWER 232

static struct sockaddr_un server;
static uint8_t query[QUERY];
static int per_client;
static double *latency_us;
static int failures;

static double seconds_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* one connection, one query, one answer; 0 on success */
static int one_connection(void)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int ok = connect(fd, (struct sockaddr *)&server, sizeof server) == 0 &&
           write(fd, query, QUERY) == QUERY;
  uint8_t answer[ANSWER];
  int have = 0;
  while (ok && have < ANSWER) {
    ssize_t n = read(fd, answer + have, ANSWER - have);
    if (n <= 0)
      ok = 0;
    else
      have += (int)n;
  }
  close(fd);
  uint32_t magic;
  memcpy(&magic, answer, sizeof magic);
  return ok && magic == 0x50304602 ? 0 : -1;
}

static void *client(void *arg)
{
  long id = (long)arg;
  for (int i = 0; i < per_client; i++) {
    double start = seconds_now();
    if (one_connection() != 0) {
      __sync_fetch_and_add(&failures, 1);
      continue;
    }
    latency_us[id * per_client + i] = (seconds_now() - start) * 1e6;
  }
  return NULL;
}

int main(int argc, char **argv)
{
  if (argc != 5) {
    fprintf(stderr, "usage: %s SOCKET IPV4 CLIENTS CONNECTIONS_PER_CLIENT\n", argv[0]);
    return 2;
  }
  int clients = atoi(argv[3]);
  per_client = atoi(argv[4]);
  if (clients < 1 || clients > 1024 || per_client < 1 || strlen(argv[1]) >= sizeof server.sun_path) {
    fprintf(stderr, "%s: bad arguments\n", argv[0]);
    return 2;
  }
  server.sun_family = AF_UNIX;
  strcpy(server.sun_path, argv[1]);
  uint32_t magic = 0x50304601;
  memcpy(query, &magic, sizeof magic);
  query[4] = 4;
  if (inet_pton(AF_INET, argv[2], query + 5) != 1) {
    fprintf(stderr, "%s: not an IPv4 address: %s\n", argv[0], argv[2]);
    return 2;
  }

  size_t total = (size_t)clients * per_client;
  latency_us = calloc(total, sizeof *latency_us);
  pthread_t *threads = calloc(clients, sizeof *threads);
  if (!latency_us || !threads)
    return 2;
  double start = seconds_now();
  for (long i = 0; i < clients; i++)
    pthread_create(&threads[i], NULL, client, (void *)i);
  for (int i = 0; i < clients; i++)
    pthread_join(threads[i], NULL);
  double elapsed = seconds_now() - start;

  size_t done = 0;
  for (size_t i = 0; i < total; i++)
    if (latency_us[i] > 0)
      latency_us[done++] = latency_us[i];
  qsort(latency_us, done, sizeof *latency_us, by_value);
  printf("connections=%zu errors=%d seconds=%.3f cps=%.0f p50_us=%.1f p99_us=%.1f\n", done, failures, elapsed,
         done / elapsed, done ? latency_us[done / 2] : 0, done ? latency_us[(size_t)(done * 0.99)] : 0);
  return failures ? 1 : 0;
}

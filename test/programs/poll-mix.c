/*
 * poll_oneoff over files, stdin and clocks, through the raw call.
 * argv[1]: a preopened directory (default /sandbox) where it writes "data.txt"
 * (5 bytes). Prints one line per check (the test compares them):
 *   files: read nbytes=5 write ok badf=<errno>   file fds are ready at once
 *   stdin: ready nbytes=N | stdin: timeout       stdin with a 200 ms clock
 *   clocks: N events                             two expired clocks in one call
 *   abstime: ok                                  an absolute realtime deadline
 *   cputime: ok                                  a relative process-CPU-time clock
 *   errors: zero=<errno> clock=<errno>           0 subscriptions, unknown clock id
 * Exits 0; 1 with a message on stderr when a call fails unexpectedly.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id, __wasi_timestamp_t t, int abs) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = t;
  s.u.u.clock.precision = 1000;
  s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type, int fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  if (type == __WASI_EVENTTYPE_FD_READ) s.u.u.fd_read.file_descriptor = fd;
  else s.u.u.fd_write.file_descriptor = fd;
  return s;
}

static long long now_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/sandbox";
  char path[256];
  snprintf(path, sizeof path, "%s/data.txt", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, "hello", 5) != 5 || lseek(fd, 0, SEEK_SET) != 0) {
    perror(path);
    return 1;
  }
  __wasi_subscription_t subs[4];
  __wasi_event_t ev[4];
  __wasi_size_t n = 0;

  subs[0] = fd_sub(1, __WASI_EVENTTYPE_FD_READ, fd);
  subs[1] = fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, fd);
  subs[2] = fd_sub(3, __WASI_EVENTTYPE_FD_READ, 99);
  subs[3] = clock_sub(4, __WASI_CLOCKID_MONOTONIC, 5000000000ULL, 0);
  if (__wasi_poll_oneoff(subs, ev, 4, &n) != 0 || n != 3) {
    fprintf(stderr, "files: poll failed (n=%u)\n", (unsigned)n);
    return 1;
  }
  unsigned long long nbytes = 0;
  int write_ok = 0, badf = 0;
  for (__wasi_size_t i = 0; i < n; i++) {
    if (ev[i].userdata == 1) nbytes = ev[i].fd_readwrite.nbytes;
    if (ev[i].userdata == 2) write_ok = ev[i].error == 0 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE;
    if (ev[i].userdata == 3) badf = ev[i].error;
  }
  printf("files: read nbytes=%llu write %s badf=%d\n", nbytes, write_ok ? "ok" : "bad", badf);

  subs[0] = fd_sub(10, __WASI_EVENTTYPE_FD_READ, 0);
  subs[1] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 200000000ULL, 0);
  if (__wasi_poll_oneoff(subs, ev, 2, &n) != 0 || n != 1) {
    fprintf(stderr, "stdin: poll failed (n=%u)\n", (unsigned)n);
    return 1;
  }
  if (ev[0].userdata == 10) printf("stdin: ready nbytes=%llu\n", (unsigned long long)ev[0].fd_readwrite.nbytes);
  else printf("stdin: timeout\n");

  subs[0] = clock_sub(20, __WASI_CLOCKID_MONOTONIC, 0, 0);
  subs[1] = clock_sub(21, __WASI_CLOCKID_REALTIME, 0, 0);
  if (__wasi_poll_oneoff(subs, ev, 2, &n) != 0) return 1;
  printf("clocks: %u events\n", (unsigned)n);

  long long deadline = now_ns(CLOCK_REALTIME) + 30000000LL;
  subs[0] = clock_sub(30, __WASI_CLOCKID_REALTIME, (__wasi_timestamp_t)deadline, 1);
  if (__wasi_poll_oneoff(subs, ev, 1, &n) != 0 || n != 1 || ev[0].userdata != 30) return 1;
  printf("abstime: %s\n", now_ns(CLOCK_REALTIME) >= deadline ? "ok" : "early");

  subs[0] = clock_sub(40, __WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000000ULL, 0);
  if (__wasi_poll_oneoff(subs, ev, 1, &n) != 0 || n != 1 || ev[0].userdata != 40) return 1;
  printf("cputime: ok\n");

  int zero = __wasi_poll_oneoff(subs, ev, 0, &n);
  subs[0] = clock_sub(50, 17, 0, 0);
  int badclock = __wasi_poll_oneoff(subs, ev, 1, &n);
  printf("errors: zero=%d clock=%d\n", zero, badclock);
  close(fd);
  unlink(path);
  return 0;
}

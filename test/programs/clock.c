/*
 * Clock sanity checks, with no timing-dependent output:
 *   - clock_getres() for CLOCK_REALTIME and CLOCK_MONOTONIC is > 0;
 *   - CLOCK_REALTIME is after 2020-01-01T00:00:00Z;
 *   - CLOCK_MONOTONIC never goes backwards over 10000 consecutive reads.
 * Prints "clock ok" and exits 0; on failure prints what failed to stderr
 * and exits 1.
 */
#include <stdio.h>
#include <time.h>

static long long ns(struct timespec ts) {
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int check_res(clockid_t id, const char *name) {
  struct timespec res;
  if (clock_getres(id, &res) != 0) {
    perror(name);
    return 0;
  }
  if (ns(res) <= 0) {
    fprintf(stderr, "%s: resolution %lld ns is not > 0\n", name, ns(res));
    return 0;
  }
  return 1;
}

int main(void) {
  if (!check_res(CLOCK_REALTIME, "clock_getres(CLOCK_REALTIME)")) return 1;
  if (!check_res(CLOCK_MONOTONIC, "clock_getres(CLOCK_MONOTONIC)")) return 1;

  struct timespec now;
  if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
    perror("clock_gettime(CLOCK_REALTIME)");
    return 1;
  }
  if (now.tv_sec < 1577836800) { /* 2020-01-01T00:00:00Z */
    fprintf(stderr, "CLOCK_REALTIME %lld is before 2020\n", (long long)now.tv_sec);
    return 1;
  }

  struct timespec prev, cur;
  if (clock_gettime(CLOCK_MONOTONIC, &prev) != 0) {
    perror("clock_gettime(CLOCK_MONOTONIC)");
    return 1;
  }
  for (int i = 0; i < 10000; i++) {
    if (clock_gettime(CLOCK_MONOTONIC, &cur) != 0) {
      perror("clock_gettime(CLOCK_MONOTONIC)");
      return 1;
    }
    if (ns(cur) < ns(prev)) {
      fprintf(stderr, "CLOCK_MONOTONIC went backwards at read %d\n", i);
      return 1;
    }
    prev = cur;
  }

  printf("clock ok\n");
  return 0;
}

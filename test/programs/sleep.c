/*
 * Sleeps argv[1] milliseconds (default 1000) with nanosleep (poll_oneoff
 * on a relative monotonic clock) and prints "slept N ms" with N measured
 * on CLOCK_MONOTONIC. Exits 0, or 1 if the sleep failed or was short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 1000;
  struct timespec before, after;
  struct timespec req = {ms / 1000, (ms % 1000) * 1000000L};
  clock_gettime(CLOCK_MONOTONIC, &before);
  if (nanosleep(&req, NULL) != 0) {
    perror("nanosleep");
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &after);
  long long ns = (after.tv_sec - before.tv_sec) * 1000000000LL + (after.tv_nsec - before.tv_nsec);
  printf("slept %lld ms\n", ns / 1000000);
  return ns >= ms * 1000000LL ? 0 : 1;
}

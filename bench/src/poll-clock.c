/* poll-clock [count] [timeout_ns]: count x poll_oneoff with one relative
 * CLOCK_MONOTONIC subscription (what sleep and timed waits come down to);
 * checks each event and that the time slept is at least what was asked. */
#include <time.h>
#include <wasi/api.h>
#include "bench.h"

static uint64_t now(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts)) FAIL("clock_gettime");
  return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

int main(int argc, char **argv) {
  long long n = ARG(1, 200000), timeout = ARG(2, 0);
  uint64_t start = now();
  for (long long i = 0; i < n; i++) {
    __wasi_subscription_t sub = {0};
    __wasi_event_t ev = {0};
    __wasi_size_t nevents = 0;
    sub.userdata = (uint64_t)i + 1;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = (uint64_t)timeout;
    if (__wasi_poll_oneoff(&sub, &ev, 1, &nevents)) FAIL("poll_oneoff");
    if (nevents != 1 || ev.userdata != (uint64_t)i + 1 || ev.error || ev.type != __WASI_EVENTTYPE_CLOCK)
      FAIL("bad event %lld", i);
  }
  uint64_t slept = now() - start;
  if (slept < (uint64_t)n * (uint64_t)timeout) FAIL("slept %llu ns, less than asked", (unsigned long long)slept);
  fprintf(stderr, "ok polls=%lld\n", n);
  return 0;
}

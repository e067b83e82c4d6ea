// wasix-mutex [threads] [increments]: WASIX threads (thread_spawn_v2, thread_join) increment one
// plain counter under a mutex built on futex_wait/futex_wake, and each says so on stdout; exits
// 0 when the counter is exactly threads x increments, 1 otherwise.
#define WASIX
#include "threads.h"

// WASIX's thread_start record: the stack (its top), then pointers only the guest reads. Our
// wasi_thread_start reads the first word, which is `stack` here too.
struct option_timestamp {
  uint8_t tag;
  uint64_t value;
};
IMPORT("wasix_32v1", "thread_spawn_v2") uint16_t wasix_thread_spawn(void *start, uint32_t *tid);
IMPORT("wasix_32v1", "thread_join") uint16_t wasix_thread_join(uint32_t tid);
IMPORT("wasix_32v1", "futex_wait") uint16_t wasix_futex_wait(uint32_t *futex, uint32_t expected, const struct option_timestamp *timeout, uint8_t *woken);
IMPORT("wasix_32v1", "futex_wake") uint16_t wasix_futex_wake(uint32_t *futex, uint8_t *woken);

// 0 unlocked, 1 locked, 2 locked with waiters (Drepper's "Futexes are tricky", mutex 2).
static uint32_t lock;
static uint64_t counter;
static uint64_t increments;

static void mutex_lock(void) {
  uint32_t c = 0;
  if (__atomic_compare_exchange_n(&lock, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
  if (c != 2) c = __atomic_exchange_n(&lock, 2, __ATOMIC_ACQUIRE);
  while (c != 0) {
    struct option_timestamp none = {0, 0};
    uint8_t woken;
    if (wasix_futex_wait(&lock, 2, &none, &woken) != 0) wasi_proc_exit(72);
    c = __atomic_exchange_n(&lock, 2, __ATOMIC_ACQUIRE);
  }
}

static void mutex_unlock(void) {
  if (__atomic_fetch_sub(&lock, 1, __ATOMIC_RELEASE) != 1) {
    __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
    uint8_t woken;
    if (wasix_futex_wake(&lock, &woken) != 0) wasi_proc_exit(73);
  }
}

void thread_main(int tid, struct start *s) {
  (void)tid;
  for (uint64_t i = 0; i < increments; i++) {
    mutex_lock();
    counter = counter + 1;  // not atomic: only the mutex keeps it exact
    mutex_unlock();
  }
  char line[40] = "thread ";
  line[7] = (char)('0' + s->index);
  const char *tail = " done\n";
  size_t n = 8;
  for (size_t i = 0; tail[i]; i++) line[n++] = tail[i];
  write_all(1, line, n);
}

EXPORT("_start") void start(void) {
  int threads = (int)arg_number(1, 4);
  increments = arg_number(2, 10000);
  if (threads < 1 || threads > MAX_THREADS) wasi_proc_exit(64);
  uint32_t tids[MAX_THREADS];
  for (int k = 0; k < threads; k++) {
    if (wasix_thread_spawn(start_of(k), &tids[k]) != 0) wasi_proc_exit(71);
  }
  for (int k = 0; k < threads; k++) {
    if (wasix_thread_join(tids[k]) != 0) wasi_proc_exit(74);
  }
  char buf[32];
  char *c = digits(counter, buf + sizeof buf);
  write_all(1, "counter ", 8);
  write_all(1, c, length(c));
  write_all(1, "\n", 1);
  wasi_proc_exit(counter == (uint64_t)threads * increments ? 0 : 1);
}

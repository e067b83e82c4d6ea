// work [threads] [rounds]: a CPU-bound job (an xorshift walk over each of 1024 seeds) split over
// `threads` wasi-threads (1..8, default 2); prints "sum <n>". The sum does not depend on the
// number of threads, so runs with 1 and N threads check each other (and the tests compute it too).
#include "threads.h"

IMPORT("wasi", "thread-spawn") int32_t wasi_thread_spawn(void *start);

#define SEEDS 1024
static uint64_t rounds;
static int threads;
static volatile int done;

// Not inlined: called once per seed, so V8 runs its optimized code after the first calls (wasm has no
// on-stack replacement: a loop entered in baseline code stays there).
__attribute__((noinline)) static uint64_t walk(uint64_t x, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

void thread_main(int tid, struct start *s) {
  (void)tid;
  uint64_t sum = 0;
  for (int seed = s->index; seed < SEEDS; seed += threads) sum += walk((uint64_t)seed + 1, rounds);
  s->result = sum;
  __atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify((int *)&done, 1);
}

EXPORT("_start") void start(void) {
  threads = (int)arg_number(1, 2);
  rounds = arg_number(2, 20000);
  if (threads < 1 || threads > MAX_THREADS) wasi_proc_exit(64);
  // Thread slot 0 is this (main) thread's share; the others get a thread each.
  for (int k = 1; k < threads; k++) {
    if (wasi_thread_spawn(start_of(k)) <= 0) wasi_proc_exit(71);
  }
  thread_main(0, start_of(0));
  int d;
  while ((d = __atomic_load_n(&done, __ATOMIC_SEQ_CST)) < threads) __builtin_wasm_memory_atomic_wait32((int *)&done, d, -1);
  uint64_t sum = 0;
  for (int k = 0; k < threads; k++) sum += starts[k].result;
  char buf[32];
  write_all(1, "sum ", 4);
  char *n = digits(sum, buf + sizeof buf);
  write_all(1, n, length(n));
  write_all(1, "\n", 1);
}

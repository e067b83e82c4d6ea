// build: asyncify
// setjmp-threads [mode]: setjmp/longjmp (stack_checkpoint/stack_restore, see ../wasix/setjmp.h) on the
// main thread and on two WASIX threads at once, each in its own worker: 1000 jumps across frames each;
// prints one line per thread and exits 0 when every count is right. Mode 1: the main thread then jumps
// to a checkpoint of another thread, which the host must refuse (a trap).
#define WASIX
#include "threads.h"
#include "../wasix/setjmp.h"

IMPORT("wasix_32v1", "thread_spawn_v2") uint16_t wasix_thread_spawn(void *start, uint32_t *tid);
IMPORT("wasix_32v1", "thread_join") uint16_t wasix_thread_join(uint32_t tid);

/**
 * WASIX's thread_start record (the WITX's 64 bytes: the stack's top first, which thread-start.s reads,
 * and its size at 56, which tells the host where the stack ends), then what this program adds.
 */
struct thread {
  char *stack;
  uint32_t unused[13];
  uint32_t stack_size;
  uint32_t guard_size;
  int index;
  int64_t result;
};
static struct thread threads[2];

#define JUMPS 1000
static wasix_jmp_buf envs[3];

__attribute__((noinline)) static void dive(wasix_jmp_buf env, int depth, int val) {
  if (depth == 0) wasix_longjmp(env, val);
  dive(env, depth - 1, val);
}

/** Jumps back to one setjmp `count` times from varying depths; returns count, or negative when wrong. */
__attribute__((noinline)) static int jumps(wasix_jmp_buf env, int count) {
  volatile int n = 0;
  int r = wasix_setjmp(env);
  if (r < 0) return r;
  if (r != n) return -1000 - r;
  if (n < count) {
    n = n + 1;
    dive(env, n % 7, n);
  }
  return n;
}

static void report(const char *who, int64_t result) {
  char buf[32];
  write_all(1, who, length(who));
  if (result < 0) {
    write_all(1, " failed: -", 10);
    result = -result;
  } else write_all(1, ": ", 2);
  char *d = digits((uint64_t)result, buf + sizeof buf);
  write_all(1, d, length(d));
  write_all(1, " jumps\n", 7);
}

void thread_main(int tid, struct thread *t) {
  (void)tid;
  t->result = jumps(envs[1 + t->index], JUMPS);
}

EXPORT("_start") void start(void) {
  uint64_t mode = arg_number(1, 0);
  uint32_t tids[2];
  for (int k = 0; k < 2; k++) {
    threads[k].stack = stacks[k] + STACK_SIZE;
    threads[k].stack_size = STACK_SIZE;
    threads[k].index = k;
    if (wasix_thread_spawn(&threads[k], &tids[k]) != 0) wasi_proc_exit(71);
  }
  int main_result = jumps(envs[0], JUMPS);
  for (int k = 0; k < 2; k++) {
    if (wasix_thread_join(tids[k]) != 0) wasi_proc_exit(74);
  }
  report("main", main_result);
  report("thread 0", threads[0].result);
  report("thread 1", threads[1].result);
  if (mode == 1) wasix_longjmp(envs[1], 5);
  wasi_proc_exit(main_result == JUMPS && threads[0].result == JUMPS && threads[1].result == JUMPS ? 0 : 1);
}

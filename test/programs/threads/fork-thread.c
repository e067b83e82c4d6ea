// build: asyncify
// fork-thread: the main thread spawns a WASIX thread, which forks (proc_fork, copy_memory=1). Only that
// thread goes on in the child (as its only thread): the child writes one line and exits with the
// argument's code (5 by default); the parent's
// thread reaps it, and the main thread (in the parent only) joins the thread and writes the last line.
#define WASIX
#include "threads.h"

IMPORT("wasix_32v1", "thread_spawn_v2") uint16_t wasix_thread_spawn(void *start, uint32_t *tid);
IMPORT("wasix_32v1", "thread_join") uint16_t wasix_thread_join(uint32_t tid);
IMPORT("wasix_32v1", "proc_fork") uint16_t wasix_proc_fork(uint32_t copy_memory, uint32_t *pid);
IMPORT("wasix_32v1", "proc_id") uint16_t wasix_proc_id(uint32_t *pid);
IMPORT("wasix_32v1", "proc_join") uint16_t wasix_proc_join(void *pid, uint32_t flags, void *status);

/** WASIX's thread_start record: the stack's top first (thread-start.s reads it), its size at 56. */
struct thread {
  char *stack;
  uint32_t unused[13];
  uint32_t stack_size;
  uint32_t guard_size;
};
static struct thread thread;
static int child_code;

static void line(const char *what, uint64_t a, uint64_t b) {
  char buf[32];
  write_all(1, what, length(what));
  char *d = digits(a, buf + sizeof buf);
  write_all(1, d, length(d));
  write_all(1, " ", 1);
  d = digits(b, buf + sizeof buf);
  write_all(1, d, length(d));
  write_all(1, "\n", 1);
}

void thread_main(int tid, struct thread *t) {
  (void)t;
  uint32_t pid = 0, me = 0;
  if (wasix_proc_fork(1, &pid) != 0) wasi_proc_exit(72);
  wasix_proc_id(&me);
  if (pid == 0) {
    line("child: pid, thread ", me, (uint64_t)tid);
    wasi_proc_exit(child_code);
  }
  struct {
    uint8_t tag;
    uint32_t pid;
  } which = {1, pid};
  struct {
    uint8_t tag;
    uint16_t code;
    uint8_t signal;
  } status = {0, 0, 0};
  if (wasix_proc_join(&which, 0, &status) != 0) wasi_proc_exit(73);
  line("parent thread: child, code ", pid, status.code);
}

EXPORT("_start") void start(void) {
  uint32_t tid;
  child_code = (int)arg_number(1, 5);
  thread.stack = stacks[0] + STACK_SIZE;
  thread.stack_size = STACK_SIZE;
  if (wasix_thread_spawn(&thread, &tid) != 0) wasi_proc_exit(71);
  if (wasix_thread_join(tid) != 0) wasi_proc_exit(74);
  uint32_t me = 0;
  wasix_proc_id(&me);
  line("main: pid, thread ", me, tid);
}

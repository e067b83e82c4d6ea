// build: asyncify
// setjmp/longjmp over stack_checkpoint/stack_restore (see setjmp.h). Prints one line per case. With
// argument "stale", jumps to a checkpoint whose function has returned instead; with "signal", jumps
// out of a signal callback (as a shell's SIGINT handler does) to a checkpoint of the code it interrupted.
#include <stdio.h>
#include <string.h>
#include "setjmp.h"

static wasix_jmp_buf across_env, outer_env, inner_env, zero_env, loop_env, stale_env, signal_env;

__attribute__((import_module("wasix_32v1"), import_name("callback_signal"))) void wasix_callback_signal(const char *name, size_t len);
__attribute__((import_module("wasix_32v1"), import_name("proc_raise"))) uint16_t wasix_proc_raise(uint8_t sig);
#define WASIX_SIGUSR1 10

__attribute__((export_name("on_signal"))) void on_signal(int sig) {
  printf("signal: callback for %d\n", sig);
  wasix_longjmp(signal_env, 100 + sig);
}

__attribute__((noinline)) static void dive(int depth, int val) {
  if (depth == 0) wasix_longjmp(across_env, val);
  dive(depth - 1, val);
  printf("across: unreachable after depth %d\n", depth);
}

static void across(void) {
  int r = wasix_setjmp(across_env);
  if (r == 0) {
    dive(5, 42);
    printf("across: dive returned\n");
  }
  printf("across: %d\n", r);
}

__attribute__((noinline)) static void inner(void) {
  int r = wasix_setjmp(inner_env);
  printf("nested: inner %d\n", r);
  if (r == 0) wasix_longjmp(inner_env, 2);
  wasix_longjmp(outer_env, 3);
}

static void nested(void) {
  int r = wasix_setjmp(outer_env);
  printf("nested: outer %d\n", r);
  if (r == 0) inner();
}

static void zero(void) {
  int r = wasix_setjmp(zero_env);
  if (r == 0) wasix_longjmp(zero_env, 0);
  printf("zero: longjmp(env, 0) made setjmp return %d\n", r);
}

__attribute__((noinline)) static void bump(int *counter) { ++*counter; }

/** C keeps the values of volatile locals and of data a caller owns across a longjmp. */
__attribute__((noinline)) static void kept(int *owned) {
  volatile int local = 10;
  int r = wasix_setjmp(zero_env);
  if (r == 0) {
    local = 11;
    bump(owned);
    wasix_longjmp(zero_env, 1);
  }
  printf("kept: volatile %d, ", local);
}

/** Many round trips: the stack pointer must end where it started each time. */
static void loop(void) {
  volatile int n = 0;
  char *first = 0;
  int r = wasix_setjmp(loop_env);
  char here;
  if (first == 0) first = &here;
  if (&here != first) {
    printf("loop: stack moved by %d\n", (int)(&here - first));
    return;
  }
  if (r == n && n < 10000) wasix_longjmp(loop_env, ++n);
  printf("loop: %d round trips\n", n);
}

__attribute__((noinline)) static int set_and_return(void) {
  int r = wasix_setjmp(stale_env);
  printf("stale: setjmp returned %d\n", r);
  return r;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "signal") == 0) {
    int r = wasix_setjmp(signal_env);
    if (r == 0) {
      wasix_callback_signal("on_signal", 9);
      wasix_proc_raise(WASIX_SIGUSR1);
      printf("signal: proc_raise returned\n");
    }
    printf("signal: setjmp returned %d\n", r);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "stale") == 0) {
    // Undefined in C: the frame that called setjmp has returned. The host brings it back as it was.
    int r = set_and_return();
    if (r < 3) wasix_longjmp(stale_env, r + 1);
    printf("stale: done\n");
    return 0;
  }
  across();
  nested();
  zero();
  int owned = 0;
  kept(&owned);
  printf("owned by the caller %d\n", owned);
  loop();
  return 0;
}

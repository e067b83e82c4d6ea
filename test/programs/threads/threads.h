// Freestanding helpers for the threaded test programs. Debian's wasi-libc has no threads build, so
// these programs use no libc: WASI imports are declared here, and wasi_thread_start (in
// thread-start.s) gives each thread its own stack before calling thread_main.
#pragma once
#include <stddef.h>
#include <stdint.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

#ifdef WASIX
#define WASI_MODULE "wasix_32v1"
#else
#define WASI_MODULE "wasi_snapshot_preview1"
#endif

struct ciovec {
  const void *buf;
  size_t len;
};

IMPORT(WASI_MODULE, "fd_write") uint16_t wasi_fd_write(int fd, const struct ciovec *iovs, size_t n, size_t *written);
IMPORT(WASI_MODULE, "args_sizes_get") uint16_t wasi_args_sizes_get(size_t *argc, size_t *size);
IMPORT(WASI_MODULE, "args_get") uint16_t wasi_args_get(char **argv, char *buf);
IMPORT(WASI_MODULE, "proc_exit") _Noreturn void wasi_proc_exit(int code);

/** What wasi_thread_start receives: the top of the thread's stack first (thread-start.s reads it). */
struct start {
  char *stack_top;
  int index;
  uint64_t result;
};

#define STACK_SIZE 16384
#define MAX_THREADS 8
static char stacks[MAX_THREADS][STACK_SIZE] __attribute__((aligned(16)));
static struct start starts[MAX_THREADS];

/** The start record of thread slot k, with its own stack. */
static inline struct start *start_of(int k) {
  starts[k].stack_top = stacks[k] + STACK_SIZE;
  starts[k].index = k;
  return &starts[k];
}

static size_t length(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

/** Writes all of [s, s + n) to fd in one call; exits 70 when it cannot. */
static void write_all(int fd, const char *s, size_t n) {
  struct ciovec iov = {s, n};
  size_t written = 0;
  if (wasi_fd_write(fd, &iov, 1, &written) != 0 || written != n) wasi_proc_exit(70);
}

/** Decimal digits of v at the end of buf (which has room for 21); returns where they start. */
static char *digits(uint64_t v, char *end) {
  *--end = 0;
  do *--end = (char)('0' + v % 10);
  while (v /= 10);
  return end;
}

/** Unsigned decimal argument; exits 64 when it is not one. */
static uint64_t parse(const char *s) {
  uint64_t v = 0;
  if (!*s) wasi_proc_exit(64);
  for (; *s; s++) {
    if (*s < '0' || *s > '9') wasi_proc_exit(64);
    v = v * 10 + (uint64_t)(*s - '0');
  }
  return v;
}

static char arg_buf[256];
static char *arg_ptrs[8];

/** argv[i] as a number, or `fallback` when absent. */
static uint64_t arg_number(size_t i, uint64_t fallback) {
  size_t argc = 0, size = 0;
  if (wasi_args_sizes_get(&argc, &size) != 0 || argc > 8 || size > sizeof arg_buf) wasi_proc_exit(64);
  if (wasi_args_get(arg_ptrs, arg_buf) != 0) wasi_proc_exit(64);
  return i < argc ? parse(arg_ptrs[i]) : fallback;
}

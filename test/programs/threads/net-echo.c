// net-echo PORT [threads]: each of `threads` wasi-threads (the main one included, 1..8, default 2)
// opens a WASIX socket, connects to 127.0.0.1:PORT, sends "thread K", shuts down writing and reads the
// echo to its end, so every socket call waits while other guest threads run (the kernel parks it).
// Prints "thread K: <echo>" per thread in order; exits 0, or 1 with "thread K: errno N".
#define WASIX
#include "threads.h"

struct iovec {
  void *buf;
  size_t len;
};
IMPORT("wasi", "thread-spawn") int32_t wasi_thread_spawn(void *start);
IMPORT("wasix_32v1", "sock_open") uint16_t wx_sock_open(int32_t af, int32_t type, int32_t proto, uint32_t *fd);
IMPORT("wasix_32v1", "sock_connect") uint16_t wx_sock_connect(int32_t fd, const void *addr);
IMPORT("wasix_32v1", "sock_send") uint16_t wx_sock_send(int32_t fd, const struct ciovec *iovs, size_t n, uint16_t flags, size_t *sent);
IMPORT("wasix_32v1", "sock_recv") uint16_t wx_sock_recv(int32_t fd, const struct iovec *iovs, size_t n, uint16_t flags, size_t *got, uint16_t *roflags);
IMPORT("wasix_32v1", "sock_shutdown") uint16_t wx_sock_shutdown(int32_t fd, uint8_t how);

static uint16_t port;
static int threads;
static volatile int done;
static char replies[MAX_THREADS][64];
static uint16_t failures[MAX_THREADS];

static uint16_t talk(int k) {
  uint32_t fd;
  uint16_t e = wx_sock_open(1, 1, 0, &fd);
  if (e) return e;
  // addr_port: family inet4, pad, the port in the guest's byte order, 127.0.0.1.
  uint8_t addr[110] = {1, 0, (uint8_t)port, (uint8_t)(port >> 8), 127, 0, 0, 1};
  if ((e = wx_sock_connect(fd, addr))) return e;
  char msg[] = "thread 0";
  msg[7] = (char)('0' + k);
  struct ciovec out = {msg, 8};
  size_t n;
  if ((e = wx_sock_send(fd, &out, 1, 0, &n))) return e;
  if ((e = wx_sock_shutdown(fd, 2))) return e;
  size_t at = 0;
  for (;;) {
    struct iovec in = {replies[k] + at, sizeof replies[k] - 1 - at};
    uint16_t ro;
    if ((e = wx_sock_recv(fd, &in, 1, 0, &n, &ro))) return e;
    if (n == 0) break;
    at += n;
  }
  replies[k][at] = 0;
  return 0;
}

void thread_main(int tid, struct start *s) {
  (void)tid;
  failures[s->index] = talk(s->index);
  __atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify((int *)&done, 1);
}

EXPORT("_start") void start(void) {
  port = (uint16_t)arg_number(1, 0);
  threads = (int)arg_number(2, 2);
  if (port == 0 || threads < 1 || threads > MAX_THREADS) wasi_proc_exit(64);
  for (int k = 1; k < threads; k++) {
    if (wasi_thread_spawn(start_of(k)) <= 0) wasi_proc_exit(71);
  }
  thread_main(0, start_of(0));
  int d;
  while ((d = __atomic_load_n(&done, __ATOMIC_SEQ_CST)) < threads) __builtin_wasm_memory_atomic_wait32((int *)&done, d, -1);
  int status = 0;
  for (int k = 0; k < threads; k++) {
    char buf[32];
    write_all(1, "thread ", 7);
    char *n = digits((uint64_t)k, buf + sizeof buf);
    write_all(1, n, length(n));
    write_all(1, ": ", 2);
    if (failures[k]) {
      write_all(1, "errno ", 6);
      n = digits(failures[k], buf + sizeof buf);
      write_all(1, n, length(n));
      status = 1;
    } else write_all(1, replies[k], length(replies[k]));
    write_all(1, "\n", 1);
  }
  wasi_proc_exit(status);
}

// build: asyncify
// The pipe test driver: `pipes MODE` checks what POSIX says of a pipe (fd_pipe) from the guest's side,
// printing what it sees: its capacity and PIPE_BUF atomicity (nonblocking), EPIPE, a writer killed in
// the middle of its writes, a reader that leaves, both ends in two forks. Its pipes are served in the
// processes' workers where they can be (src/threads/fast-pipes.ts) and by the kernel otherwise.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasix.h"

static char buf[1 << 16];

static void join_print(uint32_t pid) {
  option_pid which = {1, pid};
  join_status st = {0};
  int32_t err = wasix_proc_join(&which, 0, &st);
  if (err) printf("join errno %d\n", err);
  else if (st.tag == 1) printf("join code %d\n", st.code);
  else printf("join signal %d\n", st.signal);
}

/** The byte at stream offset `at`: a pattern no shift or loss can keep. */
static char pattern(unsigned long at) { return (char)(at % 251); }

/** write() once; prints "<what> <count>" or "<what> errno <errno>". */
static ssize_t try_write(const char *what, int fd, unsigned long from, size_t n) {
  for (size_t i = 0; i < n; i++) buf[i] = pattern(from + i);
  ssize_t w = write(fd, buf, n);
  if (w < 0) printf("%s errno %d\n", what, errno);
  else printf("%s %zd\n", what, w);
  return w;
}

/** Reads exactly `n` bytes (or to the end) and checks them against the pattern from `from`: the count read. */
static unsigned long read_check(int fd, unsigned long from, unsigned long n, int *bad) {
  unsigned long got = 0;
  while (got < n) {
    size_t want = n - got < sizeof buf ? (size_t)(n - got) : sizeof buf;
    ssize_t r = read(fd, buf, want);
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; i++)
      if (buf[i] != pattern(from + got + (unsigned long)i)) *bad = 1;
    got += (unsigned long)r;
  }
  return got;
}

static int capacity(void) {
  uint32_t p[2];
  if (wasix_fd_pipe(&p[0], &p[1])) return 1;
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  // 1000-byte writes (at most PIPE_BUF: each whole or not at all) until the pipe is full.
  unsigned long total = 0;
  ssize_t w;
  for (;;) {
    for (size_t i = 0; i < 1000; i++) buf[i] = pattern(total + i);
    w = write(p[1], buf, 1000);
    if (w < 0) break;
    total += (unsigned long)w;
  }
  printf("filled %lu then errno %d\n", total, errno);
  total += (unsigned long)try_write("rest", p[1], total, 65536 - total);
  try_write("one more", p[1], total, 1);
  struct pollfd pf = {p[1], POLLOUT, 0};
  printf("poll full %d\n", poll(&pf, 1, 0));
  int bad = 0;
  unsigned long done = read_check(p[0], 0, 100, &bad);
  printf("poll after a read %d revents %d\n", poll(&pf, 1, 0), pf.revents & POLLOUT ? 1 : 0);
  // Larger than PIPE_BUF: what fits goes in (a short count); with no room at all, EAGAIN.
  total += (unsigned long)try_write("big", p[1], total, 5000);
  try_write("big when full", p[1], total, 5000);
  try_write("small when full", p[1], total, 10);
  done += read_check(p[0], done, 5000, &bad);
  total += (unsigned long)try_write("atomic", p[1], total, 4096);
  try_write("atomic without room", p[1], total, 4096);
  close(p[1]);
  done += read_check(p[0], done, 1 << 20, &bad);
  printf("read %lu of %lu %s\n", done, total, bad ? "corrupt" : "in order");
  printf("at the end %zd\n", read(p[0], buf, 10));
  return 0;
}

/** Writes the pattern to stdout in 64 KiB writes until a write fails. */
static int write_forever(void) {
  for (unsigned long at = 0;;) {
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = pattern(at + i);
    ssize_t w = write(1, buf, sizeof buf);
    if (w <= 0) return 1;
    // A short write: the rest of this buffer follows in the next one (the pattern goes on from `at`).
    at += (unsigned long)w;
  }
}

static int epipe(void) {
  uint32_t r, w;
  if (wasix_fd_pipe(&r, &w)) return 1;
  close(r);
  try_write("no reader", w, 0, 10);
  try_write("no reader, large", w, 0, sizeof buf);
  return 0;
}

static int killed_writer(void) {
  uint32_t r, w, pid;
  if (wasix_fd_pipe(&r, &w)) return 1;
  spawn_fd_op ops[] = {dup2_op(w, 1), close_op(r), close_op(w)};
  if (spawn("pipes", "pipes\nwrite-forever", ops, 3, &pid)) return 2;
  int bad = 0;
  unsigned long got = read_check(r, 0, 200000, &bad);
  printf("read %lu %s\n", got, bad ? "corrupt" : "in order");
  wasix_proc_signal(pid, 9);
  join_print(pid);
  // What the writer had put in the pipe is still there (at most its capacity), in order.
  fcntl(r, F_SETFL, O_NONBLOCK);
  unsigned long left = read_check(r, got, 1 << 20, &bad);
  printf("left at most 64 KiB: %s, %s, then errno %d\n", left <= 65536 ? "yes" : "no", bad ? "corrupt" : "in order", errno);
  // The pipe still works, wherever the writer was stopped (in a copy, its lock is freed).
  try_write("after the kill", w, 0, 10);
  printf("read back %zd\n", read(r, buf, 100));
  close(w);
  printf("at the end %zd\n", read(r, buf, 10));
  return 0;
}

static int read_some(unsigned long n) {
  int bad = 0;
  unsigned long got = read_check(0, 0, n, &bad);
  printf("child read %lu %s\n", got, bad ? "corrupt" : "in order");
  return 0;
}

static int reader_leaves(void) {
  uint32_t r, w, pid;
  if (wasix_fd_pipe(&r, &w)) return 1;
  spawn_fd_op ops[] = {dup2_op(r, 0), close_op(r), close_op(w)};
  if (spawn("pipes", "pipes\nread-some\n100000", ops, 3, &pid)) return 2;
  close(r);
  // Blocking writes: they wait while the reader is slow, and fail once it has gone.
  unsigned long total = 0;
  for (;;) {
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = pattern(total + i);
    ssize_t n = write(w, buf, sizeof buf);
    if (n < 0) break;
    total += (unsigned long)n;
  }
  printf("write errno %d after the reader's 100000: %s\n", errno, total >= 100000 ? "yes" : "no");
  join_print(pid);
  return 0;
}

static int forks(void) {
  uint32_t a, b, pid;
  // WASIX pipes go both ways: each end reads what the other writes.
  if (wasix_fd_pipe(&a, &b)) return 1;
  if (wasix_proc_fork(1, &pid)) return 2;
  if (pid == 0) {
    close(a);
    for (unsigned long at = 0; at < 300000;) {
      size_t n = 300000 - at < 7000 ? (size_t)(300000 - at) : 7000;
      for (size_t i = 0; i < n; i++) buf[i] = pattern(at + i);
      ssize_t w = write(b, buf, n);
      if (w <= 0) return 3;
      at += (unsigned long)w;
    }
    ssize_t n = read(b, buf, 10);
    printf("child got %.*s\n", (int)(n > 0 ? n : 0), buf);
    return 0;
  }
  close(b);
  int bad = 0;
  unsigned long got = read_check(a, 0, 300000, &bad);
  printf("parent read %lu %s\n", got, bad ? "corrupt" : "in order");
  write(a, "ack", 3);
  join_print(pid);
  printf("at the end %zd\n", read(a, buf, 10));
  return 0;
}

static volatile int last_signal;

__attribute__((export_name("on_signal"))) void on_signal(int sig) { last_signal = sig; }

/** The child of signal-reader: tells fd 3 it is ready, then reads an empty stdin until a signal ends the read. */
static int handler_read(void) {
  wasix_callback_signal("on_signal", 9);
  write(3, "r", 1);
  ssize_t n = read(0, buf, 100);
  printf("read %zd errno %d after signal %d\n", n, n < 0 ? errno : 0, last_signal);
  fflush(stdout);
  write(3, "a", 1);
  n = read(0, buf, 100);
  printf("then read %zd [%.*s]\n", n, (int)(n > 0 ? n : 0), buf);
  return 0;
}

static int signal_reader(void) {
  uint32_t r, w, ready_r, ready_w, pid;
  if (wasix_fd_pipe(&r, &w) || wasix_fd_pipe(&ready_r, &ready_w)) return 1;
  spawn_fd_op ops[] = {dup2_op(r, 0), dup2_op(ready_w, 3), close_op(r), close_op(w), close_op(ready_r), close_op(ready_w)};
  if (spawn("pipes", "pipes\nhandler-read", ops, 6, &pid)) return 2;
  close(r);
  close(ready_w);
  read(ready_r, buf, 1);
  // SIGUSR1, which the child handles: its read of the empty pipe ends with EINTR once the handler has run.
  int32_t err = wasix_proc_signal(pid, 10);
  // Once it has answered, it reads again: this time the bytes come.
  read(ready_r, buf, 1);
  printf("signal %d\n", err);
  fflush(stdout);
  write(w, "hello", 5);
  close(w);
  join_print(pid);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "capacity") == 0) return capacity();
  if (strcmp(mode, "epipe") == 0) return epipe();
  if (strcmp(mode, "write-forever") == 0) return write_forever();
  if (strcmp(mode, "killed-writer") == 0) return killed_writer();
  if (strcmp(mode, "read-some") == 0) return read_some(argc > 2 ? strtoul(argv[2], 0, 10) : 0);
  if (strcmp(mode, "reader-leaves") == 0) return reader_leaves();
  if (strcmp(mode, "forks") == 0) return forks();
  if (strcmp(mode, "signal-reader") == 0) return signal_reader();
  if (strcmp(mode, "handler-read") == 0) return handler_read();
  fprintf(stderr, "unknown mode %s\n", mode);
  return 2;
}

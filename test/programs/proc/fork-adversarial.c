// build: asyncify
// Adversarial proc_fork cases (test/processes/fork-adversarial.test.ts): `fork-adversarial MODE` prints
// what it saw, or exits with a code that names what went wrong.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <wasi/api.h>

#include "wasix.h"

/** Waits for `pid` and returns its exit code, or -1000 - errno, or -signal. */
static int wait_for(uint32_t pid) {
  option_pid which = {1, pid};
  join_status st = {0};
  int32_t err = wasix_proc_join(&which, 0, &st);
  if (err) return -1000 - err;
  return st.tag == 1 ? st.code : -st.signal;
}

/** Reads `fd` without blocking: the count, or -errno. */
static int read_now(int fd) {
  char c;
  if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) return -1000;
  ssize_t n = read(fd, &c, 1);
  return n >= 0 ? (int)n : -errno;
}

/** A fork from deeper in the stack than main's (its image names another stack pointer). */
__attribute__((noinline)) static int32_t deep_fork(uint32_t *pid) {
  volatile char pad[4096];
  pad[0] = 1;
  int32_t err = wasix_proc_fork(1, pid);
  return err + pad[0] - 1;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  uint32_t pid = 12345;
  if (strcmp(mode, "stale-image") == 0) {
    // A vfork's child tries a fork from deeper in its stack (refused: notsup), then exits; then the parent
    // forks, several times. Each fork's child must resume where its own fork was made: here, with its marker.
    for (int round = 0; round < 4; round++) {
      fflush(stdout);
      int32_t err = wasix_proc_fork(0, &pid);
      if (err) return 100 + err;
      if (pid == 0) {
        uint32_t inner = 0;
        int32_t f = deep_fork(&inner);
        _exit(f == 58 ? 5 : 6);
      }
      int vcode = wait_for(pid);
      volatile int marker = 40 + round;
      fflush(stdout);
      err = wasix_proc_fork(1, &pid);
      if (err) return 200 + err;
      if (pid == 0) _exit(marker);
      printf("round %d: vfork child %d, fork child %d\n", round, vcode, wait_for(pid));
    }
    return 0;
  }
  if (strcmp(mode, "again-fds") == 0) {
    // Past maxProcesses, fork and vfork fail with again; the write end of a pipe is then held by this
    // process alone: once it closes it, the reader sees the end (0), not again (another writer open).
    uint32_t r, w;
    if (wasix_fd_pipe(&r, &w)) return 2;
    fflush(stdout);
    int32_t f = wasix_proc_fork(1, &pid);
    int32_t v = wasix_proc_fork(0, &pid);
    close(w);
    printf("fork %d vfork %d read %d\n", (int)f, (int)v, read_now(r));
    return 0;
  }
  if (strcmp(mode, "fork-fails") == 0) {
    // The host cannot make the child's memory (the test says so): fork fails with nomem, and no child is
    // left holding the pipe's write end.
    uint32_t r, w;
    if (wasix_fd_pipe(&r, &w)) return 2;
    fflush(stdout);
    int32_t f = wasix_proc_fork(1, &pid);
    if (f == 0 && pid == 0) _exit(0);
    close(w);
    printf("fork %d read %d\n", (int)f, read_now(r));
    return 0;
  }
  if (strcmp(mode, "vfork-killed") == 0 || strcmp(mode, "vfork-trap") == 0) {
    // The first process forks B; B vforks C, which tells its pid through a pipe, then sleeps (killed:
    // the first process kills B, and C cannot outlive B's thread: once B is reaped, C is gone) or traps
    // (C alone ends, by SIGABRT as a trap ends a process, and B goes on). Either way the pipe's write end C
    // held is closed.
    int trap = strcmp(mode, "vfork-trap") == 0;
    uint32_t r, w, sr, sw;
    if (wasix_fd_pipe(&r, &w) || wasix_fd_pipe(&sr, &sw)) return 2;
    fflush(stdout);
    uint32_t b = 0;
    int32_t err = wasix_proc_fork(1, &b);
    if (err) return 100 + err;
    if (b == 0) {
      uint32_t c = 0;
      err = wasix_proc_fork(0, &c);
      if (err) _exit(100 + err);
      if (c == 0) {
        uint32_t me = 0;
        wasix_proc_id(&me);
        write(sw, &me, sizeof me);
        if (trap) __builtin_trap();
        sleep(3600);
        _exit(3);
      }
      // The trap was C's alone: B goes on from its vfork with C's pid and reaps C's status.
      if (trap) {
        printf("C %d, ", wait_for(c));
        fflush(stdout);
      }
      _exit(4);
    }
    close(w);
    close(sw);
    uint32_t c = 0;
    if (read(sr, &c, sizeof c) != sizeof c) return 3;
    if (!trap) wasix_proc_signal(b, 9);
    int code = wait_for(b);
    printf("B %d, C alive %d, read %d\n", code, wasix_proc_signal(c, 0) == 0, read_now(r));
    return 0;
  }
  if (strcmp(mode, "kill-vfork-child") == 0) {
    // The first process forks B; B vforks C, which tells its pid through a pipe and sleeps; the first
    // process kills C. C ends as killed and B goes on from its vfork with C's pid, reaping C's status.
    uint32_t sr, sw;
    if (wasix_fd_pipe(&sr, &sw)) return 2;
    fflush(stdout);
    uint32_t b = 0;
    int32_t err = wasix_proc_fork(1, &b);
    if (err) return 100 + err;
    if (b == 0) {
      uint32_t c = 0;
      err = wasix_proc_fork(0, &c);
      if (err) _exit(100 + err);
      if (c == 0) {
        uint32_t me = 0;
        wasix_proc_id(&me);
        write(sw, &me, sizeof me);
        sleep(3600);
        _exit(3);
      }
      _exit(wait_for(c) == -9 ? 20 : 21);
    }
    close(sw);
    uint32_t c = 0;
    if (read(sr, &c, sizeof c) != sizeof c) return 3;
    int32_t k = wasix_proc_signal(c, 9);
    printf("kill %d, B %d\n", (int)k, wait_for(b));
    return 0;
  }
  return 1;
}

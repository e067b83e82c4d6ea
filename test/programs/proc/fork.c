// build: asyncify
// The fork test driver: `fork MODE` forks (proc_fork, copy_memory=1) and prints what each side sees.
// Made fork-capable by Binaryen's asyncify pass (the first line above tells the build script).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "../wasix/setjmp.h"
#include "wasix.h"
#include "../wasix/sockets.h"

static int counter = 1;
static char big[1 << 20];

/** Waits for `pid` and returns its exit code, or -1000 - errno, or -signal. */
static int wait_for(uint32_t pid) {
  option_pid which = {1, pid};
  join_status st = {0};
  int32_t err = wasix_proc_join(&which, 0, &st);
  if (err) return -1000 - err;
  return st.tag == 1 ? st.code : -st.signal;
}

static int32_t fork_(uint32_t *pid) {
  fflush(stdout);
  return wasix_proc_fork(1, pid);
}

static volatile int signals_seen;
static volatile int32_t fork_in_handler = -1;
__attribute__((export_name("on_signal"))) void on_signal(int sig) {
  if (sig == 17) signals_seen++;
  if (sig == 10) {
    uint32_t pid = 0;
    fork_in_handler = wasix_proc_fork(1, &pid);
  }
}

static wasix_jmp_buf env;

/** Reads from `fd` until a newline or the end (at most `n` - 1 bytes); the bytes as a string. */
static char *read_line_from(int fd, char *buf, size_t n) {
  size_t got = 0;
  while (got + 1 < n) {
    ssize_t r = read(fd, buf + got, 1);
    if (r <= 0 || buf[got++] == '\n') break;
  }
  buf[got] = 0;
  return buf;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "memory";
  uint32_t pid = 12345, me = 0;
  if (strcmp(mode, "memory") == 0) {
    // Memory is copied: each side's writes after the fork are its own.
    counter = 2;
    memset(big, 'p', sizeof big);
    int32_t err = fork_(&pid);
    if (err) return 100 + err;
    wasix_proc_id(&me);
    if (pid == 0) {
      printf("child: pid %u counter %d big %c\n", (unsigned)me, counter, big[sizeof big - 1]);
      counter = 30;
      memset(big, 'c', sizeof big);
      return 7;
    }
    int code = wait_for(pid);
    printf("parent: child %u code %d counter %d big %c%c\n", (unsigned)pid, code, counter, big[0], big[sizeof big - 1]);
    return 0;
  }
  if (strcmp(mode, "pipe") == 0) {
    // fds are shared after fork: the child writes a pipe the parent reads.
    uint32_t r, w;
    if (wasix_fd_pipe(&r, &w)) return 2;
    int32_t err = fork_(&pid);
    if (err) return 100 + err;
    if (pid == 0) {
      close(r);
      const char msg[] = "through the pipe";
      write(w, msg, sizeof msg - 1);
      close(w);
      _exit(0);
    }
    close(w);
    char buf[64] = {0};
    ssize_t n, total = 0;
    while ((n = read(r, buf + total, sizeof buf - 1 - total)) > 0) total += n;
    printf("parent read [%s] child code %d\n", buf, wait_for(pid));
    return 0;
  }
  if (strcmp(mode, "exec") == 0) {
    // exec after fork keeps the fds without close-on-exec: the child's echo writes into the pipe.
    uint32_t r, w;
    if (wasix_fd_pipe(&r, &w)) return 2;
    int32_t err = fork_(&pid);
    if (err) return 100 + err;
    if (pid == 0) {
      close(r);
      (void)__wasi_fd_renumber(w, 1); // dup2(w, 1) and close(w)
      const char args[] = "echo\nhello\nfrom exec";
      err = wasix_proc_exec3("echo", 4, args, sizeof args - 1, "", 0, 1, "", 0);
      _exit(50 + err);
    }
    close(w);
    char buf[64] = {0};
    ssize_t n, total = 0;
    while ((n = read(r, buf + total, sizeof buf - 1 - total)) > 0) total += n;
    printf("parent read [%s] child code %d\n", buf, wait_for(pid));
    return 0;
  }
  if (strcmp(mode, "sigchld") == 0) {
    wasix_callback_signal("on_signal", 9);
    int32_t err = fork_(&pid);
    if (err) return 100 + err;
    if (pid == 0) _exit(3);
    int code = wait_for(pid);
    wasix_proc_id(&me);
    wasix_proc_signal(me, 0);
    printf("child code %d sigchld %d\n", code, signals_seen);
    return 0;
  }
  if (strcmp(mode, "setjmp") == 0) {
    // setjmp in the parent, fork, longjmp in the child: the checkpoint came with the copy.
    volatile int jumped = 0;
    int v = wasix_setjmp(env);
    if (v != 0) {
      printf("child: longjmp returned %d (jumped %d)\n", v, jumped);
      fflush(stdout);
      _exit(9);
    }
    int32_t err = fork_(&pid);
    if (err) return 100 + err;
    if (pid == 0) {
      jumped = 1;
      wasix_longjmp(env, 77);
    }
    printf("parent: child code %d\n", wait_for(pid));
    return 0;
  }
  if (strcmp(mode, "bomb") == 0) {
    // Every process forks as fast as it can and never waits: the limit stops it with again. The first
    // process reports how many it made; a child that hears again just ends.
    wasix_proc_id(&me);
    int forked = 0;
    for (;;) {
      int32_t err = fork_(&pid);
      if (err == 6) break;
      if (err) return 100 + err;
      if (pid == 0) {
        wasix_proc_id(&me);
        continue;
      }
      forked++;
    }
    if (me == 1) printf("first forked %d then again\n", forked);
    return 0;
  }
  if (strcmp(mode, "vfork") == 0) {
    // vfork + exec: the child runs in the parent's memory (its write to `counter` is the parent's) with
    // fds of its own (moving the pipe onto its stdout leaves the parent's alone) until it execs echo;
    // then the parent goes on from proc_fork with the child's pid.
    uint32_t r, w;
    if (wasix_fd_pipe(&r, &w)) return 2;
    fflush(stdout);
    int32_t err = wasix_proc_fork(0, &pid);
    if (err) return 100 + err;
    if (pid == 0) {
      wasix_proc_id(&me);
      counter = (int)me;
      (void)__wasi_fd_renumber(w, 1);
      const char args[] = "echo\nvforked";
      err = wasix_proc_exec3("echo", 4, args, sizeof args - 1, "", 0, 1, "", 0);
      _exit(50 + err);
    }
    close(w);
    char buf[64] = {0};
    ssize_t n, total = 0;
    while ((n = read(r, buf + total, sizeof buf - 1 - total)) > 0) total += n;
    wasix_proc_id(&me);
    printf("parent %u: child %u counter %d read [%s] child code %d\n", (unsigned)me, (unsigned)pid, counter, buf, wait_for(pid));
    return 0;
  }
  if (strcmp(mode, "vfork-exit") == 0) {
    // vfork then _exit: the parent goes on with the child's pid; the child's exit code is waited for.
    fflush(stdout);
    int32_t err = wasix_proc_fork(0, &pid);
    if (err) return 100 + err;
    if (pid == 0) _exit(42);
    printf("child %u code %d\n", (unsigned)pid, wait_for(pid));
    return 0;
  }
  if (strcmp(mode, "bench") == 0) {
    // `fork bench N [MiB]` (bench/processes.mjs): with MiB (16) of memory in use, N times fork a child
    // that exits at once and wait for it; "go" and "done" lines mark the start and the end.
    int n = argc > 2 ? atoi(argv[2]) : 10;
    size_t mib = argc > 3 ? (size_t)atoi(argv[3]) : 16;
    char *heap = malloc(mib << 20);
    if (!heap) return 3;
    memset(heap, 'h', mib << 20);
    printf("go\n");
    for (int i = 0; i < n; i++) {
      int32_t err = fork_(&pid);
      if (err) return 100 + err;
      if (pid == 0) _exit(heap[i] == 'h' ? 0 : 1);
      if (wait_for(pid) != 0) return 4;
    }
    printf("done\n");
    return 0;
  }
  if (strcmp(mode, "in-handler") == 0) {
    // fork from a signal callback: the host's frames below the callback cannot be copied (notsup).
    wasix_callback_signal("on_signal", 9);
    wasix_proc_id(&me);
    wasix_proc_signal(me, 10);
    wasix_proc_id(&me);
    printf("fork in handler errno %d\n", (int)fork_in_handler);
    return 0;
  }
  if (strcmp(mode, "vfork-nested") == 0) {
    // A vfork's child cannot fork or vfork until it execs or exits; its parent goes on as usual.
    fflush(stdout);
    int32_t err = wasix_proc_fork(0, &pid);
    if (err) return 100 + err;
    if (pid == 0) {
      uint32_t inner = 0;
      int32_t v = wasix_proc_fork(0, &inner);
      int32_t f = wasix_proc_fork(1, &inner);
      _exit(v == 58 && f == 58 ? 3 : 4);
    }
    printf("child %u code %d\n", (unsigned)pid, wait_for(pid));
    return 0;
  }
  if (strcmp(mode, "socket") == 0) {
    // Sockets across fork: the parent listens on 127.0.0.1 (a port the system picks); a child connects
    // with a socket of its own and sends a line; the parent accepts it. A second child, which inherited
    // the accepted connection through its fork, answers on it and exits; once the parent closes its copy
    // too (and a spawned echo that wrote on it), the first child reads the answers to their end.
    uint32_t l, conn;
    addr_port_t a = {0}, peer;
    a.tag = 1;
    a.octs[2] = 127, a.octs[5] = 1;
    if (wx_sock_open(1, 1, 0, &l) || wx_sock_bind(l, &a) || wx_sock_listen(l, 4) || wx_sock_addr_local(l, &a)) return 2;
    uint32_t c1, c2;
    if (fork_(&c1)) return 3;
    if (c1 == 0) {
      uint32_t s;
      char buf[64];
      close(l);
      if (wx_sock_open(1, 1, 0, &s) || wx_sock_connect(s, &a)) _exit(4);
      if (write(s, "from child 1\n", 13) != 13) _exit(5);
      size_t got = 0;
      for (ssize_t r; got + 1 < sizeof buf && (r = read(s, buf + got, sizeof buf - 1 - got)) > 0;) got += r;
      buf[got] = 0;
      printf("child 1 read [%s] to its end\n", buf);
      fflush(stdout);
      _exit(0);
    }
    char line[64];
    if (wx_sock_accept_v2(l, 0, &conn, &peer)) return 6;
    printf("parent accepted [%s]", read_line_from(conn, line, sizeof line));
    if (fork_(&c2)) return 7;
    if (c2 == 0) {
      if (write(conn, "answer from child 2", 19) != 19) _exit(8);
      _exit(0);
    }
    int code2 = wait_for(c2);
    // A spawned process gets it too, as its stdout (a spawn file action), and writes on it.
    spawn_fd_op ops[] = {dup2_op(conn, 1), close_op(conn), close_op(l)};
    uint32_t c3;
    if (spawn("echo", "echo\n; spawned", ops, 3, &c3)) return 9;
    int code3 = wait_for(c3);
    close(conn);
    int code1 = wait_for(c1);
    printf("codes %d %d %d\n", code1, code2, code3);
    return 0;
  }
  if (strcmp(mode, "chain") == 0) {
    // A child of a child: each waits for its own, exit codes add up through the chain.
    int depth = argc > 2 ? atoi(argv[2]) : 3;
    int level = 0;
    for (; level < depth; level++) {
      int32_t err = fork_(&pid);
      if (err) return 100 + err;
      if (pid != 0) {
        int code = wait_for(pid);
        return code + 1;
      }
    }
    return 0;
  }
  return 1;
}

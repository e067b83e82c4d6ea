// The process test driver: `spawner MODE [N]` exercises proc_spawn2, proc_join, proc_signal,
// proc_exec3 and fd_pipe against our own echo, cat, wc, gen and status programs, printing what it sees.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasix.h"

/** Joins `pid` (0: any) and prints what came back. */
static void join(uint32_t pid, uint32_t flags) {
  option_pid which = {pid ? 1 : 0, pid};
  join_status st = {0};
  int32_t err = wasix_proc_join(&which, flags, &st);
  if (err) {
    printf("join errno %d\n", err);
    return;
  }
  if (st.tag == 0) printf("join nothing\n");
  else if (st.tag == 1) printf("join %s code %d\n", pid ? "given" : "any", st.code);
  else printf("join %s signal %d\n", pid ? "given" : "any", st.signal);
}

static int pipeline(unsigned long n) {
  uint32_t a_r, a_w, b_r, b_w, pid;
  if (wasix_fd_pipe(&a_r, &a_w) || wasix_fd_pipe(&b_r, &b_w)) return 1;
  char args[64];
  snprintf(args, sizeof args, "gen\n%lu", n);
  spawn_fd_op gen_ops[] = {dup2_op(a_w, 1), close_op(a_r), close_op(a_w), close_op(b_r), close_op(b_w)};
  spawn_fd_op cat_ops[] = {dup2_op(a_r, 0), dup2_op(b_w, 1), close_op(a_r), close_op(a_w), close_op(b_r), close_op(b_w)};
  spawn_fd_op wc_ops[] = {dup2_op(b_r, 0), close_op(a_r), close_op(a_w), close_op(b_r), close_op(b_w)};
  if (spawn("gen", args, gen_ops, 5, &pid) || spawn("cat", "cat", cat_ops, 6, &pid) || spawn("wc", "wc", wc_ops, 5, &pid)) return 2;
  close(a_r);
  close(a_w);
  close(b_r);
  close(b_w);
  for (int i = 0; i < 3; i++) join(0, 0);
  return 0;
}

static volatile int signals_seen[8];
static volatile int signals_count;

__attribute__((export_name("on_signal"))) void on_signal(int sig) {
  if (signals_count < 8) signals_seen[signals_count++] = sig;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  uint32_t pid, me, parent;
  setvbuf(stdout, 0, _IONBF, 0);
  if (strcmp(mode, "ids") == 0) {
    wasix_proc_id(&me);
    wasix_proc_parent(me, &parent);
    spawn("status", "status\n0", 0, 0, &pid);
    uint32_t child_parent = 0;
    int32_t err = wasix_proc_parent(pid, &child_parent);
    printf("me %u parent %u child %s parent %u err %d\n", me, parent, pid > me ? "after" : "before", child_parent, err);
    join(pid, 0);
    return 0;
  }
  if (strcmp(mode, "capture") == 0) {
    // $(echo hello world): the child's stdout is a pipe the parent reads to its end.
    uint32_t r, w;
    wasix_fd_pipe(&r, &w);
    spawn_fd_op ops[] = {dup2_op(w, 1), close_op(r), close_op(w)};
    int32_t err = spawn("echo", "echo\nhello\nworld", ops, 3, &pid);
    close(w);
    char buf[256];
    size_t got = 0;
    for (ssize_t n; (n = read(r, buf + got, sizeof buf - 1 - got)) > 0;) got += n;
    buf[got] = 0;
    printf("spawn %d captured [%s]\n", err, buf);
    join(pid, 0);
    return 0;
  }
  if (strcmp(mode, "wait") == 0) {
    uint32_t a, b, c, r, w;
    spawn("status", "status\n3", 0, 0, &a);
    spawn("status", "status\n5", 0, 0, &b);
    join(a, 0);
    option_pid any = {0, 0};
    join_status st;
    wasix_proc_join(&any, 0, &st);
    printf("any was b %d code %d\n", any.tag == 1 && any.pid == b, st.code);
    join(0, 0);
    wasix_fd_pipe(&r, &w);
    spawn_fd_op ops[] = {dup2_op(r, 0), close_op(r), close_op(w)};
    spawn("status", "status\nwait", ops, 3, &c);
    join(c, 1);
    close(w);
    join(c, 0);
    join(c, 0);
    return 0;
  }
  if (strcmp(mode, "kill") == 0) {
    uint32_t r, w;
    wasix_fd_pipe(&r, &w);
    spawn_fd_op ops[] = {dup2_op(r, 0), close_op(r), close_op(w)};
    spawn("status", "status\nwait", ops, 3, &pid);
    printf("signal %d\n", wasix_proc_signal(pid, 15));
    join(pid, 0);
    printf("signal again %d\n", wasix_proc_signal(pid, 15));
    return 0;
  }
  if (strcmp(mode, "storm") == 0) {
    uint32_t r, w;
    wasix_fd_pipe(&r, &w);
    spawn_fd_op ops[] = {dup2_op(r, 0), close_op(r), close_op(w)};
    int n = 0;
    int32_t err = 0;
    while (n < 1000 && (err = spawn("status", "status\nwait", ops, 3, &pid)) == 0) n++;
    printf("spawned %d then errno %d\n", n, err);
    close(w);
    for (int i = 0; i < n; i++) {
      option_pid any = {0, 0};
      join_status st;
      if (wasix_proc_join(&any, 0, &st) != 0 || st.tag != 1 || st.code != 0) printf("bad join\n");
    }
    join(0, 0);
    return 0;
  }
  if (strcmp(mode, "exec") == 0) {
    // fd a stays open across exec, fd b (close-on-exec) does not: the new image lists what it has.
    uint32_t a, b;
    wasix_fd_pipe(&a, &b);
    wasix_fd_fdflags_set(b, 1);
    printf("before exec: %u %u\n", a, b);
    const char *args = "status\nfds";
    int32_t err = wasix_proc_exec3("status", 6, args, strlen(args), "", 0, 0, "", 0);
    printf("exec failed %d\n", err);
    return 1;
  }
  if (strcmp(mode, "missing") == 0) {
    printf("missing %d\n", spawn("nosuch", "nosuch", 0, 0, &pid));
    printf("not wasm %d\n", spawn("/data/notwasm.wasm", "x", 0, 0, &pid));
    printf("exec missing %d\n", wasix_proc_exec3("nosuch", 6, "", 0, "", 0, 1, "/bin", 4));
    printf("from fs %d\n", spawn("/data/status.wasm", "status\n7", 0, 0, &pid));
    join(pid, 0);
    return 0;
  }
  if (strcmp(mode, "sigchld") == 0) {
    // The parent hears SIGCHLD (17) through its handler when its child ends, at its next signal point.
    wasix_callback_signal("on_signal", 9);
    spawn("status", "status\n0", 0, 0, &pid);
    join(pid, 0);
    wasix_proc_id(&me);
    wasix_proc_signal(me, 0);
    printf("signals %d first %d\n", signals_count, signals_count ? signals_seen[0] : -1);
    return 0;
  }
  if (strcmp(mode, "hold") == 0) {
    // Waits for a child that waits for input that never comes: only a signal ends the two.
    uint32_t r, w;
    wasix_fd_pipe(&r, &w);
    spawn_fd_op ops[] = {dup2_op(r, 0), close_op(r), close_op(w)};
    spawn("status", "status\nwait", ops, 3, &pid);
    printf("ready\n");
    join(pid, 0);
    return 0;
  }
  if (strcmp(mode, "pipeline") == 0) return pipeline(argc > 2 ? strtoul(argv[2], 0, 10) : 0);
  if (strcmp(mode, "spawn-bench") == 0) {
    // The spawn benchmark: N times, spawn `status 0` and wait for it, between a "go" and a "done" line.
    int n = argc > 2 ? atoi(argv[2]) : 1;
    printf("go\n");
    for (int i = 0; i < n; i++) {
      option_pid which = {1, 0};
      join_status st = {0};
      if (spawn("status", "status\n0", 0, 0, &which.pid) != 0 || wasix_proc_join(&which, 0, &st) != 0 || st.tag != 1 || st.code != 0) return 1;
    }
    printf("done\n");
    return 0;
  }
  if (strcmp(mode, "pipe-bench") == 0) {
    // The pipe benchmark: `bytes out N | bytes in`, two processes on one fd_pipe, between "go" and "done";
    // `pipe-bench N R` does it R times, printing "round" after each but the last (a round after the first
    // finds the workers the first one left idle, as a shell's next pipeline does).
    int rounds = argc > 3 ? atoi(argv[3]) : 1;
    char args[64];
    snprintf(args, sizeof args, "bytes\nout\n%s", argc > 2 ? argv[2] : "0");
    printf("go\n");
    for (int i = 0; i < rounds; i++) {
      uint32_t r, w, out_pid, in_pid;
      if (wasix_fd_pipe(&r, &w)) return 1;
      spawn_fd_op out_ops[] = {dup2_op(w, 1), close_op(r), close_op(w)};
      spawn_fd_op in_ops[] = {dup2_op(r, 0), close_op(r), close_op(w)};
      if (spawn("bytes", args, out_ops, 3, &out_pid) || spawn("bytes", "bytes\nin", in_ops, 3, &in_pid)) return 2;
      close(r);
      close(w);
      join(out_pid, 0);
      join(in_pid, 0);
      if (i + 1 < rounds) printf("round\n");
    }
    printf("done\n");
    return 0;
  }
  fprintf(stderr, "unknown mode %s\n", mode);
  return 2;
}

// The WASIX process calls our test programs make, declared as wasix-libc declares them
// (wasix_32v1, the WITX's core signatures), since Debian's wasi-libc has no WASIX headers.
#ifndef WASIX_H
#define WASIX_H
#include <stddef.h>
#include <stdint.h>

#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

typedef struct {
  uint8_t cmd; // 0 close, 1 dup2, 2 open, 3 chdir, 4 fchdir
  uint32_t fd;
  uint32_t src_fd;
  const char *path;
  uint32_t path_len;
  uint32_t dirflags;
  uint16_t oflags;
  uint64_t rights_base;
  uint64_t rights_inheriting;
  uint16_t fdflags;
  uint16_t fdflagsext;
} __attribute__((aligned(8))) spawn_fd_op;

typedef struct {
  uint8_t tag; // 0 none, 1 some
  uint32_t pid;
} option_pid;

typedef struct {
  uint8_t tag; // 0 nothing, 1 exit_normal, 2 exit_signal
  uint16_t code;
  uint8_t signal;
} join_status;

typedef struct {
  uint8_t sig;
  uint8_t disp; // 0 default, 1 ignore
} signal_disposition;

WASIX(proc_spawn2)
int32_t wasix_proc_spawn2(const char *name, size_t name_len, const char *args, size_t args_len, const char *envs, size_t envs_len, const spawn_fd_op *ops, size_t ops_len,
                          const signal_disposition *sigs, size_t sigs_len, uint8_t search_path, const char *path, size_t path_len, uint32_t *pid);
WASIX(proc_join) int32_t wasix_proc_join(option_pid *pid, uint32_t flags, join_status *status);
WASIX(proc_signal) int32_t wasix_proc_signal(uint32_t pid, uint8_t sig);
WASIX(proc_id) int32_t wasix_proc_id(uint32_t *pid);
WASIX(proc_parent) int32_t wasix_proc_parent(uint32_t pid, uint32_t *parent);
WASIX(fd_pipe) int32_t wasix_fd_pipe(uint32_t *a, uint32_t *b);
WASIX(fd_fdflags_set) int32_t wasix_fd_fdflags_set(uint32_t fd, uint16_t flags);
WASIX(proc_exec3)
int32_t wasix_proc_exec3(const char *name, size_t name_len, const char *args, size_t args_len, const char *envs, size_t envs_len, uint8_t search_path, const char *path,
                         size_t path_len);
WASIX(proc_fork) int32_t wasix_proc_fork(uint32_t copy_memory, uint32_t *pid);
WASIX(callback_signal) void wasix_callback_signal(const char *name, size_t len);
WASIX(fd_dup) int32_t wasix_fd_dup(uint32_t fd, uint32_t *out);
WASIX(fd_dup2) int32_t wasix_fd_dup2(uint32_t fd, uint32_t min_fd, uint8_t cloexec, uint32_t *out);
WASIX(chdir) int32_t wasix_chdir(const char *path, size_t len);
WASIX(getcwd) int32_t wasix_getcwd(char *path, size_t *len);

// Spawning: proc_spawn2 with no environment, signal dispositions or PATH search, and its file actions.
#include <string.h>
static inline int32_t spawn(const char *name, const char *args, const spawn_fd_op *ops, size_t n, uint32_t *pid) {
  return wasix_proc_spawn2(name, strlen(name), args, strlen(args), "", 0, ops, n, 0, 0, 0, "", 0, pid);
}
static inline spawn_fd_op dup2_op(uint32_t from, uint32_t to) {
  spawn_fd_op op = {0};
  op.cmd = 1;
  op.src_fd = from;
  op.fd = to;
  return op;
}
static inline spawn_fd_op close_op(uint32_t fd) {
  spawn_fd_op op = {0};
  op.cmd = 0;
  op.fd = fd;
  return op;
}

#endif

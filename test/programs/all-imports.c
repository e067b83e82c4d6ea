/*
 * Links every function declared in wasi-libc's <wasi/api.h>, so that the
 * module imports all of them from wasi_snapshot_preview1 (wasi-libc's
 * wrappers call the raw imports). It calls none of them: it prints
 * "all-imports: 45 functions" and exits 0.
 *
 * Its import section is ground truth, produced by clang from the header, for
 * the core wasm signature of each preview1 import; test/layout uses it to
 * check the header parser's derived signatures. (proc_raise is not in this
 * wasi-libc's header, so it is not imported.)
 */
#include <stdint.h>
#include <stdio.h>
#include <wasi/api.h>

static const uintptr_t functions[] = {
    (uintptr_t)&__wasi_args_get,
    (uintptr_t)&__wasi_args_sizes_get,
    (uintptr_t)&__wasi_environ_get,
    (uintptr_t)&__wasi_environ_sizes_get,
    (uintptr_t)&__wasi_clock_res_get,
    (uintptr_t)&__wasi_clock_time_get,
    (uintptr_t)&__wasi_fd_advise,
    (uintptr_t)&__wasi_fd_allocate,
    (uintptr_t)&__wasi_fd_close,
    (uintptr_t)&__wasi_fd_datasync,
    (uintptr_t)&__wasi_fd_fdstat_get,
    (uintptr_t)&__wasi_fd_fdstat_set_flags,
    (uintptr_t)&__wasi_fd_fdstat_set_rights,
    (uintptr_t)&__wasi_fd_filestat_get,
    (uintptr_t)&__wasi_fd_filestat_set_size,
    (uintptr_t)&__wasi_fd_filestat_set_times,
    (uintptr_t)&__wasi_fd_pread,
    (uintptr_t)&__wasi_fd_prestat_get,
    (uintptr_t)&__wasi_fd_prestat_dir_name,
    (uintptr_t)&__wasi_fd_pwrite,
    (uintptr_t)&__wasi_fd_read,
    (uintptr_t)&__wasi_fd_readdir,
    (uintptr_t)&__wasi_fd_renumber,
    (uintptr_t)&__wasi_fd_seek,
    (uintptr_t)&__wasi_fd_sync,
    (uintptr_t)&__wasi_fd_tell,
    (uintptr_t)&__wasi_fd_write,
    (uintptr_t)&__wasi_path_create_directory,
    (uintptr_t)&__wasi_path_filestat_get,
    (uintptr_t)&__wasi_path_filestat_set_times,
    (uintptr_t)&__wasi_path_link,
    (uintptr_t)&__wasi_path_open,
    (uintptr_t)&__wasi_path_readlink,
    (uintptr_t)&__wasi_path_remove_directory,
    (uintptr_t)&__wasi_path_rename,
    (uintptr_t)&__wasi_path_symlink,
    (uintptr_t)&__wasi_path_unlink_file,
    (uintptr_t)&__wasi_poll_oneoff,
    (uintptr_t)&__wasi_proc_exit,
    (uintptr_t)&__wasi_sched_yield,
    (uintptr_t)&__wasi_random_get,
    (uintptr_t)&__wasi_sock_accept,
    (uintptr_t)&__wasi_sock_recv,
    (uintptr_t)&__wasi_sock_send,
    (uintptr_t)&__wasi_sock_shutdown,
};

int main(void) {
  /* The volatile round-trip keeps every address (and so every wrapper and
     its import) alive through the optimiser and the linker's --gc-sections. */
  size_t linked = 0;
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    volatile uintptr_t address = functions[i];
    if (address != 0) linked++;
  }
  printf("all-imports: %zu functions\n", linked);
  return 0;
}

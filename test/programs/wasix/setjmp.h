// setjmp/longjmp written over WASIX's stack_checkpoint/stack_restore, as wasix-libc writes them
// (Debian's wasi-libc has neither). The program must go through Binaryen's asyncify pass and export
// __stack_pointer: the build script does both for every source marked "build: asyncify".
#pragma once
#include <stdint.h>

/** WASIX's `stack_snapshot` record: opaque, filled by the host. */
typedef struct {
  uint64_t user;
  uint64_t hash[2];
} wasix_jmp_buf[1];

__attribute__((import_module("wasix_32v1"), import_name("stack_checkpoint"))) uint16_t wasix_stack_checkpoint(void *snapshot, uint64_t *ret);
__attribute__((import_module("wasix_32v1"), import_name("stack_restore"), noreturn)) void wasix_stack_restore(const void *snapshot, uint64_t val);

/** 0 when called, the value given to wasix_longjmp when jumped to; -errno when the host refuses. */
__attribute__((noinline, returns_twice)) static int wasix_setjmp(wasix_jmp_buf env) {
  uint64_t ret = 0;
  uint16_t err = wasix_stack_checkpoint(env, &ret);
  return err ? -(int)err : (int)ret;
}

__attribute__((noreturn)) static void wasix_longjmp(wasix_jmp_buf env, int val) {
  wasix_stack_restore(env, (uint64_t)(unsigned)val);
}

/*
 * Executes the wasm `unreachable` instruction. The host should surface a
 * WebAssembly.RuntimeError (not an exit code). Prints "before trap" first
 * (flushed) so tests can see that stdout written before the trap is kept.
 */
#include <stdio.h>

int main(void) {
  printf("before trap\n");
  fflush(stdout);
  __builtin_trap();
}

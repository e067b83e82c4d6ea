/* Prints a fixed greeting and exits 0. The smallest end-to-end smoke test. */
#include <stdio.h>

int main(void) {
  printf("hello, world\n");
  return 0;
}

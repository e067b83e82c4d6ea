/*
 * Writes "no newline at end" (no trailing newline) to stdout and "err" (also
 * no newline) to stderr, then exits 0. Checks that the host flushes
 * partial lines and keeps the two streams apart.
 */
#include <unistd.h>

int main(void) {
  static const char out[] = "no newline at end";
  static const char err[] = "err";
  if (write(1, out, sizeof out - 1) != (ssize_t)(sizeof out - 1)) return 1;
  if (write(2, err, sizeof err - 1) != (ssize_t)(sizeof err - 1)) return 1;
  return 0;
}

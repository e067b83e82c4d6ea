/*
 * An interactive stdin loop: reads stdin with read(2) as bytes arrive and,
 * for every complete line, writes "> <line>\n" to stdout at once (write(2),
 * no buffering). At end of input prints "bye after N lines" and exits 0.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  char line[1024];
  size_t len = 0;
  int lines = 0;
  char buf[256];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      perror("read");
      return 1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] != '\n' && len < sizeof line - 3) {
        line[len++] = buf[i];
        continue;
      }
      char out[1030] = "> ";
      memcpy(out + 2, line, len);
      out[len + 2] = '\n';
      if (write(1, out, len + 3) != (ssize_t)(len + 3)) return 1;
      len = 0;
      lines++;
    }
  }
  char bye[64];
  int m = snprintf(bye, sizeof bye, "bye after %d lines\n", lines);
  return write(1, bye, (size_t)m) == m ? 0 : 1;
}

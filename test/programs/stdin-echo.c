/*
 * Copies stdin (fd 0) to stdout (fd 1) byte-for-byte with a plain read/write
 * loop (no stdio buffering), then prints "bytes=N" to stderr, where N is the
 * number of bytes copied. Exits 0, or 1 with a perror message on error.
 */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char buf[4096];
  long long total = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      perror("read");
      return 1;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, (size_t)(n - off));
      if (w < 0) {
        perror("write");
        return 1;
      }
      off += w;
    }
    total += n;
  }
  fprintf(stderr, "bytes=%lld\n", total);
  return 0;
}

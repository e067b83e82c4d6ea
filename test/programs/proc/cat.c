// cat: stdin to stdout, byte for byte.
#include <unistd.h>

int main(void) {
  static char buf[65536];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) return 1;
    if (n == 0) return 0;
    for (ssize_t at = 0; at < n;) {
      ssize_t w = write(1, buf + at, n - at);
      if (w <= 0) return 1;
      at += w;
    }
  }
}

// gen N: N bytes of a fixed pseudo-random sequence (xorshift32 from 1, low byte), for pipelines.
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  static unsigned char buf[65536];
  unsigned long left = argc > 1 ? strtoul(argv[1], 0, 10) : 0;
  unsigned int x = 1;
  while (left > 0) {
    size_t n = left < sizeof buf ? left : sizeof buf;
    for (size_t i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      buf[i] = (unsigned char)x;
    }
    for (size_t at = 0; at < n;) {
      ssize_t w = write(1, buf + at, n - at);
      if (w <= 0) return 1;
      at += w;
    }
    left -= n;
  }
  return 0;
}

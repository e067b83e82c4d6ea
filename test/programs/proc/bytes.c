// bytes out N: N bytes (all 'x') to stdout in 64 KiB writes. bytes in: reads stdin to its end in
// 64 KiB reads and prints how many bytes came. The two ends of the pipe benchmark: no work per byte.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "out") == 0) {
    memset(buf, 'x', sizeof buf);
    unsigned long long left = strtoull(argv[2], 0, 10);
    while (left > 0) {
      size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
      ssize_t w = write(1, buf, n);
      if (w <= 0) return 1;
      left -= (unsigned long long)w;
    }
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "in") == 0) {
    unsigned long long total = 0;
    for (ssize_t n; (n = read(0, buf, sizeof buf)) != 0; total += (unsigned long long)n)
      if (n < 0) return 1;
    printf("%llu\n", total);
    return 0;
  }
  fprintf(stderr, "usage: bytes out N | bytes in\n");
  return 2;
}

/* read-small path [bytes] [chunk]: reads the first `bytes` of the file once in
 * 1 MiB reads, then again in `chunk`-byte fd_read calls (what a byte-at-a-time
 * parser without its own buffer does), and checks that both agree. */
#include <fcntl.h>
#include <unistd.h>
#include "bench.h"

static uint32_t sum_of(const unsigned char *p, ssize_t n, uint32_t s) {
  for (ssize_t i = 0; i < n; i++) s = s * 31 + p[i];
  return s;
}

int main(int argc, char **argv) {
  if (argc < 2) FAIL("usage: read-small path [bytes] [chunk]");
  long long bytes = ARG(2, 16 << 20), chunk = ARG(3, 16), reads = 0, got = 0;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) FAIL("open %s", argv[1]);
  unsigned char *big = malloc(1 << 20), small[256];
  if (chunk < 1 || chunk > (long long)sizeof small) FAIL("chunk must be 1..%d", (int)sizeof small);
  uint32_t want = 0, sum = 0;
  for (long long at = 0; at < bytes;) {
    ssize_t r = read(fd, big, bytes - at < (1 << 20) ? bytes - at : (1 << 20));
    if (r <= 0) FAIL("file shorter than %lld bytes", bytes);
    want = sum_of(big, r, want);
    at += r;
  }
  if (lseek(fd, 0, SEEK_SET) != 0) FAIL("lseek");
  while (got < bytes) {
    ssize_t r = read(fd, small, bytes - got < chunk ? bytes - got : chunk);
    if (r <= 0) FAIL("read %lld at %lld", (long long)r, got);
    sum = sum_of(small, r, sum);
    got += r;
    reads++;
  }
  close(fd);
  if (sum != want) FAIL("small reads differ from big reads");
  fprintf(stderr, "ok bytes=%lld reads=%lld\n", got, reads);
  return 0;
}

/*
 * Randomness sanity checks:
 *   - fills 100000 bytes with getentropy() (wasi-libc caps one call at 256
 *     bytes, so it is called in 256-byte chunks) and checks the buffer is not
 *     all zero, its last 64 bytes are not all zero, and every byte value 0..255
 *     occurs (failure odds for real randomness are ~256 * e^-390);
 *   - fills 100000 bytes with one raw __wasi_random_get() call (a large
 *     single request to the host) and checks the same;
 *   - checks two 64-byte draws differ.
 * Prints "random ok" and exits 0; otherwise explains on stderr and exits 1.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#define BIG 100000

static unsigned char big[BIG];

static int looks_random(const unsigned char *buf, size_t len, const char *what) {
  int seen[256] = {0};
  size_t nonzero = 0, tail_nonzero = 0;
  for (size_t i = 0; i < len; i++) {
    seen[buf[i]] = 1;
    if (buf[i] != 0) {
      nonzero++;
      if (i >= len - 64) tail_nonzero++;
    }
  }
  if (nonzero == 0) {
    fprintf(stderr, "%s: all zero\n", what);
    return 0;
  }
  if (tail_nonzero == 0) {
    fprintf(stderr, "%s: last 64 bytes are zero\n", what);
    return 0;
  }
  for (int v = 0; v < 256; v++) {
    if (!seen[v]) {
      fprintf(stderr, "%s: byte value %d never occurs\n", what, v);
      return 0;
    }
  }
  return 1;
}

int main(void) {
  memset(big, 0, sizeof big);
  for (size_t off = 0; off < BIG; off += 256) {
    size_t n = BIG - off < 256 ? BIG - off : 256;
    if (getentropy(big + off, n) != 0) {
      perror("getentropy");
      return 1;
    }
  }
  if (!looks_random(big, BIG, "getentropy")) return 1;

  memset(big, 0, sizeof big);
  __wasi_errno_t err = __wasi_random_get(big, BIG);
  if (err != __WASI_ERRNO_SUCCESS) {
    fprintf(stderr, "random_get: wasi errno %d\n", err);
    return 1;
  }
  if (!looks_random(big, BIG, "random_get")) return 1;

  unsigned char a[64], b[64];
  if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) {
    perror("getentropy");
    return 1;
  }
  if (memcmp(a, b, sizeof a) == 0) {
    fprintf(stderr, "two 64-byte draws are equal\n");
    return 1;
  }

  printf("random ok\n");
  return 0;
}

// cat [FILE...]: each FILE (or stdin without any; `-` is stdin too) to stdout, byte for byte. A file
// that cannot be read: `cat: FILE: <strerror>` on stderr, the others still copied, exit 1.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int copy(int fd) {
  static char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) return -1;
    if (n == 0) return 0;
    for (ssize_t at = 0; at < n;) {
      ssize_t w = write(1, buf + at, n - at);
      if (w <= 0) return -1;
      at += w;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return copy(0) ? 1 : 0;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
    if (fd < 0 || copy(fd) != 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
    if (fd > 0) close(fd);
  }
  return status;
}

// status CODE: exits with CODE. status wait: blocks reading stdin until its end, then exits 0.
// status fds: prints which of fds 3..9 are open (fd_fdstat_get succeeds), then exits 0.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "wait") == 0) {
    char c;
    while (read(0, &c, 1) > 0) {
    }
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "fds") == 0) {
    printf("open:");
    for (int fd = 3; fd < 10; fd++) {
      __wasi_fdstat_t st;
      if (__wasi_fd_fdstat_get(fd, &st) == 0) printf(" %d", fd);
    }
    printf("\n");
    return 0;
  }
  return argc > 1 ? atoi(argv[1]) : 0;
}

/*
 * Reports what the host says about the standard streams and a preopen:
 * for fds 0, 1, 2, 3 and a fresh open() of argv[1] (default "/sandbox")
 * prints "fd N: type=<type> access=<rdonly|wronly|rdwr|none>[ append][ nonblock]"
 * from fstat() and fcntl(F_GETFL), or "fd N: <strerror>" when it fails.
 * Then lists the preopens (fd_prestat_get from fd 3 upwards) as
 * "preopen N: <name>". Exits 0.
 *
 * The stdio types depend on how the host was started (tty, pipe, file),
 * so tests must set up stdio deterministically before comparing output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *type_name(mode_t m) {
  if (S_ISREG(m)) return "regular";
  if (S_ISDIR(m)) return "directory";
  if (S_ISCHR(m)) return "character-device";
  if (S_ISBLK(m)) return "block-device";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "socket";
  if (S_ISLNK(m)) return "symlink";
  return "unknown";
}

static void report(const char *label, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    printf("%s: %s\n", label, strerror(errno));
    return;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) {
    printf("%s: type=%s fcntl: %s\n", label, type_name(st.st_mode), strerror(errno));
    return;
  }
  const char *access;
  switch (fl & O_ACCMODE) {
    case O_RDONLY: access = "rdonly"; break;
    case O_WRONLY: access = "wronly"; break;
    case O_RDWR: access = "rdwr"; break;
    default: access = "none"; break;
  }
  printf("%s: type=%s access=%s%s%s\n", label, type_name(st.st_mode), access,
         (fl & O_APPEND) ? " append" : "", (fl & O_NONBLOCK) ? " nonblock" : "");
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/sandbox";
  char label[32];
  for (int fd = 0; fd <= 3; fd++) {
    snprintf(label, sizeof label, "fd %d", fd);
    report(label, fd);
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    printf("open %s: %s\n", dir, strerror(errno));
  } else {
    report("opened dir", fd);
    close(fd);
  }

  for (int pfd = 3;; pfd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(pfd, &ps) != __WASI_ERRNO_SUCCESS) break;
    if (ps.tag != __WASI_PREOPENTYPE_DIR) continue;
    char name[256];
    size_t len = ps.u.dir.pr_name_len;
    if (len >= sizeof name) len = sizeof name - 1;
    if (__wasi_fd_prestat_dir_name(pfd, (uint8_t *)name, len) != __WASI_ERRNO_SUCCESS) break;
    name[len] = '\0';
    printf("preopen %d: %s\n", pfd, name);
  }
  return 0;
}

// The root filesystem seen from an ordinary wasi-libc program run with the `root` option: `/` is a
// preopen of its own with /work, /data and /tmp in it. cd /, ls /, pwd, absolute paths across mounts,
// `..` at a mount point through a directory fd of `/`, a host symlink out of /work, a rename between
// mounts (EXDEV). Prints one line per step; the test compares them.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void cat(const char *label, int dir, const char *path) {
  int fd = dir < 0 ? open(path, O_RDONLY) : openat(dir, path, O_RDONLY);
  if (fd < 0) {
    printf("%s: %s\n", label, strerror(errno));
    return;
  }
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = 0;
  printf("%s: %s\n", label, buf);
  close(fd);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void ls(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("ls %s: %s\n", path, strerror(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  printf("ls %s:", path);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
}

static void pwd(void) {
  char buf[256];
  printf("pwd: %s\n", getcwd(buf, sizeof buf) ? buf : strerror(errno));
}

int main(void) {
  if (chdir("/") != 0) printf("cd /: %s\n", strerror(errno));
  pwd();
  ls("/");
  ls(".");
  cat("/work/hello.txt", -1, "/work/hello.txt");
  cat("/data/d.txt", -1, "/data/d.txt");

  int fd = open("/tmp/made.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, "made in /tmp", 12) != 12) printf("write /tmp/made.txt: %s\n", strerror(errno));
  close(fd);
  cat("/tmp/made.txt", -1, "/tmp/made.txt");

  int root = open("/", O_RDONLY | O_DIRECTORY);
  cat("work/../etc/motd", root, "work/../etc/motd");
  cat("work/up/secret.txt (up -> ..)", root, "work/up/secret.txt");
  cat("work/abs (-> host path)", root, "work/abs");
  cat("..", root, "../etc/motd");
  cat("work/../../etc/motd", root, "work/../../etc/motd");
  close(root);

  printf("rename /work/hello.txt /tmp/hello.txt: %s\n", rename("/work/hello.txt", "/tmp/hello.txt") == 0 ? "ok" : strerror(errno));
  printf("link /data/d.txt /work/d.txt: %s\n", link("/data/d.txt", "/work/d.txt") == 0 ? "ok" : strerror(errno));

  if (chdir("/work") != 0) printf("cd /work: %s\n", strerror(errno));
  pwd();
  cat("hello.txt", -1, "hello.txt");
  return 0;
}

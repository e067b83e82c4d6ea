/*
 * Exercises the filesystem calls inside the directory given as argv[1]
 * (a preopen such as "/sandbox", which should start out empty).
 * Prints one "<step> ok" line per step and a final "files ok"; on the first
 * failure prints "<step>: <strerror>" (via perror) or "<step>: <detail>" to
 * stderr and exits 1. Leaves the directory empty again on success.
 *
 * Expected stdout on success:
 *   create ok / write ok / seek ok / read ok / pwrite ok / pread ok /
 *   append ok / ftruncate ok / fstat ok / mkdir ok / rename ok /
 *   readdir: a-dir b.txt c.txt / unlink ok / rmdir ok / symlink ok /
 *   readlink ok / link ok / nlink ok / cleanup ok / files ok
 * (one per line). readdir lists names sorted, without "." and "..", since
 * hosts differ on whether fd_readdir reports those two.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;

/* Joins dir and name into a static buffer (one of four, used round-robin). */
static const char *P(const char *name) {
  static char bufs[4][512];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

#define FAIL_ERRNO(step) \
  do {                   \
    perror(step);        \
    exit(1);             \
  } while (0)

#define FAIL(step, ...)                  \
  do {                                   \
    fprintf(stderr, "%s: ", step);       \
    fprintf(stderr, __VA_ARGS__);        \
    fprintf(stderr, "\n");               \
    exit(1);                             \
  } while (0)

#define OK(step) printf("%s ok\n", step)

static long long size_of_fd(int fd, const char *step) {
  struct stat st;
  if (fstat(fd, &st) != 0) FAIL_ERRNO(step);
  return (long long)st.st_size;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: files <dir>\n");
    return 2;
  }
  dir = argv[1];
  char buf[64];

  int fd = open(P("a.txt"), O_CREAT | O_EXCL | O_RDWR, 0644);
  if (fd < 0) FAIL_ERRNO("create");
  OK("create");

  if (write(fd, "hello world", 11) != 11) FAIL_ERRNO("write");
  OK("write");

  if (lseek(fd, 0, SEEK_CUR) != 11) FAIL("seek", "offset after write is not 11");
  if (lseek(fd, -5, SEEK_END) != 6) FAIL("seek", "SEEK_END-5 is not 6");
  if (lseek(fd, 0, SEEK_SET) != 0) FAIL_ERRNO("seek");
  OK("seek");

  memset(buf, 0, sizeof buf);
  if (read(fd, buf, sizeof buf) != 11) FAIL_ERRNO("read");
  if (memcmp(buf, "hello world", 11) != 0) FAIL("read", "got \"%s\"", buf);
  if (read(fd, buf, sizeof buf) != 0) FAIL("read", "no EOF after 11 bytes");
  OK("read");

  if (pwrite(fd, "W", 1, 6) != 1) FAIL_ERRNO("pwrite");
  if (lseek(fd, 0, SEEK_CUR) != 11) FAIL("pwrite", "pwrite moved the file offset");
  OK("pwrite");

  memset(buf, 0, sizeof buf);
  if (pread(fd, buf, 5, 6) != 5) FAIL_ERRNO("pread");
  if (memcmp(buf, "World", 5) != 0) FAIL("pread", "got \"%s\"", buf);
  if (lseek(fd, 0, SEEK_CUR) != 11) FAIL("pread", "pread moved the file offset");
  OK("pread");
  if (close(fd) != 0) FAIL_ERRNO("close");

  /* O_APPEND: writes go to the end even after seeking to 0. */
  fd = open(P("a.txt"), O_WRONLY | O_APPEND);
  if (fd < 0) FAIL_ERRNO("append");
  if (lseek(fd, 0, SEEK_SET) != 0) FAIL_ERRNO("append");
  if (write(fd, "!", 1) != 1) FAIL_ERRNO("append");
  if (close(fd) != 0) FAIL_ERRNO("append");
  fd = open(P("a.txt"), O_RDWR);
  if (fd < 0) FAIL_ERRNO("append");
  memset(buf, 0, sizeof buf);
  if (read(fd, buf, sizeof buf) != 12) FAIL("append", "size is not 12");
  if (memcmp(buf, "hello World!", 12) != 0) FAIL("append", "got \"%s\"", buf);
  OK("append");

  if (ftruncate(fd, 5) != 0) FAIL_ERRNO("ftruncate");
  if (size_of_fd(fd, "ftruncate") != 5) FAIL("ftruncate", "size is not 5");
  OK("ftruncate");

  if (ftruncate(fd, 100) != 0) FAIL_ERRNO("fstat");
  if (size_of_fd(fd, "fstat") != 100) FAIL("fstat", "size after growing is not 100");
  if (ftruncate(fd, 5) != 0) FAIL_ERRNO("fstat");
  struct stat st;
  if (fstat(fd, &st) != 0) FAIL_ERRNO("fstat");
  if (!S_ISREG(st.st_mode)) FAIL("fstat", "a.txt is not a regular file");
  if (st.st_size != 5) FAIL("fstat", "size is not 5");
  OK("fstat");
  if (close(fd) != 0) FAIL_ERRNO("close");

  if (mkdir(P("sub"), 0755) != 0) FAIL_ERRNO("mkdir");
  if (stat(P("sub"), &st) != 0) FAIL_ERRNO("mkdir");
  if (!S_ISDIR(st.st_mode)) FAIL("mkdir", "sub is not a directory");
  OK("mkdir");

  if (rename(P("a.txt"), P("sub/b.txt")) != 0) FAIL_ERRNO("rename");
  if (stat(P("a.txt"), &st) == 0 || errno != ENOENT) FAIL("rename", "a.txt still there");
  if (stat(P("sub/b.txt"), &st) != 0 || st.st_size != 5) FAIL("rename", "sub/b.txt missing");
  OK("rename");

  fd = open(P("sub/c.txt"), O_CREAT | O_WRONLY, 0644);
  if (fd < 0 || close(fd) != 0) FAIL_ERRNO("readdir");
  if (mkdir(P("sub/a-dir"), 0755) != 0) FAIL_ERRNO("readdir");
  DIR *d = opendir(P("sub"));
  if (d == NULL) FAIL_ERRNO("readdir");
  char *names[16];
  int count = 0;
  struct dirent *ent;
  errno = 0;
  while ((ent = readdir(d)) != NULL) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
    if (count == 16) FAIL("readdir", "too many entries");
    names[count++] = strdup(ent->d_name);
  }
  if (errno != 0) FAIL_ERRNO("readdir");
  closedir(d);
  qsort(names, (size_t)count, sizeof names[0], cmp_str);
  printf("readdir:");
  for (int i = 0; i < count; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");

  if (unlink(P("sub/c.txt")) != 0) FAIL_ERRNO("unlink");
  if (stat(P("sub/c.txt"), &st) == 0 || errno != ENOENT) FAIL("unlink", "c.txt still there");
  OK("unlink");

  if (rmdir(P("sub")) == 0) FAIL("rmdir", "removed a non-empty directory");
  if (rmdir(P("sub/a-dir")) != 0) FAIL_ERRNO("rmdir");
  if (stat(P("sub/a-dir"), &st) == 0 || errno != ENOENT) FAIL("rmdir", "a-dir still there");
  OK("rmdir");

  if (symlink("b.txt", P("sub/link")) != 0) FAIL_ERRNO("symlink");
  if (lstat(P("sub/link"), &st) != 0) FAIL_ERRNO("symlink");
  if (!S_ISLNK(st.st_mode)) FAIL("symlink", "lstat does not report a symlink");
  if (stat(P("sub/link"), &st) != 0) FAIL_ERRNO("symlink");
  if (!S_ISREG(st.st_mode) || st.st_size != 5) FAIL("symlink", "stat does not follow the link");
  OK("symlink");

  memset(buf, 0, sizeof buf);
  ssize_t n = readlink(P("sub/link"), buf, sizeof buf - 1);
  if (n < 0) FAIL_ERRNO("readlink");
  if (n != 5 || memcmp(buf, "b.txt", 5) != 0) FAIL("readlink", "got \"%s\"", buf);
  OK("readlink");

  if (link(P("sub/b.txt"), P("sub/hard")) != 0) FAIL_ERRNO("link");
  fd = open(P("sub/hard"), O_RDONLY);
  if (fd < 0) FAIL_ERRNO("link");
  memset(buf, 0, sizeof buf);
  if (read(fd, buf, sizeof buf) != 5 || memcmp(buf, "hello", 5) != 0) FAIL("link", "content differs");
  close(fd);
  OK("link");

  if (stat(P("sub/b.txt"), &st) != 0) FAIL_ERRNO("nlink");
  if (st.st_nlink != 2) FAIL("nlink", "nlink is %llu, not 2", (unsigned long long)st.st_nlink);
  OK("nlink");

  if (unlink(P("sub/hard")) != 0 || unlink(P("sub/link")) != 0 || unlink(P("sub/b.txt")) != 0 ||
      rmdir(P("sub")) != 0)
    FAIL_ERRNO("cleanup");
  OK("cleanup");

  printf("files ok\n");
  return 0;
}

// file-io <command> ...: file I/O on the directory preopened as fd 3, for the asynchronous filesystem
// (DirectoryHandleFileSystem over OPFS) in Chromium. Threaded (an imported shared memory) because
// only a guest waiting in a worker can use a filesystem that answers asynchronously.
//   write <name> <bytes> <seed>   creates/truncates <name>, writes pattern(seed) in 1 MiB calls
//   check <name> <bytes> <seed>   reads <name> back in 1 MiB calls; exits 1 unless it is exactly that
//   big <name> <MiB>              one fd_write of <MiB> MiB (every iovec the same 1 MiB of 'B'), then closes
//   touch <count>                 creates f0 .. f<count-1>, empty
//   stat <count>                  path_filestat_get of f0 .. f<count-1>; exits 1 unless each is a file
// Prints "<command> ok <n>" on success; exits 1 (after a line saying why) on a failed call.
#include "threads.h"

struct iovec {
  void *buf;
  size_t len;
};

IMPORT(WASI_MODULE, "path_open")
uint16_t wasi_path_open(int fd, uint32_t dirflags, const char *path, size_t len, uint32_t oflags, uint64_t base, uint64_t inheriting, uint32_t fdflags, int *opened);
IMPORT(WASI_MODULE, "fd_read") uint16_t wasi_fd_read(int fd, const struct iovec *iovs, size_t n, size_t *nread);
IMPORT(WASI_MODULE, "fd_close") uint16_t wasi_fd_close(int fd);
IMPORT(WASI_MODULE, "path_filestat_get") uint16_t wasi_path_filestat_get(int fd, uint32_t flags, const char *path, size_t len, uint8_t *stat);

#define MIB (1 << 20)
#define O_CREAT 1
#define O_TRUNC 8
#define ALL_RIGHTS 0x1fffffffull
/* fd_read | fd_seek | fd_tell: what `check` asks for, so it works on a read-only filesystem. */
#define READ_RIGHTS 0x26ull
#define MAX_IOVS 128

static uint8_t buf[MIB];
static struct ciovec iovs[MAX_IOVS];

void thread_main(int tid, struct start *s) {
  (void)tid;
  (void)s;
}

static int equal(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static void fail(const char *what, uint16_t errno) {
  char n[24];
  write_all(1, what, length(what));
  write_all(1, " failed: errno ", 15);
  char *d = digits(errno, n + sizeof n);
  write_all(1, d, length(d));
  write_all(1, "\n", 1);
  wasi_proc_exit(1);
}

static void done(const char *command, uint64_t n) {
  char b[24];
  write_all(1, command, length(command));
  write_all(1, " ok ", 4);
  char *d = digits(n, b + sizeof b);
  write_all(1, d, length(d));
  write_all(1, "\n", 1);
}

/** The byte at `offset` of pattern `seed`: varies within and across 256-byte blocks. */
static uint8_t pattern(uint64_t offset, uint64_t seed) {
  return (uint8_t)((offset * 31) ^ (offset >> 8) ^ (offset >> 16) ^ seed);
}

static int open_file(const char *name, uint32_t oflags, uint64_t rights) {
  int fd = -1;
  uint16_t e = wasi_path_open(3, 1, name, length(name), oflags, rights, 0, 0, &fd);
  if (e) fail("path_open", e);
  return fd;
}

static char name_buf[24];
static const char *numbered(uint64_t i) {
  char tmp[24];
  char *d = digits(i, tmp + sizeof tmp);
  name_buf[0] = 'f';
  size_t k = 1;
  while (*d) name_buf[k++] = *d++;
  name_buf[k] = 0;
  return name_buf;
}

EXPORT("_start") void start(void) {
  arg_number(8, 0); // loads arg_ptrs
  const char *command = arg_ptrs[1];
  if (!command) wasi_proc_exit(64);
  if (equal(command, "write") || equal(command, "check")) {
    const char *name = arg_ptrs[2];
    uint64_t bytes = arg_number(3, 0), seed = arg_number(4, 0);
    int writing = equal(command, "write");
    int fd = open_file(name, writing ? O_CREAT | O_TRUNC : 0, writing ? ALL_RIGHTS : READ_RIGHTS);
    for (uint64_t at = 0; at < bytes || !writing;) {
      size_t n = bytes - at < MIB ? (size_t)(bytes - at) : MIB;
      if (writing) {
        for (size_t i = 0; i < n; i++) buf[i] = pattern(at + i, seed);
        struct ciovec iov = {buf, n};
        size_t put = 0;
        uint16_t e = wasi_fd_write(fd, &iov, 1, &put);
        if (e) fail("fd_write", e);
        if (put != n) fail("fd_write (short)", 0);
        at += n;
      } else {
        struct iovec iov = {buf, MIB};
        size_t got = 0;
        uint16_t e = wasi_fd_read(fd, &iov, 1, &got);
        if (e) fail("fd_read", e);
        if (got == 0) break;
        for (size_t i = 0; i < got; i++)
          if (at + i >= bytes || buf[i] != pattern(at + i, seed)) fail("check (content)", 0);
        at += got;
        if (at == bytes && got < MIB) break;
      }
      if (!writing && at > bytes) fail("check (length)", 0);
      if (writing && at >= bytes) break;
      if (!writing && at == bytes) {
        // One more read must give end of file.
        struct iovec iov = {buf, 1};
        size_t got = 1;
        uint16_t e = wasi_fd_read(fd, &iov, 1, &got);
        if (e) fail("fd_read", e);
        if (got != 0) fail("check (longer than expected)", 0);
        break;
      }
    }
    uint16_t e = wasi_fd_close(fd);
    if (e) fail("fd_close", e);
    done(command, bytes);
  } else if (equal(command, "big")) {
    const char *name = arg_ptrs[2];
    uint64_t mib = arg_number(3, 0);
    if (mib > MAX_IOVS) wasi_proc_exit(64);
    for (size_t i = 0; i < MIB; i++) buf[i] = 'B';
    for (uint64_t i = 0; i < mib; i++) iovs[i] = (struct ciovec){buf, MIB};
    int fd = open_file(name, O_CREAT | O_TRUNC, ALL_RIGHTS);
    write_all(1, "writing\n", 8);
    size_t put = 0;
    uint16_t e = wasi_fd_write(fd, iovs, (size_t)mib, &put);
    if (e) fail("fd_write", e);
    e = wasi_fd_close(fd);
    if (e) fail("fd_close", e);
    done(command, put);
  } else if (equal(command, "touch") || equal(command, "stat")) {
    uint64_t count = arg_number(2, 0);
    int touching = equal(command, "touch");
    for (uint64_t i = 0; i < count; i++) {
      const char *name = numbered(i);
      if (touching) {
        uint16_t e = wasi_fd_close(open_file(name, O_CREAT, ALL_RIGHTS));
        if (e) fail("fd_close", e);
      } else {
        uint8_t st[64];
        uint16_t e = wasi_path_filestat_get(3, 1, name, length(name), st);
        if (e) fail("path_filestat_get", e);
        if (st[16] != 4) fail("stat (not a regular file)", st[16]);
      }
    }
    done(command, count);
  } else {
    wasi_proc_exit(64);
  }
}

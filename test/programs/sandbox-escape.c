/*
 * Tries to reach files outside the preopened directory given as argv[1]
 * (e.g. "/sandbox"). For every attempt prints "<attempt>: <strerror(errno)>";
 * if an attempt succeeds it prints "<attempt>: ESCAPED" instead, and the
 * program exits 1. Exits 0 when every attempt was refused.
 *
 * For an escape to be detectable, run it with the preopen mapped to
 * <root>/sandbox and put <root>/secret.txt next to it (and <root>/../x
 * may exist too): a host that resolved ".." outside the preopen would find
 * them.
 *
 * The symlinks (up2, up1, abs, hop1, hop2, parent) are created by the program
 * if the host allows it and removed again at the end. Some hosts (node:wasi)
 * refuse to create symlinks whose target leaves the sandbox; then the line is
 * "symlink <name> -> <target>: <strerror>". To still test following such
 * links, plant them from the host side before the run: a link that already
 * exists is used as-is (whatever its target) and left in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;
static int escaped;

static const char *P(const char *name) {
  static char bufs[2][512];
  static int next;
  char *b = bufs[next++ % 2];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

/* Opens `path` with `flags` and reports the outcome under `label`. */
static void attempt(const char *label, const char *path, int flags) {
  errno = 0;
  int fd = open(path, flags);
  if (fd >= 0) {
    printf("%s: ESCAPED\n", label);
    escaped = 1;
    close(fd);
  } else {
    printf("%s: %s\n", label, strerror(errno));
  }
}

/*
 * Creates a symlink in the sandbox, reporting (but tolerating) refusals.
 * Returns 0 if there is no link, 1 if it already existed, 2 if created here.
 */
static int make_link(const char *target, const char *name) {
  struct stat st;
  /* Checked first: node:wasi validates the target before noticing EEXIST. */
  if (lstat(P(name), &st) == 0) return 1;
  if (symlink(target, P(name)) == 0) return 2;
  printf("symlink %s -> %s: %s\n", name, target, strerror(errno));
  return 0;
}

/* Removes a link that make_link() created (result 2). */
static void drop_link(int made, const char *name) {
  if (made == 2) unlink(P(name));
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: sandbox-escape <dir>\n");
    return 2;
  }
  dir = argv[1];

  attempt("open ../secret.txt", P("../secret.txt"), O_RDONLY);
  attempt("open sub/../../secret.txt", P("nonexistent/../../secret.txt"), O_RDONLY);
  attempt("open ..", P(".."), O_RDONLY | O_DIRECTORY);
  attempt("open /etc/passwd", "/etc/passwd", O_RDONLY);
  attempt("create ../created.txt", P("../created.txt"), O_WRONLY | O_CREAT);

  int made = make_link("../../x", "up2");
  if (made) attempt("follow up2 -> ../../x", P("up2"), O_RDONLY);
  drop_link(made, "up2");

  made = make_link("../secret.txt", "up1");
  if (made) attempt("follow up1 -> ../secret.txt", P("up1"), O_RDONLY);
  drop_link(made, "up1");

  made = make_link("/etc/passwd", "abs");
  if (made) attempt("follow abs -> /etc/passwd", P("abs"), O_RDONLY);
  drop_link(made, "abs");

  /* A chain: hop1 -> hop2 -> ../secret.txt. */
  int made1 = make_link("hop2", "hop1");
  int made2 = make_link("../secret.txt", "hop2");
  if (made1 && made2) attempt("follow hop1 -> hop2 -> ../secret.txt", P("hop1"), O_RDONLY);
  drop_link(made2, "hop2");
  drop_link(made1, "hop1");

  /* A directory symlink pointing at the parent, then a path through it. */
  made = make_link("..", "parent");
  if (made) attempt("open parent/secret.txt (parent -> ..)", P("parent/secret.txt"), O_RDONLY);
  drop_link(made, "parent");

  printf(escaped ? "sandbox escaped\n" : "sandbox held\n");
  return escaped ? 1 : 0;
}

/*
 * A tiny line editor: loads the file argv[1] (missing is an empty buffer),
 * then runs one command per line of stdin:
 *   p            print every line as "<n>: <text>"
 *   a TEXT       append a line
 *   i N TEXT     insert a line before line N (1-based)
 *   c N TEXT     change line N
 *   d N          delete line N
 *   w            write the buffer back to the file; prints "wrote <bytes> bytes"
 *   q            stop (unsaved changes are dropped)
 * A bad command or line number prints "?: <command>" on stderr and the editor
 * goes on; the exit status is then 1. Lines are up to 1023 bytes; at most
 * 1000 lines. Used by the browser demo (examples/browser).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 1000
#define MAX_LEN 1024

static char *lines[MAX_LINES];
static int count;

static void chomp(char *s) {
  size_t n = strlen(s);
  if (n > 0 && s[n - 1] == '\n') s[n - 1] = '\0';
}

static int insert(int at, const char *text) {
  if (count == MAX_LINES || at < 0 || at > count) return 0;
  memmove(&lines[at + 1], &lines[at], (size_t)(count - at) * sizeof lines[0]);
  lines[at] = strdup(text);
  count++;
  return 1;
}

static int load(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return errno == ENOENT ? 1 : 0;
  char buf[MAX_LEN];
  while (fgets(buf, sizeof buf, f)) {
    chomp(buf);
    if (!insert(count, buf)) break;
  }
  fclose(f);
  return 1;
}

static int save(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return 0;
  long bytes = 0;
  for (int i = 0; i < count; i++) bytes += fprintf(f, "%s\n", lines[i]);
  if (fclose(f) != 0) return 0;
  printf("wrote %ld bytes\n", bytes);
  return 1;
}

/* Parses "N rest" into a 0-based index; returns the rest (after one space) or NULL. */
static const char *line_number(const char *args, int *index, int limit) {
  char *end;
  long n = strtol(args, &end, 10);
  if (end == args || n < 1 || n > limit) return NULL;
  *index = (int)n - 1;
  return *end == ' ' ? end + 1 : end;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: lined FILE < commands\n");
    return 2;
  }
  const char *path = argv[1];
  if (!load(path)) {
    fprintf(stderr, "lined: %s: %s\n", path, strerror(errno));
    return 1;
  }
  int status = 0;
  char cmd[MAX_LEN];
  while (fgets(cmd, sizeof cmd, stdin)) {
    chomp(cmd);
    const char *args = cmd[0] && cmd[1] == ' ' ? cmd + 2 : cmd + (cmd[0] ? 1 : 0);
    const char *rest;
    int n, ok = 1;
    switch (cmd[0]) {
      case 'p':
        for (int i = 0; i < count; i++) printf("%d: %s\n", i + 1, lines[i]);
        break;
      case 'a':
        ok = insert(count, args);
        break;
      case 'i':
        ok = (rest = line_number(args, &n, count)) && insert(n, rest);
        break;
      case 'c':
        if ((ok = (rest = line_number(args, &n, count)) != NULL)) {
          free(lines[n]);
          lines[n] = strdup(rest);
        }
        break;
      case 'd':
        if ((ok = line_number(args, &n, count) != NULL)) {
          free(lines[n]);
          memmove(&lines[n], &lines[n + 1], (size_t)(count - n - 1) * sizeof lines[0]);
          count--;
        }
        break;
      case 'w':
        if (!save(path)) {
          fprintf(stderr, "lined: %s: %s\n", path, strerror(errno));
          status = 1;
        }
        break;
      case 'q':
        return status;
      default:
        ok = 0;
    }
    if (!ok) {
      fprintf(stderr, "?: %s\n", cmd);
      status = 1;
    }
  }
  return status;
}

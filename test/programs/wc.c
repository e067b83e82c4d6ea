/*
 * A word counter, as POSIX wc: for each file named in argv (or stdin when
 * there are none) prints "<lines> <words> <bytes> <name>", and a "total"
 * line when given more than one file. A word is a run of non-space bytes.
 * A file that cannot be read gives "wc: <name>: <strerror>" on stderr; the
 * others are still counted and the exit status is 1. Used by the browser
 * demo (examples/browser) over its in-memory files.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct counts {
  unsigned long lines, words, bytes;
};

static void count(FILE *f, struct counts *c) {
  int in_word = 0;
  int ch;
  while ((ch = getc(f)) != EOF) {
    c->bytes++;
    if (ch == '\n') c->lines++;
    if (isspace(ch)) {
      in_word = 0;
    } else if (!in_word) {
      in_word = 1;
      c->words++;
    }
  }
}

static void print(const struct counts *c, const char *name) {
  printf("%lu %lu %lu%s%s\n", c->lines, c->words, c->bytes, name ? " " : "", name ? name : "");
}

int main(int argc, char **argv) {
  struct counts total = {0, 0, 0};
  int status = 0;
  if (argc < 2) {
    count(stdin, &total);
    print(&total, NULL);
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "r");
    if (!f) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    struct counts c = {0, 0, 0};
    count(f, &c);
    fclose(f);
    print(&c, argv[i]);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if (argc > 2) print(&total, "total");
  return status;
}

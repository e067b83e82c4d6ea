/*
 * An interactive program for a terminal (the demo's terminal page): prints the terminal's size
 * (WASIX tty_get), then a "$ " prompt and one answer per line of stdin:
 *   size   "tty <cols>x<rows>" (a resize shows here)
 *   raw    tty_set with line buffering and echo off, then "key <byte>" for every byte read, until
 *          'q', then back to canonical mode ("cooked")
 *   loop   loops forever (for Ctrl-C)
 *   other  "> <line>"
 * At end of input prints "bye" and exits 0. wasi-libc for stdio, tty_get/tty_set declared here
 * (WASIX's module, beside preview1's).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct tty {
  uint32_t cols, rows, width, height;
  uint8_t stdin_tty, stdout_tty, stderr_tty, echo, line_buffered, line_feeds;
  uint8_t pad[2];
};

__attribute__((import_module("wasix_32v1"), import_name("tty_get"))) uint16_t wasix_tty_get(struct tty *t);
__attribute__((import_module("wasix_32v1"), import_name("tty_set"))) uint16_t wasix_tty_set(const struct tty *t);

static void say(const char *s) { write(1, s, strlen(s)); }

static void size(void) {
  struct tty t;
  char line[64];
  if (wasix_tty_get(&t) != 0) {
    say("tty_get failed\n");
    return;
  }
  snprintf(line, sizeof line, "tty %ux%u\n", (unsigned)t.cols, (unsigned)t.rows);
  say(line);
}

static void raw(void) {
  struct tty t;
  if (wasix_tty_get(&t) != 0) return;
  t.echo = 0;
  t.line_buffered = 0;
  wasix_tty_set(&t);
  say("raw: press keys, q to stop\n");
  for (;;) {
    unsigned char c;
    if (read(0, &c, 1) != 1 || c == 'q') break;
    char line[32];
    snprintf(line, sizeof line, "key %u\n", c);
    say(line);
  }
  t.echo = 1;
  t.line_buffered = 1;
  wasix_tty_set(&t);
  say("cooked\n");
}

int main(void) {
  char line[256];
  size_t len = 0;
  size();
  say("$ ");
  for (;;) {
    char c;
    ssize_t n = read(0, &c, 1);
    if (n <= 0) break;
    if (c != '\n') {
      if (len < sizeof line - 1) line[len++] = c;
      continue;
    }
    line[len] = 0;
    len = 0;
    if (strcmp(line, "size") == 0) size();
    else if (strcmp(line, "raw") == 0) raw();
    else if (strcmp(line, "loop") == 0) {
      volatile unsigned long spin = 0;
      for (;;) spin++;
    } else {
      say("> ");
      say(line);
      say("\n");
    }
    say("$ ");
  }
  say("bye\n");
  return 0;
}

/*
 * Writes a file: creates or truncates argv[1] and writes each further
 * argument to it as a line, then the environment variable NOTE (if set) as a
 * last line. Prints "wrote <bytes> bytes to <path>". With no path, or when
 * the file cannot be written, prints "write-file: ..." on stderr and exits 1.
 * Used by the browser demo (examples/browser): the file it writes can be
 * downloaded from the page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "write-file: usage: write-file PATH [LINE...]\n");
    return 1;
  }
  FILE *f = fopen(argv[1], "w");
  if (!f) {
    fprintf(stderr, "write-file: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  long bytes = 0;
  for (int i = 2; i < argc; i++) bytes += fprintf(f, "%s\n", argv[i]);
  const char *note = getenv("NOTE");
  if (note) bytes += fprintf(f, "%s\n", note);
  if (fclose(f) != 0) {
    fprintf(stderr, "write-file: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  printf("wrote %ld bytes to %s\n", bytes, argv[1]);
  return 0;
}

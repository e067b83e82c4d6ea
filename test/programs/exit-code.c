/*
 * Exits with the status given in argv[1] (parsed with atoi; 0 if absent).
 * Prints nothing. exit() goes through wasi-libc's proc_exit, so this tests
 * how the host surfaces the exit code (e.g. node:wasi's returnOnExit).
 */
#include <stdlib.h>

int main(int argc, char **argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  exit(code);
}

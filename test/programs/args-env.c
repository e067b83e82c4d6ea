/*
 * Prints argc, then each argv[i] on its own line, then every environment
 * entry in the order the host gave them. Exits 0.
 *
 * Expected output for args ["args-env", "a", "b c"] and env {FOO: "bar"}:
 *   argc=3
 *   argv[0]=args-env
 *   argv[1]=a
 *   argv[2]=b c
 *   env: FOO=bar
 */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  for (char **e = environ; e != NULL && *e != NULL; e++) printf("env: %s\n", *e);
  return 0;
}

/* cli-startup dir: what a command-line tool does before its real work, as
 * one run: read its options and environment, look at its terminal, find and
 * read a config file in a preopened directory, list that directory, format
 * a page of output with printf and exit. Every call it makes is a
 * startup-time call of real programs (fd_prestat_*, environ, fd_fdstat_get,
 * path_filestat_get, path_open, fd_read, fd_readdir, fd_write, proc_exit). */
#include <dirent.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bench.h"

int main(int argc, char **argv) {
  if (argc < 2) FAIL("usage: cli-startup dir");
  setlocale(LC_ALL, "");
  const char *home = getenv("HOME"), *term = getenv("TERM"), *cols = getenv("COLUMNS");
  int width = cols ? atoi(cols) : 80, tty = isatty(1);
  char path[256], line[256];
  snprintf(path, sizeof path, "%s/config.ini", argv[1]);
  struct stat st;
  if (stat(path, &st) || st.st_size <= 0) FAIL("stat %s", path);
  FILE *f = fopen(path, "r");
  if (!f) FAIL("fopen %s", path);
  int keys = 0;
  while (fgets(line, sizeof line, f))
    if (line[0] != '#' && line[0] != '[' && strchr(line, '=')) keys++;
  fclose(f);
  DIR *d = opendir(argv[1]);
  if (!d) FAIL("opendir %s", argv[1]);
  int entries = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') entries++; /* hosts differ on listing . and .. */
  closedir(d);
  printf("%s: home=%s term=%s width=%d tty=%d\n", argv[0], home ? home : "-", term ? term : "-", width, tty);
  for (int i = 0; i < 40; i++) printf("%4d %-*s|\n", i, width > 20 ? 20 : width, "....................");
  fprintf(stderr, "ok keys=%d entries=%d\n", keys, entries);
  return 0;
}

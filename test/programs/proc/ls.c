// ls [-a] [-l] [PATH...]: the entries of each directory (PATH, or the working directory), sorted by
// name, one per line; dot files only with -a. -l: the type (d, -, l, c, ?), the size and the name.
// A PATH that is a file lists itself. A PATH that cannot be read: a message on stderr, exit 1 (2 for
// a bad option), as POSIX ls. The terminal demo's `ls`.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int all, longform;

static char type_of(mode_t m) {
  return S_ISDIR(m) ? 'd' : S_ISREG(m) ? '-' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : '?';
}

static void show(const char *dir, const char *name) {
  if (!longform) {
    printf("%s\n", name);
    return;
  }
  char path[4096];
  struct stat st;
  if (dir) snprintf(path, sizeof path, "%s/%s", dir, name);
  if (lstat(dir ? path : name, &st) != 0) {
    printf("? %10s %s\n", "?", name);
    return;
  }
  printf("%c %10lld %s\n", type_of(st.st_mode), (long long)st.st_size, name);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *path, int heading) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) {
    show(NULL, path);
    return 0;
  }
  DIR *d = opendir(path);
  if (!d) {
    fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
    return 1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.' && !all) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      names = realloc(names, cap * sizeof *names);
      if (!names) return 1;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  if (heading) printf("%s:\n", path);
  for (size_t i = 0; i < n; i++) {
    show(path, names[i]);
    free(names[i]);
  }
  free(names);
  return 0;
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != 0; i++) {
    for (const char *f = argv[i] + 1; *f; f++) {
      if (*f == 'a') all = 1;
      else if (*f == 'l') longform = 1;
      else {
        fprintf(stderr, "ls: unknown option -%c\n", *f);
        return 2;
      }
    }
  }
  if (i == argc) return list(".", 0);
  int status = 0;
  for (int j = i; j < argc; j++) {
    if (j > i) printf("\n");
    status |= list(argv[j], argc - i > 1);
  }
  return status;
}

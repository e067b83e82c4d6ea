// build: asyncify
// sh: a small POSIX-style shell of our own, to run our echo, cat and wc as a shell would.
//
//   sh [-S] -c 'cmdline'   run cmdline           sh [-S] [file]   run file's lines, or stdin's
//
// Pipelines `a | b`, `;`, `&&`, `||`, redirections `< f`, `> f`, `>> f`, quoting ('...', "...", \),
// `$NAME`, `${NAME}`, `$?`, `$(...)` (captured through a pipe), `#` comments, `NAME=value`, and the
// builtins cd, pwd, exit and export. Each command runs as POSIX shells run it: fork (proc_fork), fds
// moved with fd_renumber (dup2), exec (proc_exec3 with a PATH search), wait (proc_join); `-S` uses
// proc_spawn2 with file actions instead of fork (hosts without asyncify). Prompts `$ ` (on stderr, as
// dash does) only when stdin is a terminal (fd_fdstat_get: character_device). While it waits for a
// foreground job it ignores SIGINT and passes it on to the job (WASIX has no process groups: the host
// signals the first process, this shell), whose processes have the default action (exec resets it).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasix.h"

#define SIGINT 2
#define ERRNO_NOENT 44
#define ERRNO_NOEXEC 45
#define ERRNO_CHILD 12
#define MAX_PIPE 16

extern char **environ;

static int use_spawn;        // -S: proc_spawn2 instead of fork + exec
static int in_child;         // this is a forked copy of the shell (a pipeline stage or a $(...))
static int last_status;      // $?
static int interactive;      // stdin is a terminal: prompt, and survive SIGINT
static volatile int waiting; // a foreground job is being waited for
static volatile int got_sigint;
static uint32_t fg_pids[MAX_PIPE];
static volatile int fg_count;

// ---- small helpers ----

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fputs("sh: out of memory\n", stderr);
    _exit(2);
  }
  return p;
}

static char *xstrndup(const char *s, size_t n) {
  char *d = xmalloc(n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/** A growable byte string. */
typedef struct {
  char *s;
  size_t len, cap;
} str_t;

static void str_add(str_t *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    while (cap < b->len + n + 1) cap *= 2;
    char *s2 = xmalloc(cap);
    if (b->s) memcpy(s2, b->s, b->len);
    free(b->s);
    b->s = s2;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void str_addc(str_t *b, char c) { str_add(b, &c, 1); }

static char *str_take(str_t *b) {
  if (!b->s) str_add(b, "", 0);
  char *s = b->s;
  *b = (str_t){0};
  return s;
}

/** A list of malloc'd strings. */
typedef struct {
  char **v;
  int n, cap;
} list_t;

static void list_add(list_t *l, char *s) {
  if (l->n + 1 >= l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    char **v = xmalloc(sizeof(char *) * l->cap);
    if (l->v) memcpy(v, l->v, sizeof(char *) * l->n);
    free(l->v);
    l->v = v;
  }
  l->v[l->n++] = s;
  l->v[l->n] = 0;
}

static void list_free(list_t *l) {
  for (int i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  *l = (list_t){0};
}

// ---- variables ----

typedef struct {
  char *name, *value;
  int exported;
} var_t;

static var_t vars[256];
static int nvars;

static var_t *var_find(const char *name, size_t len) {
  for (int i = 0; i < nvars; i++)
    if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0) return &vars[i];
  return 0;
}

static int var_set(const char *name, size_t len, const char *value, int exported) {
  var_t *v = var_find(name, len);
  if (!v) {
    if (nvars == (int)(sizeof vars / sizeof vars[0])) {
      fputs("sh: too many variables\n", stderr);
      return 1;
    }
    v = &vars[nvars++];
    v->name = xstrndup(name, len);
    v->value = 0;
    v->exported = 0;
  }
  if (value) {
    free(v->value);
    v->value = xstrndup(value, strlen(value));
  }
  v->exported |= exported;
  return 0;
}

static const char *var_get(const char *name, size_t len) {
  var_t *v = var_find(name, len);
  return v && v->value ? v->value : "";
}

static int is_name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

/** The length of a `NAME=` prefix of `w`, or 0. */
static size_t assignment_name(const char *w) {
  if (!is_name_start(w[0])) return 0;
  size_t i = 1;
  while (is_name_char(w[i])) i++;
  return w[i] == '=' ? i : 0;
}

/** `list` holds an assignment to `name` (of length `len`). */
static int assigns_name(const list_t *list, const char *name, size_t len) {
  for (int i = 0; i < list->n; i++)
    if (assignment_name(list->v[i]) == len && memcmp(list->v[i], name, len) == 0) return 1;
  return 0;
}

/**
 * A command's environment as WASIX passes one (NAME=value entries joined by \n): the exported
 * variables, and the assignments written before the command (`NAME=value cmd`), for it alone.
 */
static char *env_lines(const list_t *assigns) {
  str_t b = {0};
  for (int i = 0; i < nvars; i++) {
    if (!vars[i].exported || !vars[i].value || assigns_name(assigns, vars[i].name, strlen(vars[i].name))) continue;
    if (b.len) str_addc(&b, '\n');
    str_add(&b, vars[i].name, strlen(vars[i].name));
    str_addc(&b, '=');
    str_add(&b, vars[i].value, strlen(vars[i].value));
  }
  for (int i = 0; i < assigns->n; i++) {
    if (b.len) str_addc(&b, '\n');
    str_add(&b, assigns->v[i], strlen(assigns->v[i]));
  }
  return str_take(&b);
}

// ---- signals ----

/** The signal callback (WASIX callback_signal). SIGINT goes on to the foreground job. */
__attribute__((export_name("sh_signal"))) void sh_signal(int sig) {
  if (sig == SIGINT) {
    for (int i = 0; i < fg_count; i++) wasix_proc_signal(fg_pids[i], SIGINT);
    // A forked copy of the shell has the default action as a child should (after passing it on).
    if (in_child) _exit(128 + sig);
    got_sigint = 1;
    // An interactive shell ignores it; so does a script while its job runs (it decides after the wait).
    if (waiting || interactive) return;
    _exit(128 + sig);
  }
  if (sig == 17 || sig == 28 || sig == 23 || sig == 18) return; // chld, winch, urg, cont: ignored by default
  for (int i = 0; i < fg_count; i++) wasix_proc_signal(fg_pids[i], (uint8_t)sig);
  _exit(128 + sig);
}

// ---- words: scanning and expansion ----

/** The end of a `$(...)` whose `(` is at `s`: the index just past its `)`, or -1. Quotes are skipped. */
static long subst_end(const char *s) {
  int depth = 0;
  for (long i = 0; s[i]; i++) {
    char c = s[i];
    if (c == '\\' && s[i + 1]) i++;
    else if (c == '\'') {
      const char *q = strchr(s + i + 1, '\'');
      if (!q) return -1;
      i = q - s;
    } else if (c == '"') {
      for (i++; s[i] && s[i] != '"'; i++)
        if (s[i] == '\\' && s[i + 1]) i++;
      if (!s[i]) return -1;
    } else if (c == '(') depth++;
    else if (c == ')' && --depth == 0) return i + 1;
  }
  return -1;
}

static int run_text(const char *text);
static char *capture(const char *text);

/** Scans one `$...` at `s` (s[0] == '$') into `out`; returns how many bytes it used. */
static size_t expand_dollar(const char *s, str_t *out) {
  if (s[1] == '?') {
    char num[16];
    snprintf(num, sizeof num, "%d", last_status);
    str_add(out, num, strlen(num));
    return 2;
  }
  if (s[1] == '$') {
    uint32_t me = 0;
    wasix_proc_id(&me);
    char num[16];
    snprintf(num, sizeof num, "%u", me);
    str_add(out, num, strlen(num));
    return 2;
  }
  if (s[1] == '(') {
    long end = subst_end(s + 1);
    if (end < 0) {
      str_addc(out, '$');
      return 1;
    }
    char *text = xstrndup(s + 2, end - 2);
    char *got = capture(text);
    free(text);
    // As POSIX says: trailing newlines of the output are removed.
    size_t n = strlen(got);
    while (n > 0 && got[n - 1] == '\n') n--;
    str_add(out, got, n);
    free(got);
    return 1 + end;
  }
  if (s[1] == '{') {
    const char *close = strchr(s + 2, '}');
    if (!close) {
      str_addc(out, '$');
      return 1;
    }
    const char *v = var_get(s + 2, close - (s + 2));
    str_add(out, v, strlen(v));
    return close - s + 1;
  }
  if (is_name_start(s[1])) {
    size_t n = 1;
    while (is_name_char(s[1 + n])) n++;
    const char *v = var_get(s + 1, n);
    str_add(out, v, strlen(v));
    return 1 + n;
  }
  str_addc(out, '$');
  return 1;
}

/**
 * Expands one raw word into fields: quotes removed, `$...` expanded; with `split`, unquoted expansions
 * are split at spaces, tabs and newlines (IFS's default), quoted ones never (nor an assignment's value).
 */
static void expand(const char *w, list_t *fields, int split) {
  str_t cur = {0};
  int have = 0; // a field has begun (an empty "" is a field)
  for (size_t i = 0; w[i];) {
    char c = w[i];
    if (c == '\'') {
      const char *q = strchr(w + i + 1, '\'');
      size_t n = q ? (size_t)(q - (w + i + 1)) : strlen(w + i + 1);
      str_add(&cur, w + i + 1, n);
      have = 1;
      i += n + 1 + (q ? 1 : 0);
    } else if (c == '"') {
      have = 1;
      for (i++; w[i] && w[i] != '"';) {
        if (w[i] == '\\' && w[i + 1] && strchr("$`\"\\\n", w[i + 1])) {
          str_addc(&cur, w[i + 1]);
          i += 2;
        } else if (w[i] == '$') i += expand_dollar(w + i, &cur);
        else str_addc(&cur, w[i++]);
      }
      if (w[i] == '"') i++;
    } else if (c == '\\') {
      if (w[i + 1]) str_addc(&cur, w[i + 1]);
      have = 1;
      i += w[i + 1] ? 2 : 1;
    } else if (c == '$') {
      str_t val = {0};
      i += expand_dollar(w + i, &val);
      for (size_t j = 0; j < val.len; j++) {
        char v = val.s[j];
        if (split && (v == ' ' || v == '\t' || v == '\n')) {
          if (have || cur.len) list_add(fields, str_take(&cur));
          have = 0;
        } else str_addc(&cur, v);
      }
      free(val.s);
    } else {
      str_addc(&cur, c);
      i++;
    }
  }
  if (have || cur.len) list_add(fields, str_take(&cur));
  else free(cur.s);
}

// ---- parsing ----

enum { T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_LT, T_GT, T_GTGT, T_END, T_ERROR };

typedef struct {
  const char *s;
  size_t at;
  int type;
  char *word; // T_WORD: the raw word, quotes and all
} lexer_t;

/** The next token of `lx`. */
static void next(lexer_t *lx) {
  const char *s = lx->s;
  size_t i = lx->at;
  lx->word = 0;
  while (s[i] == ' ' || s[i] == '\t') i++;
  if (s[i] == '#')
    while (s[i] && s[i] != '\n') i++;
  char c = s[i];
  lx->type = T_WORD;
  if (c == 0) lx->type = T_END;
  else if (c == '\n' || c == ';') lx->type = T_SEMI, i++;
  else if (c == '|' && s[i + 1] == '|') lx->type = T_OR, i += 2;
  else if (c == '|') lx->type = T_PIPE, i++;
  else if (c == '&' && s[i + 1] == '&') lx->type = T_AND, i += 2;
  else if (c == '&') lx->type = T_ERROR, i++; // background jobs are not supported
  else if (c == '<') lx->type = T_LT, i++;
  else if (c == '>' && s[i + 1] == '>') lx->type = T_GTGT, i += 2;
  else if (c == '>') lx->type = T_GT, i++;
  else if (c == '(' || c == ')') lx->type = T_ERROR, i++; // subshells are not supported
  if (lx->type != T_WORD) {
    lx->at = i;
    return;
  }
  size_t start = i;
  while (s[i] && !strchr(" \t\n;|&<>()", s[i])) {
    if (s[i] == '\\' && s[i + 1]) i += 2;
    else if (s[i] == '\'') {
      const char *q = strchr(s + i + 1, '\'');
      if (!q) {
        lx->type = T_ERROR;
        lx->at = strlen(s);
        return;
      }
      i = q - s + 1;
    } else if (s[i] == '"') {
      for (i++; s[i] && s[i] != '"'; i++) {
        if (s[i] == '\\' && s[i + 1]) i++;
        else if (s[i] == '$' && s[i + 1] == '(') {
          long end = subst_end(s + i + 1);
          if (end < 0) break;
          i += end;
        }
      }
      if (!s[i]) {
        lx->type = T_ERROR;
        lx->at = i;
        return;
      }
      i++;
    } else if (s[i] == '$' && s[i + 1] == '(') {
      long end = subst_end(s + i + 1);
      if (end < 0) {
        lx->type = T_ERROR;
        lx->at = strlen(s);
        return;
      }
      i += 1 + end;
    } else i++;
  }
  lx->word = xstrndup(s + start, i - start);
  lx->at = i;
}

typedef struct {
  int kind; // T_LT, T_GT, T_GTGT
  char *target;
} redir_t;

typedef struct {
  list_t words; // raw
  redir_t redirs[8];
  int nredirs;
} cmd_t;

static void cmd_free(cmd_t *c) {
  list_free(&c->words);
  for (int i = 0; i < c->nredirs; i++) free(c->redirs[i].target);
  c->nredirs = 0;
}

/** Parses one pipeline at `lx` into `cmds`; its length, or -1 after a syntax error (reported). */
static int parse_pipeline(lexer_t *lx, cmd_t *cmds) {
  int n = 0;
  for (;;) {
    if (n == MAX_PIPE) {
      fputs("sh: pipeline too long\n", stderr);
      return -1;
    }
    cmd_t *c = &cmds[n++];
    *c = (cmd_t){0};
    while (lx->type == T_WORD || lx->type == T_LT || lx->type == T_GT || lx->type == T_GTGT) {
      if (lx->type == T_WORD) {
        list_add(&c->words, lx->word);
        next(lx);
        continue;
      }
      int kind = lx->type;
      next(lx);
      if (lx->type != T_WORD || c->nredirs == 8) {
        fputs("sh: syntax error: a redirection needs a file name\n", stderr);
        free(lx->word);
        for (int i = 0; i < n; i++) cmd_free(&cmds[i]);
        return -1;
      }
      c->redirs[c->nredirs++] = (redir_t){kind, lx->word};
      next(lx);
    }
    if (c->words.n == 0 && c->nredirs == 0) {
      if (lx->type == T_ERROR) fputs("sh: syntax error: unsupported or unterminated\n", stderr);
      else fputs("sh: syntax error: a command is missing\n", stderr);
      for (int i = 0; i < n; i++) cmd_free(&cmds[i]);
      return -1;
    }
    if (lx->type != T_PIPE) break;
    next(lx);
    while (lx->type == T_SEMI && lx->s[lx->at - 1] == '\n') next(lx); // a newline after | continues
  }
  if (lx->type == T_ERROR) {
    fputs("sh: syntax error: unsupported or unterminated\n", stderr);
    for (int i = 0; i < n; i++) cmd_free(&cmds[i]);
    return -1;
  }
  return n;
}

// ---- file descriptors ----

/** POSIX dup2 by WASIX means: a duplicate of `from` (fd_dup), moved onto `to` (fd_renumber). */
static int move_fd(uint32_t from, uint32_t to) {
  if (from == to) return 0;
  __wasi_fdstat_t st;
  if (__wasi_fd_fdstat_get(to, &st) != 0) {
    // fd_renumber needs `to` open: hold it with a duplicate first.
    uint32_t hold;
    if (wasix_fd_dup2(from, to, 0, &hold) != 0 || hold != to) return -1;
    close(from);
    return 0;
  }
  return __wasi_fd_renumber(from, to) == 0 ? 0 : -1;
}

/** Opens a redirection's target; the fd, or -1 after printing why. */
static int open_redir(const redir_t *r) {
  list_t f = {0};
  expand(r->target, &f, 1);
  if (f.n != 1) {
    fprintf(stderr, "sh: %s: ambiguous redirect\n", r->target);
    list_free(&f);
    return -1;
  }
  int flags = r->kind == T_LT ? O_RDONLY : r->kind == T_GT ? O_WRONLY | O_CREAT | O_TRUNC : O_WRONLY | O_CREAT | O_APPEND;
  int fd = open(f.v[0], flags, 0666);
  if (fd < 0) fprintf(stderr, "sh: %s: %s\n", f.v[0], strerror(errno));
  list_free(&f);
  return fd;
}

/** Applies `c`'s redirections to fds 0 and 1 of this process; 0, or 1 after printing why. */
static int apply_redirs(const cmd_t *c) {
  for (int i = 0; i < c->nredirs; i++) {
    int fd = open_redir(&c->redirs[i]);
    if (fd < 0) return 1;
    if (move_fd(fd, c->redirs[i].kind == T_LT ? 0 : 1) != 0) {
      fputs("sh: cannot redirect\n", stderr);
      close(fd);
      return 1;
    }
  }
  return 0;
}

/** A command ready to run: its fields, and the assignments written before them. */
typedef struct {
  list_t argv, assigns;
} prepared_t;

/** Expands `c`'s words: leading `NAME=value` words into assignments (values never split), the rest into argv. */
static void prepare(const cmd_t *c, prepared_t *p) {
  *p = (prepared_t){0};
  int j = 0;
  for (; j < c->words.n; j++) {
    const char *w = c->words.v[j];
    size_t n = assignment_name(w);
    if (!n) break;
    list_t f = {0};
    expand(w + n + 1, &f, 0);
    str_t a = {0};
    str_add(&a, w, n + 1);
    if (f.n) str_add(&a, f.v[0], strlen(f.v[0]));
    list_add(&p->assigns, str_take(&a));
    list_free(&f);
  }
  for (; j < c->words.n; j++) expand(c->words.v[j], &p->argv, 1);
}

static void prepared_free(prepared_t *p) {
  list_free(&p->argv);
  list_free(&p->assigns);
}

// ---- builtins ----

static char cwd[4096] = "/";

/** `path` made absolute against the working directory, `.` and `..` applied lexically (as `cd -L`). */
static char *absolute(const char *path) {
  str_t b = {0};
  if (path[0] != '/') str_add(&b, cwd, strlen(cwd));
  str_addc(&b, '/');
  str_add(&b, path, strlen(path));
  char *in = str_take(&b);
  str_t out = {0};
  for (char *seg = strtok(in, "/"); seg; seg = strtok(0, "/")) {
    if (strcmp(seg, ".") == 0) continue;
    if (strcmp(seg, "..") == 0) {
      while (out.len > 0 && out.s[out.len - 1] != '/') out.len--;
      if (out.len > 0) out.len--;
      out.s[out.len] = 0;
      continue;
    }
    str_addc(&out, '/');
    str_add(&out, seg, strlen(seg));
  }
  free(in);
  if (out.len == 0) str_addc(&out, '/');
  return str_take(&out);
}

static int builtin_cd(list_t *argv) {
  const char *to = argv->n > 1 ? argv->v[1] : var_get("HOME", 4);
  if (!*to) to = "/";
  char *abs = absolute(to);
  // The process's working directory (children start there), then wasi-libc's (our own relative opens).
  int32_t err = wasix_chdir(abs, strlen(abs));
  if (err == 0 && chdir(abs) != 0) err = errno;
  if (err != 0) {
    fprintf(stderr, "sh: cd: %s: %s\n", to, strerror(err));
    free(abs);
    return 1;
  }
  snprintf(cwd, sizeof cwd, "%s", abs);
  var_set("PWD", 3, abs, 1);
  free(abs);
  return 0;
}

static int builtin_pwd(void) {
  // What the host says the process's working directory is (getcwd), not only what we remember.
  char buf[4096];
  size_t len = sizeof buf;
  int32_t err = wasix_getcwd(buf, &len);
  if (err != 0) {
    fprintf(stderr, "sh: pwd: %s\n", strerror(err));
    return 1;
  }
  printf("%.*s\n", (int)len, buf);
  return 0;
}

static int builtin_export(list_t *argv) {
  int status = 0;
  for (int i = 1; i < argv->n; i++) {
    const char *a = argv->v[i];
    size_t n = assignment_name(a);
    if (n) status |= var_set(a, n, a + n + 1, 1);
    else if (is_name_start(a[0])) status |= var_set(a, strlen(a), 0, 1);
    else {
      fprintf(stderr, "sh: export: %s: bad variable name\n", a);
      status = 1;
    }
  }
  return status;
}

static int is_builtin(const char *name) { return strcmp(name, "cd") == 0 || strcmp(name, "pwd") == 0 || strcmp(name, "exit") == 0 || strcmp(name, "export") == 0; }

static int run_builtin(list_t *argv) {
  const char *name = argv->v[0];
  if (strcmp(name, "cd") == 0) return builtin_cd(argv);
  if (strcmp(name, "pwd") == 0) return builtin_pwd();
  if (strcmp(name, "export") == 0) return builtin_export(argv);
  // exit
  int code = argv->n > 1 ? atoi(argv->v[1]) : last_status;
  fflush(stdout);
  exit(code & 0xff);
}

// ---- running commands ----

/** argv joined by \n, as WASIX passes arguments. */
static char *arg_lines(list_t *argv) {
  str_t b = {0};
  for (int i = 0; i < argv->n; i++) {
    if (i) str_addc(&b, '\n');
    str_add(&b, argv->v[i], strlen(argv->v[i]));
  }
  return str_take(&b);
}

/** Reports a failed exec or spawn of `name` the way POSIX shells do; the status. */
static int not_run(const char *name, int32_t err) {
  if (err == ERRNO_NOENT) {
    fprintf(stderr, "sh: %s: not found\n", name);
    return 127;
  }
  fprintf(stderr, "sh: %s: %s\n", name, strerror(err));
  return 126;
}

/** In a forked child: replaces this process with `p` (PATH searched); returns only on failure. */
static int exec_external(prepared_t *p) {
  char *args = arg_lines(&p->argv);
  char *envs = env_lines(&p->assigns);
  const char *path = var_get("PATH", 4);
  const char *name = p->argv.v[0];
  int32_t err = wasix_proc_exec3(name, strlen(name), args, strlen(args), envs, strlen(envs), 1, path, strlen(path));
  return not_run(name, err);
}

static int join_status_code(const join_status *st) { return st->tag == 1 ? st->code : st->tag == 2 ? 128 + st->signal : 0; }

/** Waits for `pid`; its status as $? reports it (128 + signal for a signalled child). */
static int wait_pid(uint32_t pid) {
  for (;;) {
    option_pid which = {1, pid};
    join_status st = {0};
    int32_t err = wasix_proc_join(&which, 0, &st);
    if (err == 0) return join_status_code(&st);
    if (err != EINTR) {
      fprintf(stderr, "sh: wait: %s\n", strerror(err));
      return 1;
    }
  }
}

/** Starts a copy of this shell; 0 in the child, the child's pid in the parent, -1 after an error. */
static int64_t fork_shell(void) {
  fflush(stdout);
  fflush(stderr);
  uint32_t pid = 0;
  int32_t err = wasix_proc_fork(1, &pid);
  if (err != 0) {
    fprintf(stderr, "sh: fork: %s\n", strerror(err));
    return -1;
  }
  if (pid == 0) {
    in_child = 1;
    fg_count = 0;
    waiting = 0;
  }
  return pid;
}

/** Sets the shell variables `assigns` names (a command that is only assignments). */
static int assign_all(const list_t *assigns) {
  int status = 0;
  for (int i = 0; i < assigns->n; i++) {
    size_t n = assignment_name(assigns->v[i]);
    status |= var_set(assigns->v[i], n, assigns->v[i] + n + 1, 0);
  }
  return status;
}

/** Runs a builtin (or a bare assignment) in this process, its redirections undone after. */
static int run_here(const cmd_t *c, prepared_t *p) {
  uint32_t saved[2];
  int moved[2] = {0, 0};
  for (int fd = 0; fd < 2; fd++) {
    for (int i = 0; i < c->nredirs; i++)
      if ((c->redirs[i].kind == T_LT) == (fd == 0)) moved[fd] = 1;
    if (moved[fd] && wasix_fd_dup(fd, &saved[fd]) != 0) moved[fd] = 0;
    if (moved[fd]) wasix_fd_fdflags_set(saved[fd], 1);
  }
  fflush(stdout);
  int status = apply_redirs(c);
  if (status == 0) status = p->argv.n == 0 ? assign_all(&p->assigns) : run_builtin(&p->argv);
  fflush(stdout);
  for (int fd = 0; fd < 2; fd++) {
    if (!moved[fd]) continue;
    move_fd(saved[fd], fd);
    wasix_fd_fdflags_set(fd, 0);
  }
  return status;
}

/** A status passed where a pid is expected (a stage that ran here, or could not start): negative. */
#define AS_PID(status) (-(int64_t)(status) - 1)
#define STATUS_OF(pid) ((int)(-(pid) - 1))

/** With -S: spawns `p` with fds `in`/`out` as its stdin/stdout (this shell's when -1); a pid or AS_PID(status). */
static int64_t spawn_cmd(const cmd_t *c, prepared_t *p, int in, int out, int close_also) {
  spawn_fd_op ops[24];
  int nops = 0, opened[8], nopened = 0;
  if (in >= 0) ops[nops++] = (spawn_fd_op){.cmd = 1, .src_fd = in, .fd = 0};
  if (out >= 0) ops[nops++] = (spawn_fd_op){.cmd = 1, .src_fd = out, .fd = 1};
  // Redirections are opened here (as the shell would before exec) and dup2'd onto the child's 0 or 1.
  for (int i = 0; i < c->nredirs; i++) {
    int fd = open_redir(&c->redirs[i]);
    if (fd < 0) {
      for (int k = 0; k < nopened; k++) close(opened[k]);
      return AS_PID(1);
    }
    opened[nopened++] = fd;
    ops[nops++] = (spawn_fd_op){.cmd = 1, .src_fd = fd, .fd = c->redirs[i].kind == T_LT ? 0 : 1};
  }
  int extra[3] = {in, out, close_also};
  for (int i = 0; i < 3; i++)
    if (extra[i] > 2) ops[nops++] = (spawn_fd_op){.cmd = 0, .fd = extra[i]};
  for (int i = 0; i < nopened; i++) ops[nops++] = (spawn_fd_op){.cmd = 0, .fd = opened[i]};
  char *args = arg_lines(&p->argv);
  char *envs = env_lines(&p->assigns);
  const char *path = var_get("PATH", 4);
  const char *name = p->argv.v[0];
  uint32_t pid = 0;
  int32_t err = wasix_proc_spawn2(name, strlen(name), args, strlen(args), envs, strlen(envs), ops, nops, 0, 0, 1, path, strlen(path), &pid);
  free(args);
  free(envs);
  for (int i = 0; i < nopened; i++) close(opened[i]);
  return err == 0 ? (int64_t)pid : AS_PID(not_run(name, err));
}

/** With -S: runs a builtin stage here with stdin `in` and stdout `out` (-1: unchanged); its status. */
static int run_stage_here(const cmd_t *c, prepared_t *p, int in, int out) {
  uint32_t saved_in = (uint32_t)-1, saved_out = (uint32_t)-1;
  fflush(stdout);
  if (in >= 0 && wasix_fd_dup(0, &saved_in) == 0) move_fd(in, 0);
  if (out >= 0 && wasix_fd_dup(1, &saved_out) == 0) move_fd(out, 1);
  int status = run_here(c, p);
  fflush(stdout);
  // Restoring closes the pipe ends (so the next stage sees the end of its input).
  if (saved_in != (uint32_t)-1) move_fd(saved_in, 0);
  if (saved_out != (uint32_t)-1) move_fd(saved_out, 1);
  return status;
}

/**
 * Runs a pipeline of `n` commands; its status is the last command's. Every stage runs in a process of
 * its own (a forked shell that execs, or with -S a spawned program), except a lone builtin or
 * assignment, which runs here so that cd, export, exit and NAME=value act on this shell. With -S a
 * builtin stage runs here too, before the next stage starts (the pipe is unbounded: it cannot block).
 */
static int run_pipeline(const cmd_t *cmds, int n) {
  prepared_t ps[MAX_PIPE];
  for (int i = 0; i < n; i++) prepare(&cmds[i], &ps[i]);
  int status = 0;
  if (n == 1 && (ps[0].argv.n == 0 || is_builtin(ps[0].argv.v[0]))) {
    status = run_here(&cmds[0], &ps[0]);
    prepared_free(&ps[0]);
    return status;
  }
  int prev = -1;
  int64_t pids[MAX_PIPE];
  int started = 0;
  fg_count = 0;
  // Cleared before the first stage starts: a Ctrl-C that comes while they start still ends the line after.
  got_sigint = 0;
  for (int i = 0; i < n; i++) {
    uint32_t r = (uint32_t)-1, w = (uint32_t)-1;
    if (i + 1 < n && wasix_fd_pipe(&r, &w) != 0) {
      fputs("sh: pipe failed\n", stderr);
      status = 1;
      break;
    }
    int out = w == (uint32_t)-1 ? -1 : (int)w;
    int64_t pid;
    if (use_spawn) {
      if (ps[i].argv.n == 0 || is_builtin(ps[i].argv.v[0])) {
        pid = AS_PID(run_stage_here(&cmds[i], &ps[i], prev, out));
        prev = out = -1; // moved onto 0 and 1, and closed when restored
      } else pid = spawn_cmd(&cmds[i], &ps[i], prev, out, r == (uint32_t)-1 ? -1 : (int)r);
    } else {
      pid = fork_shell();
      if (pid == 0) {
        if (prev >= 0) move_fd(prev, 0);
        if (out >= 0) move_fd(out, 1);
        if (r != (uint32_t)-1) close(r);
        if (apply_redirs(&cmds[i]) != 0) _exit(1);
        int code = ps[i].argv.n == 0 ? 0 : is_builtin(ps[i].argv.v[0]) ? run_builtin(&ps[i].argv) : exec_external(&ps[i]);
        fflush(stdout);
        _exit(code);
      }
      if (pid < 0) {
        // No more stages start; those started already are waited for.
        if (prev >= 0) close(prev);
        if (out >= 0) close(out);
        if (r != (uint32_t)-1) close(r);
        prev = -1;
        status = 2;
        break;
      }
    }
    if (prev >= 0) close(prev);
    if (out >= 0) close(out);
    prev = r == (uint32_t)-1 ? -1 : (int)r;
    pids[started++] = pid;
    if (pid > 0) fg_pids[fg_count++] = (uint32_t)pid;
  }
  if (prev >= 0) close(prev);
  waiting = 1;
  for (int i = 0; i < started; i++) {
    int s = pids[i] > 0 ? wait_pid((uint32_t)pids[i]) : STATUS_OF(pids[i]);
    if (i == n - 1) status = s;
  }
  waiting = 0;
  fg_count = 0;
  for (int i = 0; i < n; i++) prepared_free(&ps[i]);
  // A script whose job Ctrl-C ended ends with it, as bash does; an interactive shell goes on, on a new line.
  if (got_sigint && !interactive && status == 128 + SIGINT) _exit(status);
  if (got_sigint && interactive && status == 128 + SIGINT) fputs("\n", stderr);
  return status;
}

/** Runs a command list (`;`, `&&`, `||`, newlines); its status. 2 after a syntax error. */
static int run_text(const char *text) {
  lexer_t lx = {text, 0, T_END, 0};
  next(&lx);
  int connector = T_SEMI;
  for (;;) {
    while (lx.type == T_SEMI) next(&lx), connector = T_SEMI;
    if (lx.type == T_END) break;
    cmd_t cmds[MAX_PIPE];
    int n = parse_pipeline(&lx, cmds);
    if (n < 0) return last_status = 2;
    int run = connector == T_SEMI || (connector == T_AND && last_status == 0) || (connector == T_OR && last_status != 0);
    if (run) last_status = run_pipeline(cmds, n);
    for (int i = 0; i < n; i++) cmd_free(&cmds[i]);
    if (lx.type == T_AND || lx.type == T_OR) {
      connector = lx.type;
      next(&lx);
      while (lx.type == T_SEMI && lx.s[lx.at - 1] == '\n') next(&lx);
      if (lx.type == T_END || lx.type == T_SEMI) {
        fputs("sh: syntax error: a command is missing\n", stderr);
        return last_status = 2;
      }
    } else if (lx.type == T_SEMI) connector = T_SEMI;
    else if (lx.type != T_END) {
      fputs("sh: syntax error: unexpected token\n", stderr);
      free(lx.word);
      return last_status = 2;
    }
  }
  return last_status;
}

/** `$(text)`: runs `text` with its stdout a pipe this shell reads to the end; what it wrote. */
static char *capture(const char *text) {
  uint32_t r, w;
  str_t out = {0};
  if (wasix_fd_pipe(&r, &w) != 0) {
    fputs("sh: pipe failed\n", stderr);
    return str_take(&out);
  }
  int64_t pid = -1;
  if (use_spawn) {
    // No fork: run the text here with stdout on the pipe, then read it. A pipe holds 64 KiB (as Linux's):
    // a substitution that writes more would wait for a reader that is this shell: a limit of -S alone.
    uint32_t saved;
    fflush(stdout);
    if (wasix_fd_dup(1, &saved) == 0) {
      wasix_fd_fdflags_set(saved, 1);
      move_fd(w, 1);
      int status = last_status;
      run_text(text);
      fflush(stdout);
      last_status = status;
      move_fd(saved, 1);
      wasix_fd_fdflags_set(1, 0);
    } else close(w);
  } else {
    pid = fork_shell();
    if (pid == 0) {
      close(r);
      move_fd(w, 1);
      int code = run_text(text);
      fflush(stdout);
      _exit(code);
    }
    close(w);
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(r, buf, sizeof buf);
    // SIGCHLD (the child ending) is caught, so it may interrupt the read: read again.
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    str_add(&out, buf, n);
  }
  close(r);
  if (pid > 0) {
    waiting = 1;
    fg_pids[0] = (uint32_t)pid;
    fg_count = 1;
    wait_pid((uint32_t)pid);
    fg_count = 0;
    waiting = 0;
  }
  return str_take(&out);
}

// ---- input ----

/** Reads one line from `fd` (byte by byte, so that commands reading the same stdin get the rest). */
static char *read_line(int fd, int *eof) {
  str_t b = {0};
  *eof = 0;
  for (;;) {
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *eof = 1;
      break;
    }
    if (c == '\n') break;
    str_addc(&b, c);
  }
  return str_take(&b);
}

static int is_terminal(int fd) {
  __wasi_fdstat_t st;
  return __wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE;
}

int main(int argc, char **argv) {
  for (char **e = environ; e && *e; e++) {
    size_t n = assignment_name(*e);
    if (n) var_set(*e, n, *e + n + 1, 1);
  }
  size_t len = sizeof cwd;
  if (wasix_getcwd(cwd, &len) != 0 || len >= sizeof cwd) strcpy(cwd, "/");
  else cwd[len] = 0;
  wasix_callback_signal("sh_signal", 9);

  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (strcmp(argv[i], "-S") == 0) use_spawn = 1;
    else if (strcmp(argv[i], "-c") == 0) {
      if (i + 1 >= argc) {
        fputs("sh: -c requires an argument\n", stderr);
        return 2;
      }
      int status = run_text(argv[i + 1]);
      fflush(stdout);
      return status;
    } else {
      fprintf(stderr, "sh: unknown option %s\nusage: sh [-S] [-c cmdline | file]\n", argv[i]);
      return 2;
    }
  }
  int fd = 0;
  if (i < argc) {
    fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "sh: %s: %s\n", argv[i], strerror(errno));
      return 127;
    }
    wasix_fd_fdflags_set(fd, 1);
  }
  interactive = fd == 0 && is_terminal(0);
  if (interactive) var_set("PS1", 3, "$ ", 0);
  for (int eof = 0; !eof;) {
    if (interactive) {
      fputs(var_get("PS1", 3), stderr);
      fflush(stderr);
    }
    char *line = read_line(fd, &eof);
    if (interactive) {
      // A Ctrl-C typed at the prompt is taken here, before the line's job starts, and ignored: a host may
      // deliver signals only at some calls (wasi-kit's read of a terminal is not one), and a signal
      // still pending would reach the next job. proc_signal(self, 0) is a signal point that sends nothing.
      uint32_t me = 0;
      wasix_proc_id(&me);
      wasix_proc_signal(me, 0);
    }
    if (!eof || *line) run_text(line);
    fflush(stdout);
    free(line);
  }
  if (interactive) fputs("\n", stderr);
  return last_status;
}

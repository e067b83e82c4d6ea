/*
 * An echo server on preopened listening sockets: fd 3 takes connections,
 * fd 4 is a second listener nobody connects to. argv[1]: how many
 * connections to serve (default 1). First checks misuse, printing
 * "errors: notsock badf notconn again" when each call fails as it should
 * (accept on stdin, accept on a closed fd, recv on a listener, non-blocking
 * accept with nothing pending). For each connection: accepts, checks that a
 * non-blocking recv says EAGAIN before the client speaks, sends "hello\n",
 * waits for data with poll(), peeks, then echoes with recv/write until the
 * client ends, shuts down writing and closes; prints "conn N: echoed B bytes".
 * Exits 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  return 1;
}

static int expect(int result, int want, const char *what) {
  if (result != -1 || errno != want) {
    fprintf(stderr, "%s: got %d (%s)\n", what, result, strerror(errno));
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 1;
  struct sockaddr addr;
  socklen_t alen = sizeof addr;
  char buf[4096];
  int ok = expect(accept(0, &addr, &alen), ENOTSOCK, "accept(stdin)");
  ok &= expect(accept(77, &addr, &alen), EBADF, "accept(77)");
  ok &= expect((int)recv(3, buf, sizeof buf, 0), ENOTCONN, "recv(listener)");
  if (fcntl(4, F_SETFL, O_NONBLOCK) != 0) return fail("fcntl(4)");
  ok &= expect(accept(4, &addr, &alen), EAGAIN, "accept(nonblocking)");
  if (!ok) return 1;
  printf("errors: notsock badf notconn again\n");

  for (int i = 0; i < count; i++) {
    alen = sizeof addr;
    int c = accept(3, &addr, &alen);
    if (c < 0) return fail("accept");
    if (fcntl(c, F_SETFL, O_NONBLOCK) != 0) return fail("fcntl(conn)");
    if (!expect((int)recv(c, buf, sizeof buf, 0), EAGAIN, "recv(nonblocking)")) return 1;
    if (fcntl(c, F_SETFL, 0) != 0) return fail("fcntl(conn, 0)");
    if (send(c, "hello\n", 6, 0) != 6) return fail("send");
    struct pollfd p = {c, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1 || !(p.revents & POLLIN)) return fail("poll");
    char peek[16];
    ssize_t pn = recv(c, peek, sizeof peek, MSG_PEEK);
    if (pn <= 0) return fail("recv(MSG_PEEK)");
    long total = 0;
    for (int first = 1;; first = 0) {
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n < 0) return fail("recv");
      if (n == 0) break;
      if (first && memcmp(buf, peek, (size_t)(n < pn ? n : pn)) != 0) {
        fprintf(stderr, "peeked bytes differ from received ones\n");
        return 1;
      }
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(c, buf + off, (size_t)(n - off));
        if (w < 0) return fail("write");
        off += w;
      }
      total += n;
    }
    if (shutdown(c, SHUT_WR) != 0) return fail("shutdown");
    if (close(c) != 0) return fail("close");
    printf("conn %d: echoed %ld bytes\n", i + 1, total);
  }
  return 0;
}

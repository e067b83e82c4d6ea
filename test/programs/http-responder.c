/*
 * A tiny HTTP/1.1 responder on a preopened listening socket (fd 3).
 * argv[1]: how many requests to answer (default 1). For each connection,
 * reads the request head (up to its blank line), answers
 * "200 OK" with the body "hello from wasi: <path>\n" and Connection: close,
 * then shuts down and closes. Prints "served <method> <path>" per request.
 * Exits 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < count; i++) {
    struct sockaddr addr;
    socklen_t alen = sizeof addr;
    int c = accept(3, &addr, &alen);
    if (c < 0) {
      perror("accept");
      return 1;
    }
    char req[8192];
    size_t len = 0;
    while (len < sizeof req - 1) {
      ssize_t n = recv(c, req + len, sizeof req - 1 - len, 0);
      if (n < 0) {
        perror("recv");
        return 1;
      }
      if (n == 0) break;
      len += (size_t)n;
      req[len] = 0;
      if (strstr(req, "\r\n\r\n")) break;
    }
    req[len] = 0;
    char method[16] = "", path[1024] = "";
    if (sscanf(req, "%15s %1023s", method, path) != 2) {
      fprintf(stderr, "bad request: %.40s\n", req);
      return 1;
    }
    char body[1100], head[256];
    int bl = snprintf(body, sizeof body, "hello from wasi: %s\n", path);
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", bl);
    if (send(c, head, (size_t)hl, 0) != hl || send(c, body, (size_t)bl, 0) != bl) {
      perror("send");
      return 1;
    }
    shutdown(c, SHUT_RDWR);
    close(c);
    printf("served %s %s\n", method, path);
  }
  return 0;
}

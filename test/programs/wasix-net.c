// WASIX sockets from C, through the wasix_32v1 socket imports declared in wasix/sockets.h (Debian's
// wasi-libc has no WASIX headers). One mode per argv[1]; each prints what it saw.
//   echo-server N        listen on 127.0.0.1:0, print the port, echo N connections until EOF
//   echo-client PORT MSG connect, send MSG, shutdown(write), print the echo read until EOF
//   nb-connect PORT      nonblocking connect: inprogress, poll_oneoff for writable, status, send
//   udp-echo PORT        send a datagram to PORT, print the reply and who sent it
//   udp-server           bind 127.0.0.1:0, print the port, answer one datagram upper-cased
//   udp-connected PORT   connect a datagram socket to PORT, sock_send, sock_recv the reply (only the
//                        peer's datagrams are heard), print it and the peer
//   resolve NAME         print what NAME resolves to
//   opts                 socket options round-tripped
//   connect-errno PORT   print the errno of a blocking connect to 127.0.0.1:PORT
//   listen-errno PORT    print the errno of bind+listen on 127.0.0.1:PORT
//   bad                  bad input: errnos
//   http N               an HTTP/1.1 server on 127.0.0.1:0 answering N requests (keep-alive), the
//                        body of each echoed back
//   epoll-server N       an edge-triggered epoll server on nonblocking sockets: N clients each send
//                        a line and get it back upper-cased, then the connection is closed
//   recv-timeout PORT    connect, set recv_timeout 50 ms, print what sock_recv gives with nothing sent
//   blast PORT MIB       connect and send MIB MiB (64 KiB writes), then shut down writing (bench/net.mjs)
//   flood PORT           nonblocking sends to a peer not reading until again; poll for writable; then a
//                        blocking send, shutdown(write), and the peer's count of what it got
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

#include "wasix/sockets.h"

WASIX(fd_fdflags_set) int32_t wx_fd_fdflags_set(int32_t fd, int32_t flags);
WASIX(epoll_create) int32_t wx_epoll_create(uint32_t *fd);
WASIX(epoll_ctl) int32_t wx_epoll_ctl(int32_t epfd, int32_t op, int32_t fd, const void *event);
WASIX(epoll_wait) int32_t wx_epoll_wait(int32_t epfd, void *events, int32_t maxevents, uint64_t timeout, uint32_t *n);

typedef struct {
  uint32_t events;
  uint32_t pad;
  uint32_t ptr;
  uint32_t fd;
  uint64_t data1;
  uint64_t data2;
} epoll_event_t;
enum { EPOLLIN = 1, EPOLLOUT = 2, EPOLLET = 0x40 };

enum { INET4 = 1, INET6 = 2, STREAM = 1, DGRAM = 2 };
enum { OPT_REUSE_ADDR = 2, OPT_NO_DELAY = 3, OPT_LISTENING = 10, OPT_KEEP_ALIVE = 12, OPT_RECV_BUF = 15, OPT_RECV_TIMEOUT = 19, OPT_CONNECT_TIMEOUT = 21 };

static const char *err(int e) {
  switch (e) {
    case 0: return "ok";
    case __WASI_ERRNO_ACCES: return "acces";
    case __WASI_ERRNO_AFNOSUPPORT: return "afnosupport";
    case __WASI_ERRNO_AGAIN: return "again";
    case __WASI_ERRNO_BADF: return "badf";
    case __WASI_ERRNO_CONNREFUSED: return "connrefused";
    case __WASI_ERRNO_FAULT: return "fault";
    case __WASI_ERRNO_INPROGRESS: return "inprogress";
    case __WASI_ERRNO_INVAL: return "inval";
    case __WASI_ERRNO_ISCONN: return "isconn";
    case __WASI_ERRNO_NOTCONN: return "notconn";
    case __WASI_ERRNO_NOTSOCK: return "notsock";
    case __WASI_ERRNO_NOTSUP: return "notsup";
    case __WASI_ERRNO_PROTONOSUPPORT: return "protonosupport";
    case __WASI_ERRNO_PIPE: return "pipe";
    default: {
      static char buf[16];
      snprintf(buf, sizeof buf, "errno%d", e);
      return buf;
    }
  }
}

static void die(const char *what, int e) {
  printf("%s: %s\n", what, err(e));
  exit(1);
}

static addr_port_t v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  addr_port_t x;
  memset(&x, 0, sizeof x);
  x.tag = INET4;
  memcpy(x.octs, &port, 2);
  x.octs[2] = a, x.octs[3] = b, x.octs[4] = c, x.octs[5] = d;
  return x;
}

static uint16_t port_of(const addr_port_t *a) {
  uint16_t p;
  memcpy(&p, a->octs, 2);
  return p;
}

static void print_addr(const char *what, const addr_port_t *a) {
  if (a->tag == INET4) printf("%s %u.%u.%u.%u\n", what, a->octs[2], a->octs[3], a->octs[4], a->octs[5]);
  else printf("%s family %u\n", what, a->tag);
}

static int send_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    __wasi_ciovec_t iov = {(const uint8_t *)p, n};
    size_t sent;
    int e = __wasi_sock_send(fd, &iov, 1, 0, &sent);
    if (e) return e;
    p += sent, n -= sent;
  }
  return 0;
}

static int listener(uint16_t port) {
  uint32_t fd;
  int e = wx_sock_open(INET4, STREAM, 0, &fd);
  if (e) die("sock_open", e);
  addr_port_t a = v4(127, 0, 0, 1, port);
  if ((e = wx_sock_bind(fd, &a))) die("sock_bind", e);
  if ((e = wx_sock_listen(fd, 16))) die("sock_listen", e);
  return fd;
}

static int echo_server(int n) {
  int l = listener(0);
  addr_port_t a;
  int e = wx_sock_addr_local(l, &a);
  if (e) die("sock_addr_local", e);
  printf("port %u\n", port_of(&a));
  fflush(stdout);
  for (int i = 0; i < n; i++) {
    uint32_t c;
    addr_port_t peer;
    if ((e = wx_sock_accept_v2(l, 0, &c, &peer))) die("sock_accept_v2", e);
    print_addr("peer", &peer);
    size_t total = 0;
    for (;;) {
      static char buf[65536];
      __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
      size_t got;
      __wasi_roflags_t ro;
      if ((e = __wasi_sock_recv(c, &iov, 1, 0, &got, &ro))) die("sock_recv", e);
      if (got == 0) break;
      if ((e = send_all(c, buf, got))) die("sock_send", e);
      total += got;
    }
    printf("echoed %zu\n", total);
    fflush(stdout);
    (void)!__wasi_fd_close(c);
  }
  (void)!__wasi_fd_close(l);
  return 0;
}

static int connect_to(uint16_t port) {
  uint32_t fd;
  int e = wx_sock_open(INET4, STREAM, 0, &fd);
  if (e) die("sock_open", e);
  addr_port_t a = v4(127, 0, 0, 1, port);
  if ((e = wx_sock_connect(fd, &a))) die("sock_connect", e);
  return fd;
}

static int echo_client(uint16_t port, const char *msg) {
  int fd = connect_to(port);
  addr_port_t peer;
  int e = wx_sock_addr_peer(fd, &peer);
  if (e) die("sock_addr_peer", e);
  printf("peer port %s\n", port_of(&peer) == port ? "matches" : "differs");
  if ((e = send_all(fd, msg, strlen(msg)))) die("sock_send", e);
  if ((e = __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR))) die("sock_shutdown", e);
  char buf[4096];
  size_t at = 0;
  for (;;) {
    size_t got;
    // fd_read on a socket is recv.
    __wasi_iovec_t iov = {(uint8_t *)buf + at, sizeof buf - 1 - at};
    if ((e = __wasi_fd_read(fd, &iov, 1, &got))) die("fd_read", e);
    if (got == 0) break;
    at += got;
  }
  buf[at] = 0;
  printf("got %s\n", buf);
  return 0;
}

static int nb_connect(uint16_t port) {
  uint32_t fd;
  int e = wx_sock_open(INET4, STREAM, 0, &fd);
  if (e) die("sock_open", e);
  if ((e = wx_fd_fdflags_set(fd, 0))) die("fd_fdflags_set", e);
  if ((e = __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK))) die("fdstat_set_flags", e);
  addr_port_t a = v4(127, 0, 0, 1, port);
  e = wx_sock_connect(fd, &a);
  printf("connect: %s\n", err(e));
  uint8_t st;
  wx_sock_status(fd, &st);
  if (e == __WASI_ERRNO_INPROGRESS) {
    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.u.tag = __WASI_EVENTTYPE_FD_WRITE;
    sub.u.u.fd_write.file_descriptor = fd;
    __wasi_event_t ev;
    size_t n;
    if ((e = __wasi_poll_oneoff(&sub, &ev, 1, &n))) die("poll_oneoff", e);
    printf("poll: %zu event(s), error %s\n", n, err(ev.error));
  }
  if ((e = wx_sock_status(fd, &st))) die("sock_status", e);
  printf("status %u\n", st);
  e = wx_sock_connect(fd, &a);
  printf("connect again: %s\n", err(e));
  if ((e = send_all(fd, "nb", 2))) die("sock_send", e);
  (void)!__wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR);
  return 0;
}

static int udp_echo(uint16_t port) {
  uint32_t fd;
  int e = wx_sock_open(INET4, DGRAM, 0, &fd);
  if (e) die("sock_open", e);
  addr_port_t to = v4(127, 0, 0, 1, port);
  const char *msg = "datagram one";
  __wasi_ciovec_t out = {(const uint8_t *)msg, strlen(msg)};
  uint32_t sent;
  if ((e = wx_send_to(fd, &out, 1, 0, &to, &sent))) die("sock_send_to", e);
  char buf[64];
  __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf - 1};
  uint32_t got;
  uint16_t ro;
  addr_port_t from;
  if ((e = wx_recv_from(fd, &in, 1, 0, &got, &ro, &from))) die("sock_recv_from", e);
  buf[got] = 0;
  printf("sent %u got '%s' from port %s\n", sent, buf, port_of(&from) == port ? "matches" : "differs");
  return 0;
}

static int udp_server(void) {
  uint32_t fd;
  int e = wx_sock_open(INET4, DGRAM, 0, &fd);
  if (e) die("sock_open", e);
  addr_port_t at = v4(127, 0, 0, 1, 0);
  if ((e = wx_sock_bind(fd, &at))) die("sock_bind", e);
  addr_port_t a;
  if ((e = wx_sock_addr_local(fd, &a))) die("sock_addr_local", e);
  printf("port %u\n", port_of(&a));
  fflush(stdout);
  char buf[64];
  // A 4-byte buffer for a longer datagram: truncated, and the flag says so.
  __wasi_iovec_t in = {(uint8_t *)buf, 4};
  uint32_t got;
  uint16_t ro;
  addr_port_t from;
  if ((e = wx_recv_from(fd, &in, 1, __WASI_RIFLAGS_RECV_PEEK, &got, &ro, &from))) die("sock_recv_from", e);
  printf("peeked %u truncated %u\n", got, ro);
  in.buf_len = sizeof buf;
  if ((e = wx_recv_from(fd, &in, 1, 0, &got, &ro, &from))) die("sock_recv_from", e);
  for (uint32_t i = 0; i < got; i++) buf[i] = buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i];
  __wasi_ciovec_t out = {(const uint8_t *)buf, got};
  uint32_t sent;
  if ((e = wx_send_to(fd, &out, 1, 0, &from, &sent))) die("sock_send_to", e);
  printf("answered %u\n", sent);
  return 0;
}

static int udp_connected(uint16_t port) {
  uint32_t fd;
  int e = wx_sock_open(INET4, DGRAM, 0, &fd);
  if (e) die("sock_open", e);
  addr_port_t to = v4(127, 0, 0, 1, port);
  if ((e = wx_sock_connect(fd, &to))) die("sock_connect", e);
  addr_port_t peer, local;
  if ((e = wx_sock_addr_peer(fd, &peer))) die("sock_addr_peer", e);
  if ((e = wx_sock_addr_local(fd, &local))) die("sock_addr_local", e);
  printf("peer port %s, bound %s\n", port_of(&peer) == port ? "matches" : "differs", port_of(&local) ? "yes" : "no");
  const char *msg = "connected datagram";
  __wasi_ciovec_t out = {(const uint8_t *)msg, strlen(msg)};
  size_t sent;
  if ((e = __wasi_sock_send(fd, &out, 1, 0, &sent))) die("sock_send", e);
  char buf[64];
  __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf - 1};
  size_t got;
  __wasi_roflags_t ro;
  if ((e = __wasi_sock_recv(fd, &in, 1, 0, &got, &ro))) die("sock_recv", e);
  buf[got] = 0;
  printf("sent %zu got '%s'\n", sent, buf);
  if ((e = __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR))) die("sock_shutdown", e);
  printf("send after shutdown: %s\n", err(__wasi_sock_send(fd, &out, 1, 0, &sent)));
  return 0;
}

static int resolve(const char *name) {
  uint8_t addrs[4 * 18];
  uint32_t n;
  int e = wx_resolve(name, strlen(name), 0, addrs, 4, &n);
  if (e) die("resolve", e);
  int v4seen = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *a = addrs + 18 * i;
    if (a[0] == INET4) printf("inet4 %u.%u.%u.%u\n", a[2], a[3], a[4], a[5]), v4seen = 1;
  }
  printf("%u address(es), v4 %d\n", n, v4seen);
  return 0;
}

static int opts(void) {
  uint32_t fd;
  int e = wx_sock_open(INET4, STREAM, 0, &fd);
  if (e) die("sock_open", e);
  uint8_t f;
  wx_set_flag(fd, OPT_KEEP_ALIVE, 1);
  wx_get_flag(fd, OPT_KEEP_ALIVE, &f);
  printf("keep_alive %u", f);
  wx_set_flag(fd, OPT_KEEP_ALIVE, 0);
  wx_get_flag(fd, OPT_KEEP_ALIVE, &f);
  printf(" -> %u\n", f);
  wx_set_flag(fd, OPT_NO_DELAY, 0);
  wx_get_flag(fd, OPT_NO_DELAY, &f);
  printf("no_delay %u\n", f);
  wx_get_flag(fd, OPT_LISTENING, &f);
  printf("listening %u\n", f);
  uint64_t sz;
  wx_set_size(fd, OPT_RECV_BUF, 65536);
  wx_get_size(fd, OPT_RECV_BUF, &sz);
  printf("recv_buf %llu\n", (unsigned long long)sz);
  option_timestamp_t t = {1, 1500000000ull}, back = {9, 9};
  wx_set_time(fd, OPT_RECV_TIMEOUT, &t);
  wx_get_time(fd, OPT_RECV_TIMEOUT, &back);
  printf("recv_timeout %u %llu\n", back.tag, (unsigned long long)back.ts);
  wx_get_time(fd, OPT_CONNECT_TIMEOUT, &back);
  printf("connect_timeout %u\n", back.tag);
  printf("time as flag: %s\n", err(wx_set_flag(fd, OPT_RECV_TIMEOUT, 1)));
  return 0;
}

static int connect_errno(uint16_t port) {
  uint32_t fd;
  int e = wx_sock_open(INET4, STREAM, 0, &fd);
  if (e) die("sock_open", e);
  addr_port_t a = v4(127, 0, 0, 1, port);
  printf("connect: %s\n", err(wx_sock_connect(fd, &a)));
  uint8_t st;
  wx_sock_status(fd, &st);
  addr_port_t peer;
  printf("status %u peer %s\n", st, err(wx_sock_addr_peer(fd, &peer)));
  return 0;
}

static int listen_errno(uint16_t port) {
  uint32_t fd;
  int e = wx_sock_open(INET4, STREAM, 0, &fd);
  if (e) die("sock_open", e);
  addr_port_t a = v4(127, 0, 0, 1, port);
  e = wx_sock_bind(fd, &a);
  printf("bind: %s\n", err(e));
  printf("listen: %s\n", err(wx_sock_listen(fd, 4)));
  return 0;
}

static int bad(void) {
  uint32_t fd;
  printf("open unix: %s\n", err(wx_sock_open(3, STREAM, 0, &fd)));
  printf("open unspec: %s\n", err(wx_sock_open(0, STREAM, 0, &fd)));
  printf("open udp proto on stream: %s\n", err(wx_sock_open(INET4, STREAM, 17, &fd)));
  int e = wx_sock_open(INET4, STREAM, 0, &fd);
  if (e) die("sock_open", e);
  printf("open to a bad pointer: %s\n", err(wx_sock_open(INET4, STREAM, 0, (uint32_t *)0xfffffff0)));
  printf("bind to a bad pointer: %s\n", err(wx_sock_bind(fd, (const addr_port_t *)0xfffffff0)));
  addr_port_t six = v4(127, 0, 0, 1, 80);
  six.tag = INET6;
  printf("connect inet6 addr on inet4: %s\n", err(wx_sock_connect(fd, &six)));
  addr_port_t unix_addr = v4(127, 0, 0, 1, 80);
  unix_addr.tag = 3;
  printf("connect unix addr: %s\n", err(wx_sock_connect(fd, &unix_addr)));
  uint8_t st;
  printf("status on stdout: %s\n", err(wx_sock_status(1, &st)));
  printf("listen on stdout: %s\n", err(wx_sock_listen(1, 4)));
  printf("status on fd 99: %s\n", err(wx_sock_status(99, &st)));
  printf("accept unconnected: %s\n", err(wx_sock_accept_v2(fd, 0, &fd, &six)));
  addr_port_t peer;
  printf("peer unconnected: %s\n", err(wx_sock_addr_peer(fd, &peer)));
  printf("addr_local bad pointer: %s\n", err(wx_sock_addr_local(fd, (addr_port_t *)0xfffffff0)));
  __wasi_ciovec_t iov = {(const uint8_t *)0xfffffff0, 64};
  uint32_t sent;
  uint32_t u;
  wx_sock_open(INET4, DGRAM, 0, &u);
  addr_port_t to = v4(127, 0, 0, 1, 9);
  printf("send_to bad iovec: %s\n", err(wx_send_to(u, &iov, 1, 0, &to, &sent)));
  char one[4];
  __wasi_iovec_t in = {(uint8_t *)one, sizeof one};
  uint32_t got;
  uint16_t ro;
  // Receiving on an unbound datagram socket would bind it to every interface: a listen grant's matter.
  printf("recv_from unbound: %s\n", err(wx_recv_from(u, &in, 1, 0, &got, &ro, &to)));
  (void)!__wasi_fd_close(fd);
  printf("status closed: %s\n", err(wx_sock_status(fd, &st)));
  return 0;
}

static char http_buf[4 << 20];

/** Reads one more chunk into http_buf at *len; 0 at EOF. */
static size_t fill(int fd, size_t *len) {
  __wasi_iovec_t iov = {(uint8_t *)http_buf + *len, sizeof http_buf - *len};
  size_t got;
  __wasi_roflags_t ro;
  int e = __wasi_sock_recv(fd, &iov, 1, 0, &got, &ro);
  if (e) die("sock_recv", e);
  *len += got;
  return got;
}

static int http(int n) {
  int l = listener(0);
  addr_port_t a;
  int e = wx_sock_addr_local(l, &a);
  if (e) die("sock_addr_local", e);
  printf("port %u\n", port_of(&a));
  fflush(stdout);
  int served = 0, conns = 0;
  while (served < n) {
    uint32_t c;
    addr_port_t peer;
    if ((e = wx_sock_accept_v2(l, 0, &c, &peer))) die("sock_accept_v2", e);
    conns++;
    size_t len = 0;
    for (;;) {
      char *end;
      while (!(end = memmem(http_buf, len, "\r\n\r\n", 4)))
        if (fill(c, &len) == 0) goto closed;
      size_t head = end + 4 - http_buf;
      size_t body = 0;
      char *cl = memmem(http_buf, head, "Content-Length: ", 16);
      if (!cl) cl = memmem(http_buf, head, "content-length: ", 16);
      if (cl) body = strtoul(cl + 16, NULL, 10);
      while (len < head + body)
        if (fill(c, &len) == 0) goto closed;
      char hdr[128];
      int h = snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n", body);
      if ((e = send_all(c, hdr, h)) || (e = send_all(c, http_buf + head, body))) die("sock_send", e);
      served++;
      memmove(http_buf, http_buf + head + body, len - head - body);
      len -= head + body;
      if (served == n) break;
    }
  closed:
    (void)!__wasi_fd_close(c);
  }
  printf("served %d requests on %d connection(s)\n", served, conns);
  return 0;
}

typedef struct {
  char line[256];
  size_t len;
} client_t;

static int epoll_server(int n) {
  int l = listener(0);
  addr_port_t a;
  int e = wx_sock_addr_local(l, &a);
  if (e) die("sock_addr_local", e);
  printf("port %u\n", port_of(&a));
  fflush(stdout);
  if ((e = __wasi_fd_fdstat_set_flags(l, __WASI_FDFLAGS_NONBLOCK))) die("fdstat_set_flags", e);
  uint32_t ep;
  if ((e = wx_epoll_create(&ep))) die("epoll_create", e);
  epoll_event_t ev = {EPOLLIN | EPOLLET, 0, 0, (uint32_t)l, 0, 0};
  if ((e = wx_epoll_ctl(ep, 0, l, &ev))) die("epoll_ctl", e);
  static client_t clients[1024];
  int done = 0, accepted = 0, wakeups = 0, max_open = 0, open = 0;
  while (done < n) {
    epoll_event_t evs[64];
    uint32_t got;
    if ((e = wx_epoll_wait(ep, evs, 64, 10000000000ull, &got))) die("epoll_wait", e);
    if (got == 0) die("epoll_wait timed out", 0);
    wakeups++;
    for (uint32_t i = 0; i < got; i++) {
      int fd = evs[i].fd;
      if (fd == l) {
        // Edge-triggered: accept until again.
        for (;;) {
          uint32_t c;
          addr_port_t peer;
          e = wx_sock_accept_v2(l, __WASI_FDFLAGS_NONBLOCK, &c, &peer);
          if (e == __WASI_ERRNO_AGAIN) break;
          if (e) die("sock_accept_v2", e);
          if (c >= 1024) die("too many fds", 0);
          accepted++;
          open++;
          if (open > max_open) max_open = open;
          clients[c].len = 0;
          epoll_event_t cev = {EPOLLIN | EPOLLET, 0, 0, c, 0, 0};
          if ((e = wx_epoll_ctl(ep, 0, c, &cev))) die("epoll_ctl", e);
        }
        continue;
      }
      client_t *cl = &clients[fd];
      // Edge-triggered: read until again (or the line is complete).
      for (;;) {
        __wasi_iovec_t iov = {(uint8_t *)cl->line + cl->len, sizeof cl->line - 1 - cl->len};
        size_t r;
        __wasi_roflags_t ro;
        e = __wasi_sock_recv(fd, &iov, 1, 0, &r, &ro);
        if (e == __WASI_ERRNO_AGAIN) break;
        if (e) die("sock_recv", e);
        cl->len += r;
        if (r == 0 || memchr(cl->line, '\n', cl->len)) {
          for (size_t k = 0; k < cl->len; k++)
            if (cl->line[k] >= 'a' && cl->line[k] <= 'z') cl->line[k] -= 32;
          if ((e = send_all(fd, cl->line, cl->len))) die("sock_send", e);
          if ((e = wx_epoll_ctl(ep, 2, fd, NULL))) die("epoll_ctl del", e);
          (void)!__wasi_fd_close(fd);
          open--;
          done++;
          break;
        }
      }
    }
  }
  printf("answered %d of %d accepted, %s\n", done, accepted, wakeups < done ? "several per wakeup" : "one per wakeup");
  return 0;
}

static int recv_timeout(uint16_t port) {
  int fd = connect_to(port);
  option_timestamp_t t = {1, 50000000ull};
  int e = wx_set_time(fd, OPT_RECV_TIMEOUT, &t);
  if (e) die("sock_set_opt_time", e);
  char buf[16];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  size_t got;
  __wasi_roflags_t ro;
  printf("recv: %s\n", err(__wasi_sock_recv(fd, &iov, 1, 0, &got, &ro)));
  return 0;
}

static int blast(uint16_t port, int mib) {
  int fd = connect_to(port);
  static char chunk[65536];
  for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = (char)i;
  for (int i = 0; i < mib * 16; i++) {
    int e = send_all(fd, chunk, sizeof chunk);
    if (e) die("sock_send", e);
  }
  (void)!__wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR);
  printf("sent %d MiB\n", mib);
  return 0;
}

static int flood(uint16_t port) {
  int fd = connect_to(port);
  int e;
  if ((e = __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK))) die("fdstat_set_flags", e);
  static char chunk[65536];
  unsigned long long total = 0;
  for (;;) {
    __wasi_ciovec_t iov = {(const uint8_t *)chunk, sizeof chunk};
    size_t sent;
    e = __wasi_sock_send(fd, &iov, 1, 0, &sent);
    if (e == __WASI_ERRNO_AGAIN) break;
    if (e) die("sock_send", e);
    total += sent;
    if (total > (1ull << 30)) die("no backpressure after 1 GiB", 0);
  }
  printf("again\n");
  fflush(stdout);
  __wasi_subscription_t sub;
  memset(&sub, 0, sizeof sub);
  sub.u.tag = __WASI_EVENTTYPE_FD_WRITE;
  sub.u.u.fd_write.file_descriptor = fd;
  __wasi_event_t ev;
  size_t n;
  if ((e = __wasi_poll_oneoff(&sub, &ev, 1, &n))) die("poll_oneoff", e);
  printf("writable: %zu event(s), error %s\n", n, err(ev.error));
  if ((e = __wasi_fd_fdstat_set_flags(fd, 0))) die("fdstat_set_flags", e);
  if ((e = send_all(fd, chunk, sizeof chunk))) die("sock_send", e);
  total += sizeof chunk;
  if ((e = __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR))) die("sock_shutdown", e);
  char buf[64];
  size_t at = 0, got;
  for (;;) {
    __wasi_iovec_t in = {(uint8_t *)buf + at, sizeof buf - 1 - at};
    if ((e = __wasi_fd_read(fd, &in, 1, &got))) die("fd_read", e);
    if (got == 0) break;
    at += got;
  }
  buf[at] = 0;
  printf("peer got %s, sent %s\n", buf, strtoull(buf, NULL, 10) == total ? "the same" : "differs");
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *mode = argv[1];
  int arg = argc > 2 ? atoi(argv[2]) : 0;
  if (!strcmp(mode, "echo-server")) return echo_server(arg);
  if (!strcmp(mode, "echo-client") && argc > 3) return echo_client(arg, argv[3]);
  if (!strcmp(mode, "nb-connect")) return nb_connect(arg);
  if (!strcmp(mode, "udp-echo")) return udp_echo(arg);
  if (!strcmp(mode, "udp-server")) return udp_server();
  if (!strcmp(mode, "udp-connected")) return udp_connected(arg);
  if (!strcmp(mode, "resolve") && argc > 2) return resolve(argv[2]);
  if (!strcmp(mode, "opts")) return opts();
  if (!strcmp(mode, "connect-errno")) return connect_errno(arg);
  if (!strcmp(mode, "listen-errno")) return listen_errno(arg);
  if (!strcmp(mode, "bad")) return bad();
  if (!strcmp(mode, "http")) return http(arg);
  if (!strcmp(mode, "epoll-server")) return epoll_server(arg);
  if (!strcmp(mode, "recv-timeout")) return recv_timeout(arg);
  if (!strcmp(mode, "blast") && argc > 3) return blast(arg, atoi(argv[3]));
  if (!strcmp(mode, "flood")) return flood(arg);
  return 2;
}

// The wasix_32v1 socket imports, declared by hand (Debian's wasi-libc has no WASIX headers), with the
// addr_port layout Wasmer reads: family tag, pad, the port in the guest's byte order, then the address's
// octets in network order. For wasix-net.c and proc/fork.c's socket mode.
#ifndef WASIX_SOCKETS_H
#define WASIX_SOCKETS_H
#include <stdint.h>
#include <wasi/api.h>

#ifndef WASIX
#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))
#endif

typedef struct {
  uint8_t tag;
  uint8_t pad;
  uint8_t octs[108];
} addr_port_t;

typedef struct {
  uint8_t tag;
  uint64_t ts;
} option_timestamp_t;

WASIX(sock_open) int32_t wx_sock_open(int32_t af, int32_t type, int32_t proto, uint32_t *fd);
WASIX(sock_bind) int32_t wx_sock_bind(int32_t fd, const addr_port_t *addr);
WASIX(sock_listen) int32_t wx_sock_listen(int32_t fd, int32_t backlog);
WASIX(sock_accept_v2) int32_t wx_sock_accept_v2(int32_t fd, int32_t flags, uint32_t *newfd, addr_port_t *addr);
WASIX(sock_connect) int32_t wx_sock_connect(int32_t fd, const addr_port_t *addr);
WASIX(sock_status) int32_t wx_sock_status(int32_t fd, uint8_t *status);
WASIX(sock_addr_local) int32_t wx_sock_addr_local(int32_t fd, addr_port_t *addr);
WASIX(sock_addr_peer) int32_t wx_sock_addr_peer(int32_t fd, addr_port_t *addr);
WASIX(sock_set_opt_flag) int32_t wx_set_flag(int32_t fd, int32_t opt, int32_t flag);
WASIX(sock_get_opt_flag) int32_t wx_get_flag(int32_t fd, int32_t opt, uint8_t *flag);
WASIX(sock_set_opt_size) int32_t wx_set_size(int32_t fd, int32_t opt, uint64_t size);
WASIX(sock_get_opt_size) int32_t wx_get_size(int32_t fd, int32_t opt, uint64_t *size);
WASIX(sock_set_opt_time) int32_t wx_set_time(int32_t fd, int32_t opt, const option_timestamp_t *t);
WASIX(sock_get_opt_time) int32_t wx_get_time(int32_t fd, int32_t opt, option_timestamp_t *t);
WASIX(sock_send_to) int32_t wx_send_to(int32_t fd, const __wasi_ciovec_t *iovs, uint32_t n, int32_t flags, const addr_port_t *addr, uint32_t *sent);
WASIX(sock_recv_from) int32_t wx_recv_from(int32_t fd, const __wasi_iovec_t *iovs, uint32_t n, int32_t flags, uint32_t *got, uint16_t *roflags, addr_port_t *addr);
WASIX(resolve) int32_t wx_resolve(const char *host, uint32_t host_len, int32_t port, uint8_t *addrs, uint32_t naddrs, uint32_t *n);

#endif

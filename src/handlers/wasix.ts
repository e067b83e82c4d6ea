import type { WasiSnapshotPreview1 } from '../../generated/preview1/handlers.js';
import type { Wasix32v1 } from '../../generated/wasix/handlers.js';
import { Errno, SignalNames } from '../../generated/wasix/types.js';
import { EPOLL_EVENT as EPOLL_EVENT_64, readEpollEvent as readEpollEvent64, writeEpollEvent as writeEpollEvent64 } from '../../generated/wasix64/layout.js';
import { WasiError } from '../abi/errno-of.js';
import { WASM64 } from '../abi/guest-abi.js';
import type { Process } from '../kernel/process.js';
import { pathHandlers } from './preview1/path.js';
import { wasixClockHandlers } from './wasix/clock.js';
import { wasixCwdHandlers } from './wasix/cwd.js';
import { wasixEpollHandlers } from './wasix/epoll.js';
import { wasixProcHandlers } from './wasix/proc.js';
import { wasixFdHandlers } from './wasix/fds.js';
import { wasixSignalHandlers } from './wasix/signals.js';
import { wasixSockPairHandlers } from './wasix/sock-pair.js';
import { wasixSocketHandlers, type SocketCalls } from './wasix/sockets.js';
import { stackOf, wasixStackHandlers, type StackCalls } from './wasix/stack.js';
import { wasixThreadHandlers, type ThreadCalls } from './wasix/threads.js';
import { wasixTtyHandlers } from './wasix/tty.js';

// The 86 WASIX extensions of `wasix_32v1` (the preview1 functions in that namespace are preview1's own).
// What one process with threads can do exactly is implemented; everything else answers `notsup`
// before it reads or writes guest memory, with the reason below. The README's WASIX table says the same.

/** The extensions implemented here. */
type Implemented =
  | 'callback_signal'
  | 'chdir'
  | 'clock_time_set'
  | 'epoll_create'
  | 'epoll_ctl'
  | 'epoll_wait'
  | 'fd_dup'
  | 'fd_dup2'
  | 'fd_event'
  | 'fd_fdflags_get'
  | 'fd_fdflags_set'
  | 'fd_pipe'
  | 'getcwd'
  | 'path_open2'
  | 'proc_fork'
  | 'proc_exec'
  | 'proc_exec2'
  | 'proc_exec3'
  | 'proc_id'
  | 'proc_join'
  | 'proc_parent'
  | 'proc_raise_interval'
  | 'proc_signal'
  | 'proc_signals_get'
  | 'proc_signals_sizes_get'
  | 'proc_spawn'
  | 'proc_spawn2'
  | 'sock_pair'
  | SocketCalls
  | StackCalls
  | ThreadCalls
  | 'tty_get'
  | 'tty_set';

const MULTICAST = 'multicast groups are not provided: the I/O worker does not carry node:dgram memberships';
const NETWORK = 'virtual network ports (bridges, DHCP, routes) have no counterpart in a JavaScript host';
const DYNAMIC = "needs the guest's function table and dynamic linking: not supported";

/** Why each other extension answers `notsup`. */
export const WASIX_NOTSUP: Readonly<Record<Exclude<keyof Wasix32v1, Implemented>, string>> = {
  proc_snapshot: 'no snapshots of guest state',
  port_bridge: NETWORK,
  port_unbridge: NETWORK,
  port_dhcp_acquire: NETWORK,
  port_addr_add: NETWORK,
  port_addr_remove: NETWORK,
  port_addr_clear: NETWORK,
  port_mac: NETWORK,
  port_addr_list: NETWORK,
  port_gateway_set: NETWORK,
  port_route_add: NETWORK,
  port_route_remove: NETWORK,
  port_route_clear: NETWORK,
  port_route_list: NETWORK,
  sock_join_multicast_v4: MULTICAST,
  sock_leave_multicast_v4: MULTICAST,
  sock_join_multicast_v6: MULTICAST,
  sock_leave_multicast_v6: MULTICAST,
  dl_invalid_handle: DYNAMIC,
  dlopen: DYNAMIC,
  dlsym: DYNAMIC,
  call_dynamic: DYNAMIC,
  closure_prepare: DYNAMIC,
  closure_allocate: DYNAMIC,
  closure_free: DYNAMIC,
  reflect_signature: DYNAMIC,
};

/**
 * The extensions of `wasix_32v1` over one kernel. `p1` is the preview1 implementation on the same
 * kernel, whose `path_open` serves `path_open2` (made here when not given).
 */
export function wasixHandlers(k: Process, p1: Pick<WasiSnapshotPreview1, 'path_open'> = pathHandlers(k)): Wasix32v1 {
  const refused = Object.fromEntries(
    Object.entries(WASIX_NOTSUP).map(([name, why]) => [
      name,
      () => {
        throw new WasiError('notsup', `${name}: ${why}`);
      },
    ]),
  ) as unknown as Omit<Wasix32v1, Implemented>;
  return {
    ...refused,
    ...wasixFdHandlers(k),
    ...wasixCwdHandlers(k),
    ...wasixTtyHandlers(k),
    ...wasixClockHandlers(),
    ...wasixEpollHandlers(k),
    ...wasixSockPairHandlers(k),
    ...wasixSocketHandlers(k),
    ...wasixSignalHandlers(k),
    ...wasixStackHandlers(stackOf(k)),
    ...wasixProcHandlers(k, p1),
    path_open2(fd, dirflags, path, oflags, rightsBase, rightsInheriting, fdflags, fdflagsext) {
      const opened = p1.path_open(fd, dirflags, path, oflags, rightsBase, rightsInheriting, fdflags);
      // Close-on-exec belongs to the new fd alone (fd_fdflags_get reads it back).
      k.fds.fd(opened, 0).fdflagsext = fdflagsext;
      return opened;
    },
    proc_id: () => k.pid,
    ...wasixThreadHandlers(k),
  };
}

/**
 * The extensions under `wasix_64v1`: the same handlers, told that pointers and `usize` in guest records
 * are 8 bytes (getcwd's `*path_len`, epoll_event's data); the generated shims convert i64 arguments.
 * `thread_spawn_v2` answers `notsup`: a thread's start record and the worker's entry call
 * (`wasi_thread_start(i32, i32)`) are wasm32-only in wasi-kit's thread runtime. `proc_spawn2` too: its
 * `proc_spawn_fd_op` records hold a path pointer, and the process code reads them at wasm32's layout;
 * so do `sock_send_to`/`sock_recv_from` (iovecs) and `stack_checkpoint`/`stack_restore` (asyncify).
 */
export function wasix64Handlers(k: Process, p1: Pick<WasiSnapshotPreview1, 'path_open'>): Wasix32v1 {
  return {
    ...wasixHandlers(k, p1),
    ...wasixCwdHandlers(k, WASM64),
    ...wasixEpollHandlers(k, { EPOLL_EVENT: EPOLL_EVENT_64, readEpollEvent: readEpollEvent64, writeEpollEvent: writeEpollEvent64 }),
    thread_spawn_v2() {
      throw new WasiError('notsup', 'thread_spawn_v2: threads of a wasm64 guest are not supported');
    },
    proc_spawn2() {
      throw new WasiError('notsup', 'proc_spawn2: file actions of a wasm64 guest (proc_spawn_fd_op) are not supported');
    },
    // The socket code gathers and scatters iovecs at wasm32's layout; asyncify's stack records are wasm32's.
    sock_send_to() {
      throw new WasiError('notsup', 'sock_send_to: iovecs of a wasm64 guest are not read by the WASIX socket code');
    },
    sock_recv_from() {
      throw new WasiError('notsup', 'sock_recv_from: iovecs of a wasm64 guest are not read by the WASIX socket code');
    },
    stack_checkpoint() {
      throw new WasiError('notsup', 'stack_checkpoint: the stack of a wasm64 guest is not unwound');
    },
    stack_restore() {
      throw new WasiError('notsup', 'stack_restore: the stack of a wasm64 guest is not rewound');
    },
    proc_fork() {
      throw new WasiError('notsup', 'proc_fork: the stack of a wasm64 guest is not unwound');
    },
  };
}

/**
 * `proc_raise` under WASIX's signal numbers (WASIX inserts `stkflt` at 16, so every later signal is one
 * higher than in preview1): the signal goes through the process's signals (src/kernel/signals.ts), to
 * the guest's callback when one is registered, else the default action (128 + the WASIX number, which
 * is Linux's), as Wasmer's proc_raise does (lib/wasix/src/syscalls/wasi/proc_raise.rs). A number out of
 * range goes to preview1's shim, which answers inval.
 */
export function wasixProcRaise(p1ProcRaise: (sig: number) => number, k: Process): (sig: number) => number {
  return (sig) => {
    if (SignalNames[sig >>> 0] === undefined) return p1ProcRaise(sig);
    k.signals.raise(sig >>> 0);
    k.signals.deliver();
    return Errno.success;
  };
}

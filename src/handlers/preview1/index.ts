import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { WASM32, type GuestAbi } from '../../abi/guest-abi.js';
import type { Process } from '../../kernel/process.js';
import { argsHandlers } from './args.js';
import { clockHandlers } from './clock.js';
import { fdHandlers } from './fd.js';
import { pathHandlers } from './path.js';
import { pollHandlers } from './poll.js';
import { procHandlers } from './proc.js';
import { randomHandlers } from './random.js';
import { sockHandlers } from './sock.js';

type Call = keyof WasiSnapshotPreview1;
type Handler = (...args: never[]) => unknown;

/** The handler files, each making the handlers of its calls over a kernel. */
const GROUPS = {
  args: argsHandlers,
  clock: clockHandlers,
  fd: fdHandlers,
  path: pathHandlers,
  poll: pollHandlers,
  proc: procHandlers,
  random: randomHandlers,
  sock: sockHandlers,
} satisfies Record<string, (k: Process, abi: GuestAbi) => Partial<WasiSnapshotPreview1>>;

/** The file of every preview1 call (typed over them all: a call added to the WITX must be placed here). */
const GROUP_OF: Record<Call, keyof typeof GROUPS> = {
  args_get: 'args',
  args_sizes_get: 'args',
  environ_get: 'args',
  environ_sizes_get: 'args',
  clock_res_get: 'clock',
  clock_time_get: 'clock',
  fd_advise: 'fd',
  fd_allocate: 'fd',
  fd_close: 'fd',
  fd_datasync: 'fd',
  fd_fdstat_get: 'fd',
  fd_fdstat_set_flags: 'fd',
  fd_fdstat_set_rights: 'fd',
  fd_filestat_get: 'fd',
  fd_filestat_set_size: 'fd',
  fd_filestat_set_times: 'fd',
  fd_pread: 'fd',
  fd_prestat_get: 'fd',
  fd_prestat_dir_name: 'fd',
  fd_pwrite: 'fd',
  fd_read: 'fd',
  fd_readdir: 'fd',
  fd_renumber: 'fd',
  fd_seek: 'fd',
  fd_sync: 'fd',
  fd_tell: 'fd',
  fd_write: 'fd',
  path_create_directory: 'path',
  path_filestat_get: 'path',
  path_filestat_set_times: 'path',
  path_link: 'path',
  path_open: 'path',
  path_readlink: 'path',
  path_remove_directory: 'path',
  path_rename: 'path',
  path_symlink: 'path',
  path_unlink_file: 'path',
  poll_oneoff: 'poll',
  proc_exit: 'proc',
  proc_raise: 'proc',
  sched_yield: 'proc',
  random_get: 'random',
  sock_accept: 'sock',
  sock_recv: 'sock',
  sock_send: 'sock',
  sock_shutdown: 'sock',
};

/** Makes every file's handlers of a `preview1Handlers` object now. */
const makers = new WeakMap<WasiSnapshotPreview1, () => void>();

/**
 * The one real implementation of WASI: preview1, over a kernel. Other versions adapt to it.
 * `abi`: the guest's pointer size (wasm64 for `wasix_64v1`); wasm32 for every other version.
 *
 * A file's handlers are made on the first call of one of them: until then each call is a stand-in
 * that makes them, puts them in its place and forwards, so a program compiles and builds only the
 * files it calls (V8 compiles a function on its first call; issue 18). Whoever keeps a handler
 * function rather than calling through the object makes them all first (`madeAll`).
 */
export function preview1Handlers(k: Process, abi: GuestAbi = WASM32): WasiSnapshotPreview1 {
  const made = new Set<keyof typeof GROUPS>();
  const make = (group: keyof typeof GROUPS) => {
    if (made.has(group)) return;
    made.add(group);
    Object.assign(h, GROUPS[group](k, abi));
  };
  const standIn =
    (name: Call): Handler =>
    (...args) => {
      make(GROUP_OF[name]);
      return (h[name] as (...a: unknown[]) => unknown)(...args);
    };
  // Made whole by fromEntries and changed by Object.assign, not by a keyed store per name: V8 keeps it in fast mode.
  const h = Object.fromEntries(Object.keys(GROUP_OF).map((name) => [name, standIn(name as Call)])) as Record<Call, Handler>;
  const handlers = h as unknown as WasiSnapshotPreview1;
  makers.set(handlers, () => {
    for (const group of Object.keys(GROUPS) as (keyof typeof GROUPS)[]) make(group);
  });
  return handlers;
}

/** `h` with every handler made: for an adapter that copies the functions out of it (snapshot0's, ephemeral's). */
export function madeAll(h: WasiSnapshotPreview1): WasiSnapshotPreview1 {
  makers.get(h)?.();
  return h;
}

import { WasiError } from '../abi/errno-of.js';
import type { DirEntry, FileSystem, Handle } from '../fs/types.js';
import type { GuestSocket } from '../sockets/types.js';
import type { InputSource, OutputSink } from '../stdio.js';

interface EntryBase {
  /** preview1 `filetype` value. */
  filetype: number;
  /** Rights as 32-bit numbers (see rights.ts). */
  rightsBase: number;
  rightsInheriting: number;
  /** preview1 `fdflags` bits; a duplicate shares them with its original (they belong to the open file, as in POSIX). */
  fdflags: number;
  /** WASIX `fdflagsext` bits (close-on-exec): this fd's own, never shared with a duplicate. */
  fdflagsext?: number;
  /** Set once the fd has been duplicated: how many fds refer to this open file, which is closed with the last. */
  shared?: { refs: number };
}

export interface StdioEntry extends EntryBase {
  readonly kind: 'stdio';
  readonly source: InputSource | undefined;
  readonly sink: OutputSink | undefined;
  /** Set on socket fds: what the sock_* calls and poll_oneoff act on. */
  readonly socket?: GuestSocket;
  /** Called when the last fd referring to this stream is closed (a pipe end, an event fd). */
  readonly onClose?: () => void;
}

export interface FsEntry extends EntryBase {
  readonly kind: 'fs';
  readonly fs: FileSystem;
  readonly handle: Handle;
  readonly isDir: boolean;
  /** The guest path of a preopened directory, for `fd_prestat_*`. */
  readonly preopen: string | undefined;
  /** The listing `fd_readdir` pages through, kept between calls so cookies stay stable. */
  listing: DirEntry[] | undefined;
}

export type FdEntry = StdioEntry | FsEntry;

/** The guest's file descriptors: lowest free number first, rights checked on every lookup. */
export class FdTable {
  private readonly entries: (FdEntry | undefined)[] = [];
  private open = 0;

  constructor(private readonly maxOpen: number) {}

  /** The entry for `fd`, which must hold every right in `rights`: `badf` or `notcapable` otherwise. */
  get(fd: number, rights: number): FdEntry {
    const e = this.entries[fd];
    if (e === undefined) throw new WasiError('badf');
    if ((e.rightsBase & rights) !== rights) throw new WasiError('notcapable');
    return e;
  }

  /** Like `get`, for an fd that must be a file or directory of a filesystem. */
  getFs(fd: number, rights: number): FsEntry {
    const e = this.get(fd, rights);
    if (e.kind !== 'fs') throw new WasiError(rights === 0 ? 'badf' : 'notcapable');
    return e;
  }

  /** Like `getFs`, for a directory (`notdir` otherwise). */
  getDir(fd: number, rights: number): FsEntry {
    const e = this.getFs(fd, rights);
    if (!e.isDir) throw new WasiError('notdir');
    return e;
  }

  insert(entry: FdEntry): number {
    return this.insertFrom(entry, 0);
  }

  /** Inserts `entry` at the lowest free fd not below `min` (F_DUPFD); `min` must be below the open-file limit. */
  insertFrom(entry: FdEntry, min: number): number {
    if (this.open >= this.maxOpen) throw new WasiError('nfile');
    if (min >= this.maxOpen) throw new WasiError('inval', `fd ${min} is past the limit of ${this.maxOpen} open files`);
    let fd = this.entries.indexOf(undefined, min);
    if (fd < 0) fd = Math.max(this.entries.length, min);
    while (this.entries.length < fd) this.entries.push(undefined);
    this.entries[fd] = entry;
    this.open++;
    return fd;
  }

  /**
   * A new fd (the lowest free one not below `min`) for the open file of `fd`: same backend handle,
   * position, stream and `fdflags`; its own rights (copied) and `fdflagsext`; never a preopen.
   */
  dup(fd: number, min: number, fdflagsext: number): number {
    const e = this.get(fd, 0);
    const shared = (e.shared ??= { refs: 1 });
    // A duplicate of a preopened directory is not itself a preopen: fd_prestat_get lists what the host gave.
    const copy: FdEntry = e.kind === 'fs' ? { ...e, preopen: undefined, fdflagsext, shared } : { ...e, fdflagsext, shared };
    Object.defineProperty(copy, 'fdflags', {
      enumerable: true,
      get: () => e.fdflags,
      set: (v: number) => {
        e.fdflags = v;
      },
    });
    const to = this.insertFrom(copy, min);
    shared.refs++;
    return to;
  }

  /** Places `entry` at `fd`, which must be free (used for stdio and preopens). */
  set(fd: number, entry: FdEntry): void {
    if (this.entries[fd] !== undefined) throw new Error(`fd ${fd} is taken`);
    while (this.entries.length < fd) this.entries.push(undefined);
    this.entries[fd] = entry;
    this.open++;
  }

  /** Puts `entry` in place of what `fd` holds (before the guest runs: the host's own setup). */
  replace(fd: number, entry: FdEntry): void {
    if (this.entries[fd] === undefined) throw new Error(`fd ${fd} is free`);
    this.entries[fd] = entry;
  }

  /** Closes `fd` (`badf` when it holds nothing); what it refers to is closed with the last fd referring to it. */
  close(fd: number): void {
    release(this.detach(fd));
  }

  /** Moves `from` onto `to`, closing what `to` held (as `close` would). */
  renumber(from: number, to: number): void {
    const e = this.entries[from];
    if (e === undefined || this.entries[to] === undefined) throw new WasiError('badf');
    if (from === to) return;
    const replaced = this.entries[to]!;
    this.entries[to] = e;
    this.detach(from);
    release(replaced);
  }

  private detach(fd: number): FdEntry {
    const e = this.entries[fd];
    if (e === undefined) throw new WasiError('badf');
    this.entries[fd] = undefined;
    this.open--;
    while (this.entries.length && this.entries[this.entries.length - 1] === undefined) this.entries.pop();
    return e;
  }

  /** Every open entry, for closing at exit. */
  *all(): Iterable<[number, FdEntry]> {
    for (let fd = 0; fd < this.entries.length; fd++) {
      const e = this.entries[fd];
      if (e) yield [fd, e];
    }
  }
}

/** Closes what every fd holds (files, directories, sockets, pipes), for the end of a run. */
export function closeAll(table: FdTable): void {
  for (const [, e] of table.all()) release(e);
}

/** Drops one fd's reference to what it holds, closing it when no other fd refers to it. */
function release(e: FdEntry): void {
  if (e.shared && --e.shared.refs > 0) return;
  if (e.kind === 'fs') {
    e.fs.close(e.handle);
    return;
  }
  e.onClose?.();
  if (!e.socket) return;
  if (e.socket.kind === 'listener') e.socket.listener.close();
  else e.socket.conn.close();
}

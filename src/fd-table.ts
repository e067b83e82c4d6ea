import { WasiError } from './abi/errno-of.js';
import type { DirEntry, FileSystem, Handle } from './fs/types.js';
import type { GuestSocket } from './sockets/types.js';
import type { InputSource, OutputSink } from './stdio.js';

interface EntryBase {
  /** preview1 `filetype` value. */
  filetype: number;
  /** Rights as 32-bit numbers (see rights.ts). */
  rightsBase: number;
  rightsInheriting: number;
  /** preview1 `fdflags` bits. */
  fdflags: number;
}

export interface StdioEntry extends EntryBase {
  readonly kind: 'stdio';
  readonly source: InputSource | undefined;
  readonly sink: OutputSink | undefined;
  /** Set on socket fds: what the sock_* calls and poll_oneoff act on. */
  readonly socket?: GuestSocket;
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
    if (this.open >= this.maxOpen) throw new WasiError('nfile');
    let fd = this.entries.indexOf(undefined);
    if (fd < 0) fd = this.entries.length;
    this.entries[fd] = entry;
    this.open++;
    return fd;
  }

  /** Places `entry` at `fd`, which must be free (used for stdio and preopens). */
  set(fd: number, entry: FdEntry): void {
    if (this.entries[fd] !== undefined) throw new Error(`fd ${fd} is taken`);
    while (this.entries.length < fd) this.entries.push(undefined);
    this.entries[fd] = entry;
    this.open++;
  }

  /**
   * Removes `fd` and returns what it held (`badf` when it holds nothing). A socket is closed here,
   * since the fd is its only owner; files are closed by the caller.
   */
  remove(fd: number): FdEntry {
    const e = this.detach(fd);
    closeSocket(e);
    return e;
  }

  /** Moves `from` onto `to`, returning what `to` held so the caller can close it (a socket is closed here). */
  renumber(from: number, to: number): FdEntry | undefined {
    const e = this.entries[from];
    if (e === undefined || this.entries[to] === undefined) throw new WasiError('badf');
    if (from === to) return undefined;
    const replaced = this.entries[to]!;
    this.entries[to] = e;
    this.detach(from);
    closeSocket(replaced);
    return replaced;
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

/** Closes what every fd holds (files, directories, sockets), for the end of a run. */
export function closeAll(table: FdTable): void {
  for (const [, e] of table.all()) {
    if (e.kind === 'fs') e.fs.close(e.handle);
    else closeSocket(e);
  }
}

function closeSocket(e: FdEntry): void {
  if (e.kind !== 'stdio' || !e.socket) return;
  if (e.socket.kind === 'listener') e.socket.listener.close();
  else e.socket.conn.close();
}

import { WasiError } from '../abi/errno-of.js';
import type { FastFd, FastFds } from '../fast-fds.js';
import { R } from '../rights.js';
import { closeOpenFile, type FsFile, type OpenFile } from './open-file.js';

/** One fd: the open file description it refers to, and what belongs to the fd alone. */
export interface Fd {
  readonly file: OpenFile;
  /** Rights as 32-bit numbers (see rights.ts): each fd has its own, a duplicate starts with a copy. */
  rightsBase: number;
  rightsInheriting: number;
  /** WASIX `fdflagsext` bits (close-on-exec): this fd's own, never shared with a duplicate. */
  fdflagsext: number;
  /** The guest path of a preopened directory, for `fd_prestat_*`. */
  readonly preopen?: string;
}

/** What a new fd is made from; `fdflagsext` defaults to none. */
export type NewFd = Omit<Fd, 'fdflagsext'> & { fdflagsext?: number };

/**
 * The guest's file descriptors (Linux's `files_struct`): fd -> {open file description, rights,
 * close-on-exec}, lowest free number first, rights checked on every lookup. Descriptions are counted,
 * so one shared by several fds (dup) is closed with the last of them.
 */
export class FdTable {
  private readonly entries: (Fd | undefined)[] = [];
  private open = 0;
  /** The map a process's workers read to serve pipe fds themselves (fast-fds.ts), kept as fds change. */
  #fast: FastFds | undefined;

  constructor(private readonly maxOpen: number) {}

  /** The fd `fd`, which must hold every right in `rights`: `badf` or `notcapable` otherwise. */
  fd(fd: number, rights: number): Fd {
    const e = this.entries[fd];
    if (e === undefined) throw new WasiError('badf');
    if ((e.rightsBase & rights) !== rights) throw new WasiError('notcapable');
    return e;
  }

  /** The open file `fd` refers to; the fd must hold every right in `rights`: `badf` or `notcapable` otherwise. */
  get(fd: number, rights: number): OpenFile {
    return this.fd(fd, rights).file;
  }

  /** Like `fd`, for an fd that refers to a file or directory of a filesystem. */
  fdFs(fd: number, rights: number): Fd & { readonly file: FsFile } {
    const e = this.fd(fd, rights);
    if (e.file.kind !== 'fs') throw new WasiError(rights === 0 ? 'badf' : 'notcapable');
    return e as Fd & { readonly file: FsFile };
  }

  /** Like `get`, for an fd that must be a file or directory of a filesystem. */
  getFs(fd: number, rights: number): FsFile {
    return this.fdFs(fd, rights).file;
  }

  /** Like `fdFs`, for a directory (`notdir` otherwise). */
  fdDir(fd: number, rights: number): Fd & { readonly file: FsFile } {
    const e = this.fdFs(fd, rights);
    if (!e.file.isDir) throw new WasiError('notdir');
    return e;
  }

  /** Like `getFs`, for a directory (`notdir` otherwise). */
  getDir(fd: number, rights: number): FsFile {
    return this.fdDir(fd, rights).file;
  }

  insert(entry: NewFd): number {
    return this.insertFrom(entry, 0);
  }

  /** Keeps `fast` up to date with this table's pipe fds from now on (undefined: no longer). */
  observe(fast: FastFds | undefined): void {
    this.#fast?.clear();
    this.#fast = fast;
    if (fast) for (const [fd, e] of this.all()) fast.set(fd, fastFdOf(e));
  }

  /** `fd`'s rights have changed: what its workers may do changes with them. */
  changed(fd: number): void {
    const e = this.entries[fd];
    this.#fast?.set(fd, e && fastFdOf(e));
  }

  /** Inserts `entry` at the lowest free fd not below `min` (F_DUPFD); `min` must be below the open-file limit. */
  insertFrom(entry: NewFd, min: number): number {
    if (this.open >= this.maxOpen) throw new WasiError('nfile');
    if (min >= this.maxOpen) throw new WasiError('inval', `fd ${min} is past the limit of ${this.maxOpen} open files`);
    let fd = this.entries.indexOf(undefined, min);
    if (fd < 0) fd = Math.max(this.entries.length, min);
    this.#place(fd, entry);
    return fd;
  }

  /**
   * A new fd (the lowest free one not below `min`) for the open file of `fd`: same description (backend
   * handle, position, stream, `fdflags`); its own rights (copied) and `fdflagsext`; never a preopen.
   */
  dup(fd: number, min: number, fdflagsext: number): number {
    const e = this.fd(fd, 0);
    // A duplicate of a preopened directory is not itself a preopen: fd_prestat_get lists what the host gave.
    return this.insertFrom({ file: e.file, rightsBase: e.rightsBase, rightsInheriting: e.rightsInheriting, fdflagsext }, min);
  }

  /** Moves every fd from `fd` up by one, leaving `fd` free (before the guest runs: the host's own setup). */
  shiftFrom(fd: number): void {
    if (this.entries.length > fd) this.entries.splice(fd, 0, undefined);
  }

  /** Places `entry` at `fd`, which must be free (used for stdio and preopens). */
  set(fd: number, entry: NewFd): void {
    if (this.entries[fd] !== undefined) throw new Error(`fd ${fd} is taken`);
    this.#place(fd, entry);
  }

  #place(fd: number, entry: NewFd): void {
    while (this.entries.length < fd) this.entries.push(undefined);
    // Every fd of one shape (a spread's would depend on which fields the caller gave).
    const e = { file: entry.file, rightsBase: entry.rightsBase, rightsInheriting: entry.rightsInheriting, fdflagsext: entry.fdflagsext ?? 0, preopen: entry.preopen };
    this.entries[fd] = e;
    entry.file.refs = (entry.file.refs ?? 0) + 1;
    this.open++;
    this.#fast?.set(fd, fastFdOf(e));
  }

  /** Puts `file` in place of the description `fd` refers to (before the guest runs: the host's own setup). */
  replace(fd: number, file: OpenFile): void {
    const e = this.entries[fd];
    if (e === undefined) throw new Error(`fd ${fd} is free`);
    file.refs = e.file.refs;
    this.entries[fd] = { ...e, file };
    this.changed(fd);
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
    this.changed(to);
    this.detach(from);
    release(replaced);
  }

  private detach(fd: number): Fd {
    const e = this.entries[fd];
    if (e === undefined) throw new WasiError('badf');
    this.entries[fd] = undefined;
    this.#fast?.set(fd, undefined);
    this.open--;
    while (this.entries.length && this.entries[this.entries.length - 1] === undefined) this.entries.pop();
    return e;
  }

  /**
   * A new table holding the fds of this one for which `keep` is true, each referring to the same open
   * file (fork, spawn: the child shares its parent's descriptions).
   */
  clone(keep: (fd: number, e: Fd) => boolean): FdTable {
    const t = new FdTable(this.maxOpen);
    for (const [fd, e] of this.all()) if (keep(fd, e)) t.set(fd, e);
    return t;
  }

  /** Every open fd. */
  *all(): Iterable<[number, Fd]> {
    for (let fd = 0; fd < this.entries.length; fd++) {
      const e = this.entries[fd];
      if (e) yield [fd, e];
    }
  }
}

/**
 * Closes every fd and what it holds (files, directories, sockets, pipes), for the end of a run; the
 * table is empty afterwards, so a second call closes nothing twice. Stdio never closes a host fd.
 */
export function closeAll(table: FdTable): void {
  for (const fd of [...table.all()].map(([n]) => n)) table.close(fd);
}

/** What a worker may do with `e` itself: read or write a pipe end in the arena, as its rights allow. */
function fastFdOf(e: Fd): FastFd | undefined {
  const f = e.file;
  if (f.kind !== 'pipe' || !f.fast) return undefined;
  const mayRead = (e.rightsBase & R.fd_read) !== 0;
  const mayWrite = (e.rightsBase & R.fd_write) !== 0;
  return mayRead || mayWrite ? { slot: f.fast.slot, end: f.fast.end, mayRead, mayWrite } : undefined;
}

/** Drops one fd's reference to its open file, closing the file when no other fd refers to it. */
function release(e: Fd): void {
  const file = e.file;
  file.refs = (file.refs ?? 1) - 1;
  if (file.refs > 0) return;
  closeOpenFile(file);
}

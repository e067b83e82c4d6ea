/**
 * The filesystem contract the WASI handlers call.
 *
 * Everything crossing this interface is plain data (numbers, bigints, strings, `Uint8Array`, plain
 * objects) and every call is synchronous, so a filesystem living in another thread can be reached
 * through a blocking call over shared memory with a structured-clone transport.
 *
 * Paths are always relative to a directory handle, in the manner of `openat(2)`: the directory a
 * handle names is the sandbox for that call (`..` may not climb above it, absolute paths and
 * absolute symlink targets are refused). See `path-resolver.ts` for the exact rules.
 */

export type { ErrnoName } from '../abi/wasi-error.js';
export { WasiError } from '../abi/wasi-error.js';

/** A number naming an open file or directory inside one {@link FileSystem}. */
export type Handle = number;

/** The preview1 `$filetype` names. */
export type FileType =
  | 'unknown'
  | 'block_device'
  | 'character_device'
  | 'directory'
  | 'regular_file'
  | 'socket_dgram'
  | 'socket_stream'
  | 'symbolic_link';

/** Metadata of one inode; 64-bit quantities are bigints, times are nanoseconds since the epoch. */
export interface FileStat {
  dev: bigint;
  ino: bigint;
  filetype: FileType;
  nlink: bigint;
  /** Bytes for regular files; the target's UTF-8 length for symlinks; backend-defined for directories. */
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

/** One entry of {@link FileSystem.readdir}. */
export interface DirEntry {
  name: string;
  type: FileType;
  ino: bigint;
}

/**
 * How to open. All flags default to false.
 *
 * Opening a directory read-only works with or without `directory`; asking for `write`, `truncate`
 * or `append` on a directory gives `isdir`; `create` together with `directory` gives `inval`.
 */
export interface OpenFlags {
  read?: boolean;
  write?: boolean;
  /** Create a regular file if nothing is there. */
  create?: boolean;
  /** With `create`: fail with `exist` if anything (even a dangling symlink) is there. */
  exclusive?: boolean;
  /** Cut a regular file to zero bytes. */
  truncate?: boolean;
  /** Fail with `notdir` unless the path names a directory. */
  directory?: boolean;
  /** Every write goes to the current end of the file, whatever the position or offset given. */
  append?: boolean;
  /** Do not follow a symlink in the last component: opening one gives `loop`. */
  nofollow?: boolean;
}

/** Where {@link FileSystem.seek} counts from (preview1 `$whence`, by name). */
export type Whence = 'set' | 'cur' | 'end';

/** A new time in nanoseconds, `'now'`, or `undefined` to leave that time unchanged. */
export type TimeSpec = bigint | 'now' | undefined;

export interface SetTimes {
  atim?: TimeSpec;
  mtim?: TimeSpec;
}

/**
 * A filesystem for a WASI host: synchronous calls (an asynchronous backend answers through `settle`).
 *
 * Contract for implementers:
 * - Throw {@link WasiError} with a preview1 errno name for every failure the guest should see; let
 *   anything else (host bugs) escape unchanged.
 * - Handles are small non-negative integers kept in a table owned by the backend; an unknown or
 *   closed handle gives `badf`. A limit on open handles, if any, gives `nfile`.
 * - The backend keeps the position of each open file. `read`/`write` use and advance it;
 *   `pread`/`pwrite` use the offset given and leave it alone. On a handle opened with `append`,
 *   `write` and `pwrite` both write at the current end and `write` moves the position there.
 * - Operations on the wrong kind of handle: byte I/O, `seek`, `ftruncate` and `allocate` on a
 *   directory give `isdir`; `readdir` on a non-directory gives `notdir`. Reading a handle opened
 *   without `read`, or writing one opened without `write`/`append`, gives `badf`.
 * - Path resolution must go through `resolvePath` (or obey the same rules), so a guest can never
 *   reach anything outside the directory it names.
 */
export interface FileSystem {
  /**
   * True for a filesystem whose calls may wait for promises (through `settle` in blocking.ts, so a
   * call parks until its step settles), as `DirectoryHandleFileSystem` does: only a program
   * whose threads run in workers can use it; `start()` refuses it with a `WasiStateError`.
   */
  readonly asynchronous?: boolean;
  /**
   * Optional, for an asynchronous filesystem: resolves once every change made so far is in storage
   * (one may finish a `close` in the background). `WASI.run()` awaits it before it resolves.
   */
  flush?(): Promise<void>;

  /** Opens this filesystem's root directory: the handle a WASI host hands out as a preopen. */
  openRoot(): Handle;

  /** Opens a file or directory relative to the directory `dir`. */
  open(dir: Handle, path: string, flags: OpenFlags): Handle;
  close(handle: Handle): void;

  /** Metadata, following a symlink in the last component. */
  stat(dir: Handle, path: string): FileStat;
  /** Metadata of the last component itself, even when it is a symlink. */
  lstat(dir: Handle, path: string): FileStat;
  fstat(handle: Handle): FileStat;
  /**
   * Optional: the type of what `handle` names (fixed for an open file), without a full `fstat`.
   * `path_open` needs only this; a backend without it is asked for `fstat`.
   */
  fileType?(handle: Handle): FileType;

  /**
   * Fills `into` from the position and advances it; returns the count, short or 0 at end of file.
   * The caller's buffer (guest memory, say) is filled directly: no copy in between.
   */
  read(handle: Handle, into: Uint8Array): number;
  /**
   * Optional: `read` into `buffer[offset, offset + length)`. The caller passes guest memory whole,
   * so a backend that has this spares a view per call (as much as a small read costs).
   */
  readRange?(handle: Handle, buffer: Uint8Array, offset: number, length: number): number;
  /** Fills `into` from `offset`; the position is unchanged. Returns the count. */
  pread(handle: Handle, into: Uint8Array, offset: bigint): number;
  /** Writes at the position (or at the end in append mode), advances it, returns bytes written. */
  write(handle: Handle, data: Uint8Array): number;
  /**
   * Optional: `write` from `buffer[offset, offset + length)`, as `readRange` reads: the caller passes
   * guest memory whole, so a backend that has this spares a view per call.
   */
  writeRange?(handle: Handle, buffer: Uint8Array, offset: number, length: number): number;
  /** Writes at `offset` (or at the end in append mode); the position is unchanged. */
  pwrite(handle: Handle, data: Uint8Array, offset: bigint): number;
  /** Moves the position and returns the new one; a negative result gives `inval`. */
  seek(handle: Handle, offset: bigint, whence: Whence): bigint;

  /** Sets the size of a regular file, following symlinks; new bytes read as zero. */
  truncate(dir: Handle, path: string, size: bigint): void;
  ftruncate(handle: Handle, size: bigint): void;
  /** Makes the file at least `offset + length` bytes long; never shrinks it. */
  allocate(handle: Handle, offset: bigint, length: bigint): void;
  sync(handle: Handle): void;
  datasync(handle: Handle): void;

  /** Sets access/modification times; `follow` decides whether a final symlink is followed. */
  setTimes(dir: Handle, path: string, times: SetTimes, follow: boolean): void;
  fsetTimes(handle: Handle, times: SetTimes): void;

  /**
   * Lists a directory handle. The backend adds `.` and `..` as the first two entries (the
   * caller adds nothing); the rest are sorted by name (UTF-16 code unit order) so the order is
   * stable across calls and backends. At the filesystem root, `..` describes the root itself.
   */
  readdir(handle: Handle): DirEntry[];

  /**
   * Turns append mode of an open file on or off (`fd_fdstat_set_flags`). Optional: a backend without
   * it answers `notsup`.
   */
  setAppend?(handle: Handle, append: boolean): void;

  mkdir(dir: Handle, path: string): void;
  rmdir(dir: Handle, path: string): void;
  /** Removes a non-directory (a symlink itself, never its target); a directory gives `isdir`. */
  unlink(dir: Handle, path: string): void;
  /** Moves without following symlinks in either last component, replacing the target as POSIX allows. */
  rename(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void;
  /**
   * Makes a hard link. A symlink as the source is linked itself unless `follow`, which links what it
   * names (resolved inside the filesystem; a dangling one is `noent`), as linkat(AT_SYMLINK_FOLLOW).
   */
  link(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string, follow?: boolean): void;
  /**
   * `rename` and `link` to a directory of another filesystem `to`, each side resolved inside its own
   * filesystem. Optional: without it, or when the two do not share storage (another backend, another
   * host device), the answer is `xdev`. HostFileSystem has it: two preopens of the host are one disk.
   */
  renameAcross?(oldDir: Handle, oldPath: string, to: FileSystem, newDir: Handle, newPath: string): void;
  linkAcross?(oldDir: Handle, oldPath: string, to: FileSystem, newDir: Handle, newPath: string, follow?: boolean): void;
  /** Creates a symlink holding `target` verbatim; the target is checked only when followed. */
  symlink(target: string, dir: Handle, path: string): void;
  readlink(dir: Handle, path: string): string;
}

/** Options both bundled backends accept. */
export interface FileSystemLimits {
  /** Most handles open at once; opening more gives `nfile`. Unlimited by default. */
  maxOpenFiles?: number;
  /** Every mutating call fails with `rofs`. */
  readOnly?: boolean;
}

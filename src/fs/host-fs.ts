/**
 * A {@link FileSystem} over `node:fs`, confined to one host directory. Node-only.
 *
 * Every guest path goes through `resolvePath`, which walks it one component at a time with
 * `lstat`/`readlink`, so the host call receives a path whose every directory was just checked
 * to be a real directory inside the root. The last component is never followed by the host:
 * opens carry `O_NOFOLLOW`, creations `O_EXCL`, stats use `lstat`, times use `lutimes`.
 *
 * TOCTOU: JavaScript has no `openat`, so between the check and the use another *host* process
 * could swap a checked directory for a symlink and redirect that one call. The guest itself
 * cannot race us (calls are synchronous, one at a time), so the sandbox holds against the
 * guest; it does not hold against a hostile process sharing the tree.
 *
 * Time precision: `fs.*utimes*` take seconds as a double, which keeps about 0.25 µs of the
 * nanoseconds for present-day dates; `host-times.ts` keeps the exact values the guest set and reports
 * them while the host holds what was written.
 *
 * Append: files are never opened with O_APPEND (Node has no fcntl to clear it again); an append
 * handle writes at the end it reads with fstat, as wasmtime's preview1 keeps `append` per descriptor.
 * Not atomic against another process appending to the same file at the same moment.
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { WasiError } from '../abi/wasi-error.js';
import { hostCall, hostCallCount, noteHostCall, rethrowAsWasiError } from './errno-from-node.js';
import { HandleTable } from './handle-table.js';
import { keepTimes, withKeptTimes } from './host-times.js';
import { resolvePath, type PathLookup, type ResolvedPath } from './path-resolver.js';
import * as rules from './posix-rules.js';
import { realtimeNs } from './realtime.js';
import type {
  DirEntry,
  FileStat,
  FileSystem,
  FileSystemLimits,
  FileType,
  Handle,
  OpenFlags,
  SetTimes,
  TimeSpec,
  Whence,
} from './types.js';

export type HostFileSystemOptions = FileSystemLimits;

type Entry =
  | { kind: 'directory'; fd: number; parts: string[] }
  | {
      kind: 'file';
      fd: number;
      /** What the fd names (a regular file, a device...): fixed for its life. */
      type: FileType;
      readable: boolean;
      writable: boolean;
      /** Every write goes to the end (the host fd itself is never O_APPEND). */
      append: boolean;
      /**
       * The position as a number, so that reads and writes do no BigInt arithmetic (a BigInt per call
       * cost more than the rest of a small read); `farPosition` holds it instead when past 2^53, where
       * only a seek takes it (as MemoryFileSystem keeps it).
       */
      position: number;
      farPosition: bigint | undefined;
      /** The stat taken at open, with the host-call count then: answers the guest's fstat that follows at once. */
      opened?: { stats: fs.BigIntStats; at: number };
    };

type FileEntry = Extract<Entry, { kind: 'file' }>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Sets the position: the number while it is a safe integer, `farPosition` past that. */
function setPosition(entry: FileEntry, position: bigint): void {
  const far = position > MAX_SAFE;
  entry.position = far ? Number.MAX_SAFE_INTEGER : Number(position);
  entry.farPosition = far ? position : undefined;
}

/** Moves the position on by `n` bytes, with no BigInt while it stays a safe integer. */
function advance(entry: FileEntry, n: number): void {
  if (entry.farPosition === undefined && entry.position + n <= Number.MAX_SAFE_INTEGER) entry.position += n;
  else setPosition(entry, (entry.farPosition ?? BigInt(entry.position)) + BigInt(n));
}

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

function fileTypeOf(stats: fs.Stats | fs.BigIntStats): FileType {
  if (stats.isFile()) return 'regular_file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symbolic_link';
  if (stats.isCharacterDevice()) return 'character_device';
  if (stats.isBlockDevice()) return 'block_device';
  // The mode cannot tell stream from datagram sockets; uvwasi says stream too.
  if (stats.isSocket()) return 'socket_stream';
  return 'unknown';
}

/**
 * A directory entry's inode number and type for `fd_readdir`, one lstat per entry as uvwasi does. The stat is a
 * number one (a BigIntStats costs a third more in objects and collection, issue 18); an inode number
 * past 2^53, which a double cannot hold, is asked again as a BigInt.
 */
function dirEntryOf(prefix: string, name: string): DirEntry | undefined {
  noteHostCall();
  try {
    const stats = fs.lstatSync(prefix + name, { throwIfNoEntry: false });
    if (stats === undefined) return undefined;
    if (stats.ino <= Number.MAX_SAFE_INTEGER) return { name, type: fileTypeOf(stats), ino: BigInt(stats.ino) };
    noteHostCall();
    const big = fs.lstatSync(prefix + name, { bigint: true, throwIfNoEntry: false });
    return big && { name, type: fileTypeOf(big), ino: big.ino };
  } catch (err) {
    return rethrowAsWasiError(err); // not hostCall: no closure per entry
  }
}

function fileStatOf(stats: fs.BigIntStats): FileStat {
  return withKeptTimes({
    dev: stats.dev,
    ino: stats.ino,
    filetype: fileTypeOf(stats),
    nlink: stats.nlink,
    size: stats.size,
    atim: stats.atimeNs,
    mtim: stats.mtimeNs,
    ctim: stats.ctimeNs,
  });
}

/**
 * Access mode and flags of an open, before creation is decided; O_NOFOLLOW always (the resolver
 * follows); never O_APPEND (see the header).
 */
function openMode(flags: OpenFlags): number {
  const writable = flags.write || flags.append;
  let mode = (writable ? (flags.read ? O_RDWR : O_WRONLY) : O_RDONLY) | O_NOFOLLOW;
  if (flags.truncate) mode |= O_TRUNC;
  return mode;
}

function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

export class HostFileSystem implements FileSystem {
  /** The real, absolute host path of the root. */
  readonly root: string;
  /** `root` with one trailing separator, to append names to. */
  readonly #rootPrefix: string;
  readonly #handles: HandleTable<Entry>;
  readonly #readOnly: boolean;

  /** @param root host directory to confine the guest to; the embedder's choice, trusted as given. */
  constructor(root: string, options: HostFileSystemOptions = {}) {
    this.root = hostCall(() => fs.realpathSync(root));
    this.#rootPrefix = this.root.endsWith(nodePath.sep) ? this.root : this.root + nodePath.sep;
    if (!hostCall(() => fs.statSync(this.root)).isDirectory()) throw new WasiError('notdir', root);
    this.#handles = new HandleTable(options.maxOpenFiles);
    this.#readOnly = options.readOnly ?? false;
  }

  openRoot(): Handle {
    return this.#openDirectory([]);
  }

  open(dir: Handle, path: string, flags: OpenFlags): Handle {
    rules.checkOpenFlags(flags, this.#readOnly);
    this.#handles.checkRoom();
    const direct = this.#openDirect(dir, path, flags);
    if (direct !== undefined) return direct;
    const { full, resolved } = this.#resolve(dir, path, rules.followFinalForOpen(flags));
    const plan = rules.planOpen(flags, resolved);
    if (plan === 'directory') return this.#openDirectory(full);
    let mode = openMode(flags);
    // The resolver saw nothing there; O_EXCL makes sure nothing (such as a symlink) appeared since.
    if (plan === 'create') mode |= O_CREAT | O_EXCL;
    const fd = hostCall(() => fs.openSync(this.#hostPath(full), mode, 0o666));
    return this.#addFile(fd, flags, plan === 'create' ? 'regular_file' : resolved.type!);
  }

  /**
   * The common open, in one host call instead of an lstat of the last component first: the parent
   * is resolved as always (every directory on the way checked), then the last component, a plain
   * name, is opened with O_NOFOLLOW, so the kernel itself refuses a symlink there, as the resolver
   * would have. Anything but success (a symlink to follow, nothing there, a directory to write...)
   * returns undefined and takes the checked path, which gives the exact errno; no failing open has
   * an effect, so trying first changes nothing.
   */
  #openDirect(dir: Handle, path: string, flags: OpenFlags): Handle | undefined {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    if (name === '' || name === '.' || name === '..' || path.includes('\0')) return undefined;
    let parent: string[];
    if (slash < 0) {
      parent = this.#dirEntry(dir).parts;
    } else {
      const { full, resolved } = this.#resolve(dir, path.slice(0, slash), true);
      if (resolved.type !== 'directory') return undefined;
      parent = full;
    }
    let mode = openMode(flags);
    if (flags.create) mode |= O_CREAT | (flags.exclusive ? O_EXCL : 0);
    if (flags.directory) mode |= O_DIRECTORY;
    let fd: number;
    try {
      fd = fs.openSync(this.#hostPath(parent, name), mode, 0o666);
    } catch {
      return undefined;
    }
    let stats: fs.BigIntStats;
    try {
      stats = fs.fstatSync(fd, { bigint: true });
    } catch (err) {
      fs.closeSync(fd);
      return rethrowAsWasiError(err);
    }
    const type = fileTypeOf(stats);
    if (type === 'directory') return this.#handles.add({ kind: 'directory', fd, parts: [...parent, name] });
    // Programs fstat what they just opened (stdio's fopen, stat-then-read): that stat answers it.
    return this.#addFile(fd, flags, type, { stats, at: hostCallCount() });
  }

  #addFile(fd: number, flags: OpenFlags, type: FileType, opened?: { stats: fs.BigIntStats; at: number }): Handle {
    return this.#handles.add({
      kind: 'file',
      fd,
      type,
      readable: Boolean(flags.read),
      writable: Boolean(flags.write || flags.append),
      append: Boolean(flags.append),
      position: 0,
      farPosition: undefined,
      opened,
    });
  }

  close(handle: Handle): void {
    const entry = this.#handles.remove(handle);
    hostCall(() => fs.closeSync(entry.fd));
  }

  stat(dir: Handle, path: string): FileStat {
    return this.#statPath(dir, path, true);
  }

  lstat(dir: Handle, path: string): FileStat {
    return this.#statPath(dir, path, false);
  }

  fstat(handle: Handle): FileStat {
    const entry = this.#handles.get(handle);
    if (entry.kind === 'file' && entry.opened !== undefined) {
      // Once, and only if no host call at all came between (no write, truncate or read anywhere).
      const { stats, at } = entry.opened;
      entry.opened = undefined;
      if (at === hostCallCount()) return fileStatOf(stats);
    }
    return fileStatOf(hostCall(() => fs.fstatSync(entry.fd, { bigint: true })));
  }

  fileType(handle: Handle): FileType {
    const entry = this.#handles.get(handle);
    return entry.kind === 'directory' ? 'directory' : entry.type;
  }

  read(handle: Handle, into: Uint8Array): number {
    return this.readRange(handle, into, 0, into.length);
  }

  /** `read` into `buffer[offset, offset + length)`: the caller passes guest memory whole, no view. */
  readRange(handle: Handle, buffer: Uint8Array, offset: number, length: number): number {
    const entry = this.#file(handle, 'read');
    if (length === 0) return 0;
    let n: number;
    noteHostCall();
    try {
      // readSync takes a bigint position too (at more cost), for the far positions a seek can reach.
      n = fs.readSync(entry.fd, buffer, offset, length, entry.farPosition ?? entry.position);
    } catch (err) {
      return rethrowAsWasiError(err); // not hostCall: no closure per read on the hot path
    }
    advance(entry, n);
    return n;
  }

  pread(handle: Handle, into: Uint8Array, offset: bigint): number {
    return this.#readAt(this.#file(handle, 'read').fd, into, offset);
  }

  setAppend(handle: Handle, append: boolean): void {
    this.#file(handle).append = append;
  }

  write(handle: Handle, data: Uint8Array): number {
    return this.writeRange(handle, data, 0, data.length);
  }

  /** `write` from `buffer[offset, offset + length)`: the caller passes guest memory whole, no view. */
  writeRange(handle: Handle, buffer: Uint8Array, offset: number, length: number): number {
    const entry = this.#file(handle, 'write');
    if (entry.append) {
      // At the current end; the position follows the bytes there, as with O_APPEND.
      const at = hostCall(() => fs.fstatSync(entry.fd, { bigint: true })).size;
      const written = hostCall(() => fs.writeSync(entry.fd, buffer, offset, length, this.#length(at)));
      setPosition(entry, at + BigInt(written));
      return written;
    }
    // writeSync quietly ignores a bigint position, so it must be a number.
    if (entry.farPosition !== undefined) throw new WasiError('fbig');
    let written: number;
    noteHostCall();
    try {
      written = fs.writeSync(entry.fd, buffer, offset, length, entry.position);
    } catch (err) {
      return rethrowAsWasiError(err); // not hostCall: no closure per write on the hot path
    }
    advance(entry, written);
    return written;
  }

  pwrite(handle: Handle, data: Uint8Array, offset: bigint): number {
    const entry = this.#file(handle, 'write');
    // On an append handle pwrite goes to the end too, as Linux does with O_APPEND.
    const at = entry.append ? hostCall(() => fs.fstatSync(entry.fd, { bigint: true })).size : offset;
    return hostCall(() => fs.writeSync(entry.fd, data, 0, data.length, this.#length(at)));
  }

  seek(handle: Handle, offset: bigint, whence: Whence): bigint {
    const entry = this.#file(handle);
    let base = 0n;
    if (whence === 'cur') base = entry.farPosition ?? BigInt(entry.position);
    else if (whence === 'end') base = hostCall(() => fs.fstatSync(entry.fd, { bigint: true })).size;
    const position = base + offset;
    if (position < 0n) throw new WasiError('inval', 'negative position');
    setPosition(entry, position);
    return position;
  }

  truncate(dir: Handle, path: string, size: bigint): void {
    this.#checkWritable();
    const { full, resolved } = this.#resolve(dir, path, true);
    rules.requireExisting(resolved);
    if (resolved.type === 'directory') throw new WasiError('isdir');
    const fd = hostCall(() => fs.openSync(this.#hostPath(full), O_WRONLY | O_NOFOLLOW));
    try {
      hostCall(() => fs.ftruncateSync(fd, this.#length(size)));
    } finally {
      fs.closeSync(fd);
    }
  }

  ftruncate(handle: Handle, size: bigint): void {
    const entry = this.#file(handle);
    if (!entry.writable) throw new WasiError('inval', 'handle not open for writing');
    hostCall(() => fs.ftruncateSync(entry.fd, this.#length(size)));
  }

  allocate(handle: Handle, offset: bigint, length: bigint): void {
    const entry = this.#file(handle, 'write');
    // Node has no fallocate; growing with ftruncate gives the same size (sparse, not reserved).
    const end = offset + length;
    const size = hostCall(() => fs.fstatSync(entry.fd, { bigint: true })).size;
    if (end > size) hostCall(() => fs.ftruncateSync(entry.fd, this.#length(end)));
  }

  sync(handle: Handle): void {
    const { fd } = this.#handles.get(handle);
    hostCall(() => fs.fsyncSync(fd));
  }

  datasync(handle: Handle): void {
    const { fd } = this.#handles.get(handle);
    hostCall(() => fs.fdatasyncSync(fd));
  }

  setTimes(dir: Handle, path: string, times: SetTimes, follow: boolean): void {
    this.#checkWritable();
    const { full, resolved } = this.#resolve(dir, path, follow);
    rules.requireExisting(resolved);
    const host = this.#hostPath(full);
    const current = () => hostCall(() => fs.lstatSync(host, { bigint: true }));
    const exact = this.#timesFor(times, current);
    // The resolver already followed any final symlink we were asked to follow, so lutimes is right either way.
    hostCall(() => fs.lutimesSync(host, seconds(exact.atim), seconds(exact.mtim)));
    keepTimes(current(), exact);
  }

  fsetTimes(handle: Handle, times: SetTimes): void {
    this.#checkWritable();
    const { fd } = this.#handles.get(handle);
    const current = () => hostCall(() => fs.fstatSync(fd, { bigint: true }));
    const exact = this.#timesFor(times, current);
    hostCall(() => fs.futimesSync(fd, seconds(exact.atim), seconds(exact.mtim)));
    keepTimes(current(), exact);
  }

  readdir(handle: Handle): DirEntry[] {
    const entry = this.#handles.get(handle);
    if (entry.kind !== 'directory') throw new WasiError('notdir');
    const here = this.#hostPath(entry.parts);
    const self = hostCall(() => fs.fstatSync(entry.fd, { bigint: true }));
    // Above the root is outside the sandbox, so the root reports itself as its parent.
    const parent =
      entry.parts.length === 0 ? self : hostCall(() => fs.lstatSync(this.#hostPath(entry.parts.slice(0, -1)), { bigint: true }));
    const entries: DirEntry[] = [
      { name: '.', type: 'directory', ino: self.ino },
      { name: '..', type: 'directory', ino: parent.ino },
    ];
    const prefix = entry.parts.length === 0 ? this.#rootPrefix : here + nodePath.sep;
    for (const name of hostCall(() => fs.readdirSync(here)).sort()) {
      const e = dirEntryOf(prefix, name);
      // Removed between listing and stat: it is simply no longer there.
      if (e !== undefined) entries.push(e);
    }
    return entries;
  }

  mkdir(dir: Handle, path: string): void {
    this.#checkWritable();
    const { full, resolved } = this.#resolve(dir, path, false);
    rules.checkCreate(resolved);
    hostCall(() => fs.mkdirSync(this.#hostPath(full), 0o777));
  }

  rmdir(dir: Handle, path: string): void {
    this.#checkWritable();
    const { full, resolved } = this.#resolve(dir, path, false);
    rules.checkRmdir(resolved);
    hostCall(() => fs.rmdirSync(this.#hostPath(full)));
  }

  unlink(dir: Handle, path: string): void {
    this.#checkWritable();
    const { full, resolved } = this.#resolve(dir, path, false);
    rules.checkUnlink(resolved);
    hostCall(() => fs.unlinkSync(this.#hostPath(full)));
  }

  rename(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    this.renameAcross(oldDir, oldPath, this, newDir, newPath);
  }

  link(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string, follow = false): void {
    this.linkAcross(oldDir, oldPath, this, newDir, newPath, follow);
  }

  /**
   * Renames into another HostFileSystem (another preopen), as wasmtime, Wasmer and node:wasi do: each
   * side resolved in its own root, then one host rename, which says `xdev` if the roots lie on two devices.
   */
  renameAcross(oldDir: Handle, oldPath: string, to: FileSystem, newDir: Handle, newPath: string): void {
    const target = this.#sameKind(to);
    this.#checkWritable();
    target.#checkWritable();
    const from = this.#resolve(oldDir, oldPath, false);
    const dest = target.#resolve(newDir, newPath, false);
    rules.checkRename(from.resolved, dest.resolved);
    hostCall(() => fs.renameSync(this.#hostPath(from.full), target.#hostPath(dest.full)));
  }

  /** Links into another HostFileSystem (another preopen); see `renameAcross`. */
  linkAcross(oldDir: Handle, oldPath: string, to: FileSystem, newDir: Handle, newPath: string, follow = false): void {
    const target = this.#sameKind(to);
    this.#checkWritable();
    target.#checkWritable();
    const from = this.#resolve(oldDir, oldPath, follow);
    const dest = target.#resolve(newDir, newPath, false);
    rules.checkLink(from.resolved, dest.resolved);
    // link(2) does not follow a symlink source on Linux; with `follow` the resolver already has.
    hostCall(() => fs.linkSync(this.#hostPath(from.full), target.#hostPath(dest.full)));
  }

  #sameKind(to: FileSystem): HostFileSystem {
    if (!(to instanceof HostFileSystem)) throw new WasiError('xdev', 'the other directory is not on the host');
    return to;
  }

  symlink(target: string, dir: Handle, path: string): void {
    this.#checkWritable();
    rules.checkSymlinkTarget(target);
    const { full, resolved } = this.#resolve(dir, path, false);
    rules.checkCreateNonDir(resolved);
    hostCall(() => fs.symlinkSync(target, this.#hostPath(full)));
  }

  readlink(dir: Handle, path: string): string {
    const { full, resolved } = this.#resolve(dir, path, false);
    rules.checkReadlink(resolved);
    return hostCall(() => fs.readlinkSync(this.#hostPath(full)));
  }

  /** Resolves inside the directory `dir`; `full` is from this filesystem's root. */
  #resolve(dir: Handle, path: string, followFinal: boolean): { full: string[]; resolved: ResolvedPath } {
    const base = this.#dirEntry(dir).parts;
    const lookup: PathLookup = {
      lstatType: (parts) => {
        const host = this.#hostPath(base, ...parts);
        const stats = hostCall(() => fs.lstatSync(host, { throwIfNoEntry: false }));
        return stats === undefined ? undefined : fileTypeOf(stats);
      },
      readlink: (parts) => hostCall(() => fs.readlinkSync(this.#hostPath(base, ...parts))),
    };
    const resolved = resolvePath(lookup, path, { followFinal });
    return { full: [...base, ...resolved.parts], resolved };
  }

  #statPath(dir: Handle, path: string, follow: boolean): FileStat {
    const { full, resolved } = this.#resolve(dir, path, follow);
    rules.requireExisting(resolved);
    return fileStatOf(hostCall(() => fs.lstatSync(this.#hostPath(full), { bigint: true })));
  }

  /**
   * The host path of `parts` (then `more`) from the root. Every part is a single checked name (never
   * empty, `.` or `..`), so joining with the separator is all `path.join` would do, at less cost.
   */
  #hostPath(parts: readonly string[], ...more: string[]): string {
    let host = this.#rootPrefix;
    for (let i = 0; i < parts.length; i++) host += (i === 0 ? '' : nodePath.sep) + parts[i]!;
    for (let i = 0; i < more.length; i++) host += (i === 0 && parts.length === 0 ? '' : nodePath.sep) + more[i]!;
    return host === this.#rootPrefix ? this.root : host;
  }

  #openDirectory(parts: string[]): Handle {
    this.#handles.checkRoom();
    const fd = hostCall(() => fs.openSync(this.#hostPath(parts), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    return this.#handles.add({ kind: 'directory', fd, parts });
  }

  #dirEntry(handle: Handle): Extract<Entry, { kind: 'directory' }> {
    const entry = this.#handles.get(handle);
    if (entry.kind !== 'directory') throw new WasiError('notdir');
    return entry;
  }

  #file(handle: Handle, access?: 'read' | 'write'): FileEntry {
    const entry = this.#handles.get(handle);
    if (entry.kind !== 'file') throw new WasiError('isdir');
    if (access === 'read' && !entry.readable) throw new WasiError('badf', 'handle not open for reading');
    if (access === 'write' && !entry.writable) throw new WasiError('badf', 'handle not open for writing');
    return entry;
  }

  #checkWritable(): void {
    if (this.#readOnly) throw new WasiError('rofs');
  }

  #length(size: bigint): number {
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError('fbig');
    return Number(size);
  }

  #readAt(fd: number, into: Uint8Array, offset: bigint): number {
    if (into.length === 0) return 0;
    return hostCall(() => fs.readSync(fd, into, 0, into.length, offset));
  }

  /** The exact times to set; one left unset keeps its current value (as reported, kept or not). */
  #timesFor(times: SetTimes, current: () => fs.BigIntStats): { atim: bigint; mtim: bigint } {
    let stat: FileStat | undefined;
    const pick = (spec: TimeSpec, which: 'atim' | 'mtim'): bigint => {
      if (spec === 'now') return realtimeNs();
      if (spec !== undefined) return spec;
      stat ??= fileStatOf(current());
      return stat[which];
    };
    return { atim: pick(times.atim, 'atim'), mtim: pick(times.mtim, 'mtim') };
  }
}

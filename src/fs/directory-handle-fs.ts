/**
 * A filesystem over a browser `FileSystemDirectoryHandle` (the File System API): the origin private
 * file system (`navigator.storage.getDirectory()`), which survives a reload, or a folder the user
 * picked (`showDirectoryPicker()`), read-only when the user granted only reading.
 *
 * Every call that touches storage is asynchronous in that API, so each answers through `settle`
 * (blocking.ts): the guest's call parks until the step settles and is then answered, which needs the
 * guest in a worker (a threaded run); `start()` refuses this filesystem. Steps run one at a time, in
 * the order the calls came, so calls of different threads never interleave half-way.
 *
 * Writes go to the file's `FileSystemWritableFileStream`, a swap file that the API puts in place
 * atomically when the stream is closed: here at `close`, `sync`/`datasync`, or before the file is
 * read, renamed or removed. A run stopped before that (a reload in the middle of a large write)
 * leaves the file as it was before the stream was opened; one that got there leaves it complete.
 *
 * What the API cannot express answers the errno the spec has for it: no symlinks or hard links
 * (`symlink`, `link`: `notsup`; `readlink` of anything: `inval`, as for a non-symlink), no settable
 * times (`setTimes`, `fsetTimes`: `notsup`); a file's three times are its `lastModified`; a
 * directory has none (0). Inode numbers are given per path by this object (kept across renames), as
 * the API has none. A directory is renamed entry by entry (Chromium's directory handles cannot move).
 */

import { settle, settleNow } from '../kernel/blocking.js';
import { WasiError, type ErrnoName } from '../abi/wasi-error.js';
import { HandleTable } from './handle-table.js';
import { MAX_NAME_BYTES, type ResolvedPath } from './path-resolver.js';
import { checkCreate, checkOpenFlags, checkReadlink, checkRename, checkRmdir, checkUnlink, planOpen, requireExisting } from './posix-rules.js';
import type { DirEntry, FileStat, FileSystem, FileSystemLimits, FileType, Handle, OpenFlags, SetTimes, Whence } from './types.js';

/** Bytes moved per step of a large read or write: between them the page's event loop runs. */
const CHUNK = 4 << 20;
const MS = 1_000_000n;
const SWAP_SUFFIX = '.crswap';
const encoder = new TextEncoder();

/** A file or directory as this object knows it: its path (updated by renames) and inode number. */
interface Node {
  parts: string[];
  readonly ino: bigint;
}

/** One file with open handles: shared by all of them, so every handle sees every write. */
interface FileData {
  readonly node: Node;
  opens: number;
  size: number;
  mtimeMs: number;
  /** The swap file of the writes not yet put in place. */
  writable: FileSystemWritableFileStream | undefined;
  /** A snapshot for reads, while nothing is pending. */
  snapshot: File | undefined;
  handle: FileSystemFileHandle | undefined;
  /** After an unlink while open: the contents, kept here as POSIX keeps the inode. */
  orphan: Uint8Array | undefined;
}

type Open = { kind: 'dir'; node: Node } | { kind: 'file'; data: FileData; pos: number; read: boolean; write: boolean; append: boolean };

/** A resolved path with the directory that holds its last component. */
interface Resolved extends ResolvedPath {
  parent: FileSystemDirectoryHandle;
  /** The directory the path ends at, when it names one. */
  dir: FileSystemDirectoryHandle | undefined;
  /** The file the path ends at, when it names one. */
  file?: FileSystemFileHandle | undefined;
}

type Movable = FileSystemHandle & { move?(parent: FileSystemDirectoryHandle, name: string): Promise<void> };
type Listable = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };
type Permissioned = FileSystemDirectoryHandle & { queryPermission?(d: { mode: 'read' | 'readwrite' }): Promise<string> };

/** Options of {@link DirectoryHandleFileSystem}. */
export type DirectoryHandleFileSystemOptions = FileSystemLimits;

/**
 * A {@link FileSystem} over a `FileSystemDirectoryHandle`: `new DirectoryHandleFileSystem(await
 * navigator.storage.getDirectory())` for files that persist, or a handle from `showDirectoryPicker()`.
 * Asynchronous: usable by programs run with `WASI.run()` whose threads run in workers (a shared memory).
 */
export class DirectoryHandleFileSystem implements FileSystem {
  readonly asynchronous = true;
  readonly #root: FileSystemDirectoryHandle;
  readonly #readOnly: boolean;
  readonly #handles: HandleTable<Open>;
  readonly #nodes = new Map<string, Node>();
  readonly #files = new Map<Node, FileData>();
  #nextIno = 1n;
  #queue: Promise<unknown> = Promise.resolve();
  /** A failure of a commit that nothing waited for (a close): `flush()` reports it. */
  #lost: unknown;
  #permission: Promise<boolean> | undefined;

  constructor(root: FileSystemDirectoryHandle, options: DirectoryHandleFileSystemOptions = {}) {
    if (typeof root !== 'object' || root === null || (root as { kind?: unknown }).kind !== 'directory') {
      throw new TypeError('DirectoryHandleFileSystem: root must be a FileSystemDirectoryHandle');
    }
    this.#root = root;
    this.#readOnly = options.readOnly ?? false;
    this.#handles = new HandleTable(options.maxOpenFiles);
    this.#node([]);
  }

  /** Resolves once every change made so far (a close puts a file in place in the background) is in storage. */
  async flush(): Promise<void> {
    await this.#enqueue(async () => {});
    const lost = this.#lost;
    this.#lost = undefined;
    if (lost !== undefined) throw lost;
  }

  openRoot(): Handle {
    return settleNow(() => this.#handles.add({ kind: 'dir', node: this.#node([]) }));
  }

  open(dir: Handle, path: string, flags: OpenFlags): Handle {
    return this.#step(async () => {
      checkOpenFlags(flags, this.#readOnly);
      this.#handles.checkRoom();
      const base = this.#dirOf(dir);
      const r = await this.#resolve(base, path);
      const plan = planOpen(flags, r);
      const node = this.#node(r.parts);
      if (plan === 'directory') return this.#handles.add({ kind: 'dir', node });
      const writing = Boolean(flags.write || flags.append);
      if (writing || plan === 'create' || flags.truncate) await this.#mayWrite();
      let data = this.#files.get(node);
      if (!data) {
        const name = r.parts[r.parts.length - 1]!;
        const handle = r.file ?? (await r.parent.getFileHandle(name, { create: plan === 'create' }));
        const file = await handle.getFile();
        data = { node, opens: 0, size: file.size, mtimeMs: file.lastModified, writable: undefined, snapshot: file, handle, orphan: undefined };
        this.#files.set(node, data);
      }
      data.opens += 1;
      try {
        if (flags.truncate && data.size > 0) await this.#setSize(data, 0);
      } catch (err) {
        this.#release(data);
        throw err;
      }
      return this.#handles.add({ kind: 'file', data, pos: 0, read: Boolean(flags.read), write: writing, append: Boolean(flags.append) });
    });
  }

  close(handle: Handle): void {
    settleNow(() => {
      const o = this.#handles.remove(handle);
      if (o.kind === 'file') this.#release(o.data);
    });
  }

  stat(dir: Handle, path: string): FileStat {
    return this.#step(async () => {
      const r = await this.#resolve(this.#dirOf(dir), path);
      requireExisting(r);
      return this.#statOf(this.#node(r.parts), r);
    });
  }

  /** There are no symlinks: the same as `stat`. */
  lstat(dir: Handle, path: string): FileStat {
    return this.stat(dir, path);
  }

  fstat(handle: Handle): FileStat {
    return this.#step(async () => {
      const o = this.#handles.get(handle);
      return o.kind === 'dir' ? this.#statOf(o.node, undefined) : this.#fileStat(o.data);
    });
  }

  fileType(handle: Handle): FileType {
    return this.#handles.get(handle).kind === 'dir' ? 'directory' : 'regular_file';
  }

  read(handle: Handle, into: Uint8Array): number {
    const bytes = this.#step(async () => {
      const o = this.#file(handle, 'read');
      const b = await this.#readAt(o.data, o.pos, into.length);
      o.pos += b.length;
      return b;
    });
    into.set(bytes);
    return bytes.length;
  }

  pread(handle: Handle, into: Uint8Array, offset: bigint): number {
    const bytes = this.#step(async () => this.#readAt(this.#file(handle, 'read').data, toSize(offset), into.length));
    into.set(bytes);
    return bytes.length;
  }

  write(handle: Handle, data: Uint8Array): number {
    return this.#step(async () => {
      const o = this.#file(handle, 'write');
      const at = o.append ? o.data.size : o.pos;
      await this.#writeAt(o.data, at, data);
      o.pos = at + data.length;
      return data.length;
    });
  }

  pwrite(handle: Handle, data: Uint8Array, offset: bigint): number {
    return this.#step(async () => {
      const o = this.#file(handle, 'write');
      await this.#writeAt(o.data, o.append ? o.data.size : toSize(offset), data);
      return data.length;
    });
  }

  seek(handle: Handle, offset: bigint, whence: Whence): bigint {
    return settleNow(() => {
      const o = this.#file(handle);
      const to = (whence === 'set' ? 0n : whence === 'cur' ? BigInt(o.pos) : BigInt(o.data.size)) + offset;
      if (to < 0n) throw new WasiError('inval', 'negative position');
      o.pos = toSize(to);
      return to;
    });
  }

  truncate(dir: Handle, path: string, size: bigint): void {
    this.#step(async () => {
      if (this.#readOnly) throw new WasiError('rofs');
      const r = await this.#resolve(this.#dirOf(dir), path);
      requireExisting(r);
      if (r.type === 'directory') throw new WasiError('isdir');
      await this.#mayWrite();
      const node = this.#node(r.parts);
      const open = this.#files.get(node);
      const data = open ?? { node, opens: 0, size: 0, mtimeMs: 0, writable: undefined, snapshot: undefined, handle: undefined, orphan: undefined };
      await this.#setSize(data, toSize(size));
      if (!open) await this.#commit(data);
    });
  }

  ftruncate(handle: Handle, size: bigint): void {
    this.#step(async () => {
      const o = this.#file(handle);
      // Linux answers EINVAL for ftruncate on a descriptor not open for writing.
      if (!o.write) throw new WasiError('inval', 'handle not open for writing');
      await this.#setSize(o.data, toSize(size));
    });
  }

  allocate(handle: Handle, offset: bigint, length: bigint): void {
    this.#step(async () => {
      const o = this.#file(handle, 'write');
      const end = toSize(offset + length);
      if (end > o.data.size) await this.#setSize(o.data, end);
    });
  }

  sync(handle: Handle): void {
    this.#step(async () => {
      const o = this.#handles.get(handle);
      if (o.kind === 'file') await this.#commit(o.data);
    });
  }

  datasync(handle: Handle): void {
    this.sync(handle);
  }

  setTimes(dir: Handle, path: string, times: SetTimes): void {
    this.#step(async () => {
      if (this.#readOnly) throw new WasiError('rofs');
      const r = await this.#resolve(this.#dirOf(dir), path);
      requireExisting(r);
      refuseTimes(times);
    });
  }

  fsetTimes(handle: Handle, times: SetTimes): void {
    settleNow(() => {
      this.#handles.get(handle);
      if (this.#readOnly) throw new WasiError('rofs');
      refuseTimes(times);
    });
  }

  readdir(handle: Handle): DirEntry[] {
    return this.#step(async () => {
      const o = this.#handles.get(handle);
      if (o.kind !== 'dir') throw new WasiError('notdir');
      const dir = await this.#dirAt(o.node.parts);
      const entries: DirEntry[] = [];
      for await (const [name, h] of (dir as Listable).entries()) {
        // In a picked folder Chromium keeps a pending write's swap file beside the file (`name.crswap`).
        if (name.endsWith(SWAP_SUFFIX) && h.kind === 'file') continue;
        entries.push({ name, type: h.kind === 'directory' ? 'directory' : 'regular_file', ino: this.#node([...o.node.parts, name]).ino });
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const parent = this.#node(o.node.parts.slice(0, -1));
      return [{ name: '.', type: 'directory', ino: o.node.ino }, { name: '..', type: 'directory', ino: parent.ino }, ...entries];
    });
  }

  setAppend(handle: Handle, append: boolean): void {
    settleNow(() => {
      this.#file(handle).append = append;
    });
  }

  mkdir(dir: Handle, path: string): void {
    this.#step(async () => {
      if (this.#readOnly) throw new WasiError('rofs');
      const r = await this.#resolve(this.#dirOf(dir), path);
      checkCreate(r);
      await this.#mayWrite();
      await r.parent.getDirectoryHandle(r.parts[r.parts.length - 1]!, { create: true });
    });
  }

  rmdir(dir: Handle, path: string): void {
    this.#step(async () => {
      if (this.#readOnly) throw new WasiError('rofs');
      const r = await this.#resolve(this.#dirOf(dir), path);
      checkRmdir(r);
      await this.#mayWrite();
      // Not recursive: a directory with entries gives InvalidModificationError, `notempty`.
      await r.parent.removeEntry(r.parts[r.parts.length - 1]!);
      this.#forget(r.parts);
    });
  }

  unlink(dir: Handle, path: string): void {
    this.#step(async () => {
      if (this.#readOnly) throw new WasiError('rofs');
      const r = await this.#resolve(this.#dirOf(dir), path);
      checkUnlink(r);
      await this.#mayWrite();
      await this.#removeFile(r);
    });
  }

  rename(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    this.#step(async () => {
      if (this.#readOnly) throw new WasiError('rofs');
      const from = await this.#resolve(this.#dirOf(oldDir), oldPath);
      const to = await this.#resolve(this.#dirOf(newDir), newPath);
      checkRename(from, to);
      const key = from.parts.join('/');
      if (key === to.parts.join('/')) return;
      if (from.type === 'directory' && to.parts.length > from.parts.length && to.parts.slice(0, from.parts.length).join('/') === key) {
        throw new WasiError('inval', 'cannot move a directory into itself');
      }
      await this.#mayWrite();
      const name = to.parts[to.parts.length - 1]!;
      if (to.type === 'directory') {
        await to.parent.removeEntry(name); // only when empty: `notempty` otherwise
        this.#forget(to.parts);
      } else if (to.type !== undefined) {
        await this.#removeFile(to);
      }
      // Writes pending under what moves go in place first: a stream writes to its old path.
      for (const data of this.#files.values()) if (isUnder(data.node.parts, from.parts)) await this.#commit(data);
      const last = from.parts[from.parts.length - 1]!;
      if (from.type === 'directory') {
        // Chromium's directory handles have no move(): a new directory gets the entries, one by one.
        await moveDirectory(await from.parent.getDirectoryHandle(last), await to.parent.getDirectoryHandle(name, { create: true }));
        await from.parent.removeEntry(last);
      } else {
        await moveFile(await from.parent.getFileHandle(last), to.parent, name);
      }
      this.#renamed(from.parts, to.parts);
    });
  }

  link(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    settleNow(() => {
      this.#handles.get(oldDir);
      this.#handles.get(newDir);
      void oldPath;
      void newPath;
      throw new WasiError(this.#readOnly ? 'rofs' : 'notsup', 'the File System API has no hard links');
    });
  }

  symlink(target: string, dir: Handle, path: string): void {
    settleNow(() => {
      this.#handles.get(dir);
      void target;
      void path;
      throw new WasiError(this.#readOnly ? 'rofs' : 'notsup', 'the File System API has no symlinks');
    });
  }

  /** There are no symlinks: `inval` for what exists (not a symlink), `noent` for what does not. */
  readlink(dir: Handle, path: string): string {
    return this.#step(async () => {
      checkReadlink(await this.#resolve(this.#dirOf(dir), path));
      return '';
    });
  }

  /** Runs `fn` after every step queued before it, as one step of the calling guest call. */
  #step<T>(fn: () => Promise<T>): T {
    return settle(() => this.#enqueue(fn));
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn).catch((err: unknown) => {
      throw fsErrorOf(err);
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** `rofs` when the user granted only reading (a picked folder opened so). */
  async #mayWrite(): Promise<void> {
    const root = this.#root as Permissioned;
    this.#permission ??= root.queryPermission ? root.queryPermission({ mode: 'readwrite' }).then((p) => p === 'granted') : Promise.resolve(true);
    if (!(await this.#permission)) throw new WasiError('rofs', 'the folder was opened read-only');
  }

  #node(parts: string[]): Node {
    const key = parts.join('/');
    let node = this.#nodes.get(key);
    if (!node) {
      node = { parts, ino: this.#nextIno++ };
      this.#nodes.set(key, node);
    }
    return node;
  }

  #dirOf(handle: Handle): Node {
    const o = this.#handles.get(handle);
    if (o.kind !== 'dir') throw new WasiError('notdir');
    return o.node;
  }

  #file(handle: Handle, need?: 'read' | 'write'): Open & { kind: 'file' } {
    const o = this.#handles.get(handle);
    if (o.kind !== 'file') throw new WasiError('isdir');
    if (need && !o[need]) throw new WasiError('badf', `handle not open for ${need === 'read' ? 'reading' : 'writing'}`);
    return o;
  }

  async #dirAt(parts: readonly string[]): Promise<FileSystemDirectoryHandle> {
    let dir = this.#root;
    for (const name of parts) dir = await dir.getDirectoryHandle(name);
    return dir;
  }

  async #fileHandle(data: FileData): Promise<FileSystemFileHandle> {
    if (!data.handle) {
      const dir = await this.#dirAt(data.node.parts.slice(0, -1));
      data.handle = await dir.getFileHandle(data.node.parts[data.node.parts.length - 1]!);
    }
    return data.handle;
  }

  /**
   * The sandbox rules of `resolvePath` (path-resolver.ts) over the API, which has no symlinks: the
   * path stays inside the directory `base` names (`perm` otherwise), one component at a time.
   */
  async #resolve(base: Node, path: string): Promise<Resolved> {
    if (path === '') throw new WasiError('noent', 'empty path');
    if (path.includes('\0')) throw new WasiError('inval', 'NUL byte in path');
    if (path.startsWith('/')) throw new WasiError('perm', `absolute path ${JSON.stringify(path)}`);
    const dirs = [await this.#dirAt(base.parts)];
    const rel: string[] = [];
    const components = path.split('/');
    const atDir = (): Resolved => {
      const dir = dirs[dirs.length - 1]!;
      return { parts: [...base.parts, ...rel], type: 'directory', mustBeDir: true, endsInDot: true, parent: dirs[dirs.length - 2] ?? dir, dir };
    };
    for (let i = 0; i < components.length; i++) {
      const c = components[i]!;
      const isLast = components.slice(i + 1).every((x) => x === '');
      if (c === '') continue;
      if (c === '.') {
        if (isLast) return atDir();
        continue;
      }
      if (c === '..') {
        if (rel.length === 0) throw new WasiError('perm', `${JSON.stringify(path)} leaves its directory`);
        rel.pop();
        dirs.pop();
        if (isLast) return atDir();
        continue;
      }
      if (c.length * 3 > MAX_NAME_BYTES && encoder.encode(c).length > MAX_NAME_BYTES) throw new WasiError('nametoolong', `component of ${JSON.stringify(path)}`);
      const parent = dirs[dirs.length - 1]!;
      const [type, dir, file] = await typeIn(parent, c);
      const trailingSlash = isLast && i < components.length - 1;
      if (isLast) {
        if (trailingSlash && type !== undefined && type !== 'directory') throw new WasiError('notdir', JSON.stringify(path));
        return { parts: [...base.parts, ...rel, c], type, mustBeDir: trailingSlash, endsInDot: false, parent, dir, file };
      }
      if (type === undefined) throw new WasiError('noent', `${JSON.stringify(c)} in ${JSON.stringify(path)}`);
      if (type !== 'directory') throw new WasiError('notdir', `${JSON.stringify(c)} in ${JSON.stringify(path)}`);
      rel.push(c);
      dirs.push(dir!);
    }
    return atDir();
  }

  async #statOf(node: Node, r: Resolved | undefined): Promise<FileStat> {
    const open = this.#files.get(node);
    if (open) return this.#fileStat(open);
    const dir = r ? r.dir : await this.#dirAt(node.parts);
    if (!dir) {
      const file = await (r!.file ?? (await r!.parent.getFileHandle(node.parts[node.parts.length - 1]!))).getFile();
      return fileStat(node, 1n, file.size, file.lastModified);
    }
    // POSIX: a directory's links are its entry, its `.` and each subdirectory's `..`.
    let subdirs = 0n;
    for await (const [, h] of (dir as Listable).entries()) if (h.kind === 'directory') subdirs += 1n;
    return { dev: 0n, ino: node.ino, filetype: 'directory', nlink: 2n + subdirs, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }

  async #fileStat(data: FileData): Promise<FileStat> {
    if (!data.orphan && !data.writable) {
      const file = (data.snapshot ??= await (await this.#fileHandle(data)).getFile());
      data.mtimeMs = file.lastModified;
    }
    return fileStat(data.node, data.orphan ? 0n : 1n, data.size, data.mtimeMs);
  }

  async #readAt(data: FileData, at: number, length: number): Promise<Uint8Array> {
    if (data.orphan) return data.orphan.slice(at, at + length);
    await this.#commit(data);
    const file = (data.snapshot ??= await (await this.#fileHandle(data)).getFile());
    const end = Math.min(file.size, at + length);
    const out = new Uint8Array(Math.max(0, end - at));
    for (let p = at; p < end; p += CHUNK) out.set(new Uint8Array(await file.slice(p, Math.min(end, p + CHUNK)).arrayBuffer()), p - at);
    return out;
  }

  async #writeAt(data: FileData, at: number, bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    if (data.orphan) {
      const grown = new Uint8Array(Math.max(data.orphan.length, at + bytes.length));
      grown.set(data.orphan);
      grown.set(bytes, at);
      data.orphan = grown;
    } else {
      const w = await this.#writable(data);
      // slice(): a copy the stream may keep (never a view of guest memory, which may be shared).
      for (let p = 0; p < bytes.length; p += CHUNK) await w.write({ type: 'write', position: at + p, data: bytes.slice(p, p + CHUNK) });
    }
    data.size = Math.max(data.size, at + bytes.length);
    data.mtimeMs = Date.now();
  }

  async #setSize(data: FileData, size: number): Promise<void> {
    if (data.orphan) {
      const resized = new Uint8Array(size);
      resized.set(data.orphan.subarray(0, size));
      data.orphan = resized;
    } else {
      await (await this.#writable(data)).truncate(size);
    }
    data.size = size;
    data.mtimeMs = Date.now();
  }

  async #writable(data: FileData): Promise<FileSystemWritableFileStream> {
    if (!data.writable) {
      data.writable = await (await this.#fileHandle(data)).createWritable({ keepExistingData: true });
      data.snapshot = undefined;
    }
    return data.writable;
  }

  /** Puts the pending writes in place (the stream's swap file replaces the file, atomically). */
  async #commit(data: FileData): Promise<void> {
    const w = data.writable;
    if (!w) return;
    data.writable = undefined;
    await w.close();
  }

  /** One handle fewer; the last one puts the writes in place, in the background (see `flush`). */
  #release(data: FileData): void {
    data.opens -= 1;
    if (data.opens > 0) return;
    if (this.#files.get(data.node) === data) this.#files.delete(data.node);
    if (data.writable) {
      void this.#enqueue(() => this.#commit(data)).catch((err: unknown) => {
        this.#lost ??= err;
      });
    }
  }

  async #removeFile(r: Resolved): Promise<void> {
    const node = this.#node(r.parts);
    const open = this.#files.get(node);
    if (open) {
      // Open handles keep the contents (nlink 0), as POSIX keeps an unlinked inode.
      const contents = await this.#readAt(open, 0, open.size);
      open.orphan = contents;
      open.snapshot = undefined;
      this.#files.delete(node);
    }
    await r.parent.removeEntry(r.parts[r.parts.length - 1]!);
    this.#forget(r.parts);
  }

  /** Drops the inode numbers under `parts` (removed): a new entry there is a new inode. */
  #forget(parts: string[]): void {
    for (const [key, node] of this.#nodes) if (isUnder(node.parts, parts)) this.#nodes.delete(key);
  }

  /** Moves the inode numbers (and open files) under `from` to `to`. */
  #renamed(from: string[], to: string[]): void {
    const moved = [...this.#nodes.values()].filter((n) => isUnder(n.parts, from));
    for (const node of moved) this.#nodes.delete(node.parts.join('/'));
    for (const node of moved) {
      node.parts = [...to, ...node.parts.slice(from.length)];
      this.#nodes.set(node.parts.join('/'), node);
      const data = this.#files.get(node);
      if (data) data.handle = undefined;
    }
  }
}

async function moveFile(file: FileSystemFileHandle, parent: FileSystemDirectoryHandle, name: string): Promise<void> {
  const m = file as Movable;
  if (typeof m.move !== 'function') throw new WasiError('notsup', 'this browser cannot move files (FileSystemHandle.move)');
  await m.move(parent, name);
}

async function moveDirectory(from: FileSystemDirectoryHandle, to: FileSystemDirectoryHandle): Promise<void> {
  const entries: [string, FileSystemHandle][] = [];
  for await (const e of (from as Listable).entries()) entries.push(e);
  for (const [name, h] of entries) {
    if (h.kind === 'file') await moveFile(h as FileSystemFileHandle, to, name);
    else {
      await moveDirectory(h as FileSystemDirectoryHandle, await to.getDirectoryHandle(name, { create: true }));
      await from.removeEntry(name);
    }
  }
}

function isUnder(parts: readonly string[], prefix: readonly string[]): boolean {
  return parts.length >= prefix.length && prefix.every((p, i) => parts[i] === p);
}

function fileStat(node: Node, nlink: bigint, size: number, mtimeMs: number): FileStat {
  const t = BigInt(Math.round(mtimeMs)) * MS;
  return { dev: 0n, ino: node.ino, filetype: 'regular_file', nlink, size: BigInt(size), atim: t, mtim: t, ctim: t };
}

/** The entry `name` of `dir`: its type and its handle (as a directory or a file); undefined when absent. */
async function typeIn(
  dir: FileSystemDirectoryHandle,
  name: string,
): Promise<[FileType | undefined, FileSystemDirectoryHandle | undefined, FileSystemFileHandle | undefined]> {
  try {
    return ['regular_file', undefined, await dir.getFileHandle(name)];
  } catch (err) {
    const e = err as DOMException;
    if (e.name === 'NotFoundError') return [undefined, undefined, undefined];
    if (e.name !== 'TypeMismatchError') throw err;
  }
  return ['directory', await dir.getDirectoryHandle(name), undefined];
}

/** The API keeps no settable times: asking to set one is `notsup`; setting none changes nothing. */
function refuseTimes(times: SetTimes): void {
  if (times.atim !== undefined || times.mtim !== undefined) throw new WasiError('notsup', 'the File System API keeps no settable times');
}

function toSize(n: bigint): number {
  if (n < 0n) throw new WasiError('inval', 'negative offset');
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new WasiError('fbig', 'offset beyond what a browser file holds');
  return Number(n);
}

/** The API's DOMException names as errnos; anything else (a bug) is left as it is. */
const ERRNO_OF: Record<string, ErrnoName> = {
  NotFoundError: 'noent',
  TypeMismatchError: 'notdir',
  InvalidModificationError: 'notempty',
  // Another tab holds the file (a sync access handle, say).
  NoModificationAllowedError: 'busy',
  NotAllowedError: 'acces',
  SecurityError: 'acces',
  QuotaExceededError: 'nospc',
  NotReadableError: 'io',
  InvalidStateError: 'io',
  AbortError: 'io',
};

function fsErrorOf(err: unknown): unknown {
  if (err instanceof WasiError) return err;
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && (err instanceof DOMException || name === 'QuotaExceededError')) {
    const errno = ERRNO_OF[name];
    if (errno) return new WasiError(errno, (err as Error).message, { cause: err });
  }
  // A name the API refuses (Chromium: "Name is not allowed."); any other TypeError is a bug, left as it is.
  if (err instanceof TypeError && /name is not allowed|invalid name/i.test(err.message)) return new WasiError('inval', err.message, { cause: err });
  return err;
}

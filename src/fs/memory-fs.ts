/**
 * An in-memory {@link FileSystem} on memfs, usable in browsers (no `node:` imports here).
 *
 * memfs supplies the tree (its `Link`s and inode `Node`s, reached through `Volume._core`) and
 * the byte storage of each file (a Node's `buf`). Its path-level calls are not used: they follow
 * symlinks where POSIX does not (rename), free an inode while it is still open (unlink) and keep
 * milliseconds only. So this file does the POSIX bookkeeping itself: nanosecond timestamps in a
 * side table, link counts, inode lifetime while open, and the `maxBytes` quota. It also grows a
 * file's buffer itself (see `grow`): by doubling, in place once large, never zeroing bytes about
 * to be written, so long appends stay linear. A plain path is looked up in one walk down the
 * links (`findPlain`); any other goes through the shared resolver.
 *
 * Limits: no permissions or owners (WASI preview1 has none); directory sizes read as 0; a file
 * can grow to {@link MAX_MEMORY_FILE_SIZE} bytes; a write that would pass `maxBytes` fails
 * whole with `nospc` rather than writing part of its bytes.
 */

import type { Volume } from 'memfs';
import { WasiError } from '../abi/wasi-error.js';
import { HandleTable } from './handle-table.js';
import { memfs } from './memfs-loader.js';
import { MAX_NAME_BYTES, resolvePath, type PathLookup, type ResolvedPath } from './path-resolver.js';
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
  Whence,
} from './types.js';

type Core = Volume['_core'];
type Link = Core['root'];
type INode = ReturnType<Link['getNode']>;

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Largest file the memory backend holds; writing or truncating beyond gives `fbig`. */
export const MAX_MEMORY_FILE_SIZE = 2 ** 32;

/** Initial contents: absolute paths (`/dir/a.txt`) to UTF-8 text or bytes. */
export type MemoryFiles = Record<string, string | Uint8Array>;

export interface MemoryFileSystemOptions extends FileSystemLimits {
  /** Total bytes of regular-file contents allowed; growing past it gives `nospc`. */
  maxBytes?: number;
  /** Clock for timestamps in nanoseconds; defaults to the wall clock. */
  now?: () => bigint;
}

/** What is kept of an inode beside memfs: times to the nanosecond, and how many handles hold it open. */
interface NodeMeta {
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  /** The inode number as `stat` reports it, made once. */
  readonly ino: bigint;
  opens: number;
}

/** State shared by a filesystem and the views `dir()` makes of it. */
class MemoryStore {
  readonly volume: Volume = new (memfs().Volume)();
  readonly core: Core = this.volume._core;
  readonly dev: bigint;
  readonly #meta = new WeakMap<INode, NodeMeta>();
  usedBytes = 0;
  static #nextDev = 1n;

  constructor(
    readonly maxBytes: number,
    readonly now: () => bigint,
  ) {
    // Distinct devices keep (dev, ino) pairs unique across separate memory filesystems.
    this.dev = MemoryStore.#nextDev++;
    // memfs counts the root's own `.` and `..` entries as extra links; POSIX counts 2.
    this.core.root.getNode().nlink = 2;
  }

  metaOf(node: INode): NodeMeta {
    let meta = this.#meta.get(node);
    if (meta === undefined) {
      const ns = (d: Date) => BigInt(d.getTime()) * 1_000_000n;
      meta = { atim: ns(node.atime), mtim: ns(node.mtime), ctim: ns(node.ctime), ino: BigInt(node.ino), opens: 0 };
      this.#meta.set(node, meta);
    }
    return meta;
  }

  created(node: INode): void {
    const now = this.now();
    this.#meta.set(node, { atim: now, mtim: now, ctim: now, ino: BigInt(node.ino), opens: 0 });
  }

  modified(meta: NodeMeta): void {
    meta.mtim = meta.ctim = this.now();
  }

  changed(node: INode): void {
    this.metaOf(node).ctim = this.now();
  }

  /** Reserves room for a file to grow from `oldSize` to `newSize` bytes. */
  resize(oldSize: number, newSize: number): void {
    if (newSize > MAX_MEMORY_FILE_SIZE) throw new WasiError('fbig');
    const grown = this.usedBytes + newSize - oldSize;
    if (newSize > oldSize && grown > this.maxBytes) throw new WasiError('nospc', `quota of ${this.maxBytes} bytes`);
    this.usedBytes = grown;
  }

  /** Frees an inode once no name and no handle refers to it. */
  release(node: INode): void {
    if (node.nlink > 0 || (this.#meta.get(node)?.opens ?? 0) > 0) return;
    if (node.isFile()) this.usedBytes -= node.getSize();
    this.core.deleteNode(node);
  }
}

type Entry =
  | { kind: 'directory'; link: Link; node: INode; meta: NodeMeta }
  | {
      kind: 'file';
      node: INode;
      meta: NodeMeta;
      readable: boolean;
      writable: boolean;
      append: boolean;
      /** The position as a number; `farPosition` holds it instead when past 2^53 (beyond any file here). */
      position: number;
      farPosition: bigint | undefined;
    };

type FileEntry = Extract<Entry, { kind: 'file' }>;

function fileTypeOf(node: INode): FileType {
  switch (node.mode & S_IFMT) {
    case S_IFDIR:
      return 'directory';
    case S_IFREG:
      return 'regular_file';
    case S_IFLNK:
      return 'symbolic_link';
    default:
      return 'unknown';
  }
}

/** A resolved path with the link it names (undefined when nothing is there), found in the same walk. */
interface Found extends ResolvedPath {
  link: Link | undefined;
}

const SLASH = 0x2f;

/**
 * What `resolvePath` would answer for the common path, names joined by single slashes with no `.`,
 * `..` or long name, through directories only and ending in anything but a symlink to follow: one
 * walk down the links, no lookup per prefix. Undefined for any other path, which the resolver takes.
 */
export function findPlain(base: Link, path: string, followFinal: boolean): Found | undefined {
  if (path.length === 0 || path.charCodeAt(0) === SLASH || path.includes('\0')) return undefined;
  const parts: string[] = [];
  let dir = base;
  let start = 0;
  for (;;) {
    const slash = path.indexOf('/', start);
    const name = slash === -1 ? path.slice(start) : path.slice(start, slash);
    // Names of up to 85 UTF-16 units are within MAX_NAME_BYTES whatever they hold.
    if (name === '' || name === '.' || name === '..' || name.length * 3 > MAX_NAME_BYTES) return undefined;
    parts.push(name);
    const link = dir.children.get(name);
    if (slash === -1) {
      if (link === undefined) return { parts, type: undefined, mustBeDir: false, endsInDot: false, link };
      const type = fileTypeOf(link.getNode());
      if (type === 'symbolic_link' && followFinal) return undefined;
      return { parts, type, mustBeDir: false, endsInDot: false, link };
    }
    if (link === undefined || !link.getNode().isDirectory()) return undefined;
    dir = link;
    start = slash + 1;
  }
}

/** memfs's `Node` keeps these private: the file is the first `size` bytes of `buf`, and `capacity` is `buf.length`. */
interface FileStorage {
  buf: INode['buf'];
  capacity: number;
  size: number;
}

/** The Buffer class memfs keeps bytes in (Node's, or a browser bundle's stand-in), taken from a buffer of it. */
interface BufferClass {
  allocUnsafe(size: number): INode['buf'];
  from(buffer: ArrayBuffer, offset: number, length: number): INode['buf'];
}

/** ES2024 resizable ArrayBuffers, past the ES2022 library this compiles against; absent where unsupported. */
interface MaybeResizable {
  readonly resizable?: boolean;
  readonly maxByteLength?: number;
  resize?(length: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer;

/** From this capacity a file's buffer is resizable, so it grows in place instead of being copied. */
const IN_PLACE_FROM = 1 << 20;
/** A resizable buffer reserves room to grow this many times over; past that its bytes move once more. */
const IN_PLACE_ROOM = 16;

/**
 * Makes room for `needed` bytes, doubling the capacity as memfs does. Small files move to a new
 * buffer; from IN_PLACE_FROM on, the buffer is a resizable ArrayBuffer that grows where it is, so a
 * long append neither copies what it wrote nor touches fresh memory twice (first touch of a page
 * is what writing to memory costs most). Where resizable buffers are missing, or no address space
 * can be reserved, it copies.
 */
function grow(file: FileStorage, needed: number): void {
  let capacity = Math.max(file.capacity * 2, 64);
  while (capacity < needed) capacity *= 2;
  const MemfsBuffer = file.buf.constructor as unknown as BufferClass;
  const current = file.buf.buffer as ArrayBuffer & MaybeResizable;
  if (current.resizable === true && file.buf.byteOffset === 0 && current.maxByteLength! >= capacity) {
    current.resize!(capacity);
    file.buf = MemfsBuffer.from(current, 0, capacity);
  } else {
    let next: INode['buf'] | undefined;
    if (capacity >= IN_PLACE_FROM) {
      try {
        const reserved = new ResizableArrayBuffer(capacity, { maxByteLength: Math.min(capacity * IN_PLACE_ROOM, MAX_MEMORY_FILE_SIZE) });
        next = MemfsBuffer.from(reserved, 0, capacity);
      } catch {
        // No address space to reserve: an ordinary buffer serves.
      }
    }
    next ??= MemfsBuffer.allocUnsafe(capacity);
    next.set(file.buf.subarray(0, file.size));
    file.buf = next;
  }
  file.capacity = capacity;
}

function childNames(link: Link): string[] {
  return [...link.children.keys()].filter((name) => name !== '.' && name !== '..');
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}

export class MemoryFileSystem implements FileSystem {
  readonly #store: MemoryStore;
  readonly #root: Link;
  readonly #handles: HandleTable<Entry>;
  readonly #readOnly: boolean;
  readonly #options: MemoryFileSystemOptions;

  /**
   * @param files initial regular files by absolute path; parent directories are created.
   * @param view internal: the store and root a `dir()` view shares.
   */
  constructor(files: MemoryFiles = {}, options: MemoryFileSystemOptions = {}, view?: { store: MemoryStore; root: Link }) {
    this.#options = options;
    this.#store = view?.store ?? new MemoryStore(options.maxBytes ?? Number.POSITIVE_INFINITY, options.now ?? realtimeNs);
    this.#root = view?.root ?? this.#store.core.root;
    if (view === undefined) this.#store.created(this.#root.getNode());
    this.#handles = new HandleTable(options.maxOpenFiles);
    this.#readOnly = options.readOnly ?? false;
    for (const [path, content] of Object.entries(files)) this.#seed(path, bytesOf(content));
  }

  /** The memfs volume underneath, for inspection; changing it directly bypasses timestamps and quota. */
  get volume(): Volume {
    return this.#store.volume;
  }

  /** Bytes of regular-file content held (what `maxBytes` limits). */
  get usedBytes(): number {
    return this.#store.usedBytes;
  }

  /**
   * A filesystem whose root is the directory at `path` (resolved like any guest path, from this
   * root): a preopen of a subdirectory. It shares the tree, quota and device number with this
   * one, so changes show in both; it has its own handle table (same limits), so its handles
   * mean nothing here and vice versa, and `..` cannot leave it. `limits` replaces this
   * filesystem's `maxOpenFiles`/`readOnly` for the view (e.g. a read-only preopen).
   */
  dir(path: string, limits: FileSystemLimits = {}): MemoryFileSystem {
    const resolved = this.#resolve(this.#root, path, true);
    rules.requireExisting(resolved);
    if (resolved.type !== 'directory') throw new WasiError('notdir');
    const root = this.#linkAt(this.#root, resolved.parts);
    return new MemoryFileSystem({}, { ...this.#options, ...limits }, { store: this.#store, root });
  }

  /** Every regular file under the root by absolute path (hard links appear once per name). */
  toFiles(): Record<string, Uint8Array> {
    const files: Record<string, Uint8Array> = {};
    const walk = (link: Link, prefix: string) => {
      for (const name of childNames(link).sort()) {
        const child = link.children.get(name)!;
        const node = child.getNode();
        if (node.isDirectory()) walk(child, `${prefix}/${name}`);
        else if (node.isFile()) files[`${prefix}/${name}`] = new Uint8Array(node.buf.subarray(0, node.getSize()));
      }
    };
    walk(this.#root, '');
    return files;
  }

  openRoot(): Handle {
    return this.#openDirectory(this.#root);
  }

  open(dir: Handle, path: string, flags: OpenFlags): Handle {
    rules.checkOpenFlags(flags, this.#readOnly);
    this.#handles.checkRoom();
    const base = this.#dirLink(dir);
    const found = this.#resolve(base, path, rules.followFinalForOpen(flags));
    const plan = rules.planOpen(flags, found);
    if (plan === 'directory') return this.#openDirectory(found.link!);
    let node: INode;
    if (plan === 'create') {
      node = this.#createChild(base, found.parts, S_IFREG | 0o666).getNode();
    } else {
      node = found.link!.getNode();
      if (flags.truncate && node.isFile()) this.#setSize(node, 0);
    }
    const meta = this.#store.metaOf(node);
    const handle = this.#handles.add({
      kind: 'file',
      node,
      meta,
      readable: Boolean(flags.read),
      writable: Boolean(flags.write || flags.append),
      append: Boolean(flags.append),
      position: 0,
      farPosition: undefined,
    });
    meta.opens += 1;
    return handle;
  }

  close(handle: Handle): void {
    const entry = this.#handles.remove(handle);
    entry.meta.opens -= 1;
    this.#store.release(entry.node);
  }

  stat(dir: Handle, path: string): FileStat {
    return this.#statPath(dir, path, true);
  }

  lstat(dir: Handle, path: string): FileStat {
    return this.#statPath(dir, path, false);
  }

  fstat(handle: Handle): FileStat {
    const entry = this.#handles.get(handle);
    return this.#statOf(entry.node, entry.meta);
  }

  fileType(handle: Handle): FileType {
    return fileTypeOf(this.#handles.get(handle).node);
  }

  read(handle: Handle, into: Uint8Array): number {
    return this.readRange(handle, into, 0, into.length);
  }

  /** `read` into `buffer[offset, offset + length)`: the caller passes guest memory whole, no view. */
  readRange(handle: Handle, buffer: Uint8Array, offset: number, length: number): number {
    const entry = this.#file(handle, 'read');
    if (entry.farPosition !== undefined) return 0;
    const n = this.#readAt(entry, buffer, offset, length, entry.position);
    entry.position += n;
    return n;
  }

  pread(handle: Handle, into: Uint8Array, offset: bigint): number {
    const entry = this.#file(handle, 'read');
    return offset >= BigInt(entry.node.getSize()) ? 0 : this.#readAt(entry, into, 0, into.length, Number(offset));
  }

  write(handle: Handle, data: Uint8Array): number {
    const entry = this.#file(handle, 'write');
    if (entry.append) {
      entry.position = entry.node.getSize();
      entry.farPosition = undefined;
    } else if (entry.farPosition !== undefined) {
      if (data.length === 0) return 0;
      throw new WasiError('fbig');
    }
    this.#writeAt(entry.node, entry.meta, data, entry.position);
    entry.position += data.length;
    return data.length;
  }

  pwrite(handle: Handle, data: Uint8Array, offset: bigint): number {
    const entry = this.#file(handle, 'write');
    if (data.length === 0) return 0;
    this.#writeAt(entry.node, entry.meta, data, entry.append ? entry.node.getSize() : this.#toSize(offset));
    return data.length;
  }

  seek(handle: Handle, offset: bigint, whence: Whence): bigint {
    const entry = this.#file(handle);
    const base = whence === 'set' ? 0n : whence === 'cur' ? (entry.farPosition ?? BigInt(entry.position)) : BigInt(entry.node.getSize());
    const position = base + offset;
    if (position < 0n) throw new WasiError('inval', 'negative position');
    const far = position > BigInt(Number.MAX_SAFE_INTEGER);
    entry.position = far ? Number.MAX_SAFE_INTEGER : Number(position);
    entry.farPosition = far ? position : undefined;
    return position;
  }

  truncate(dir: Handle, path: string, size: bigint): void {
    this.#checkWritable();
    const resolved = this.#resolve(this.#dirLink(dir), path, true);
    rules.requireExisting(resolved);
    if (resolved.type === 'directory') throw new WasiError('isdir');
    this.#setSize(this.#linkAt(this.#dirLink(dir), resolved.parts).getNode(), this.#toSize(size));
  }

  ftruncate(handle: Handle, size: bigint): void {
    const entry = this.#file(handle);
    // Linux answers EINVAL for ftruncate on a descriptor not open for writing.
    if (!entry.writable) throw new WasiError('inval', 'handle not open for writing');
    this.#setSize(entry.node, this.#toSize(size));
  }

  allocate(handle: Handle, offset: bigint, length: bigint): void {
    const entry = this.#file(handle, 'write');
    const end = this.#toSize(offset + length);
    if (end > entry.node.getSize()) this.#setSize(entry.node, end);
  }

  sync(handle: Handle): void {
    this.#handles.get(handle);
  }

  datasync(handle: Handle): void {
    this.#handles.get(handle);
  }

  setTimes(dir: Handle, path: string, times: SetTimes, follow: boolean): void {
    this.#checkWritable();
    const resolved = this.#resolve(this.#dirLink(dir), path, follow);
    rules.requireExisting(resolved);
    this.#setTimes(this.#linkAt(this.#dirLink(dir), resolved.parts).getNode(), times);
  }

  fsetTimes(handle: Handle, times: SetTimes): void {
    this.#checkWritable();
    this.#setTimes(this.#handles.get(handle).node, times);
  }

  setAppend(handle: Handle, append: boolean): void {
    this.#file(handle).append = append;
  }

  readdir(handle: Handle): DirEntry[] {
    const entry = this.#handles.get(handle);
    if (entry.kind !== 'directory') throw new WasiError('notdir');
    const { link } = entry;
    const parent = link === this.#root || link.parent === undefined ? link : link.parent;
    const entries: DirEntry[] = [
      { name: '.', type: 'directory', ino: BigInt(link.getNode().ino) },
      { name: '..', type: 'directory', ino: BigInt(parent.getNode().ino) },
    ];
    for (const name of childNames(link).sort()) {
      const node = link.children.get(name)!.getNode();
      entries.push({ name, type: fileTypeOf(node), ino: BigInt(node.ino) });
    }
    return entries;
  }

  mkdir(dir: Handle, path: string): void {
    this.#checkWritable();
    const resolved = this.#resolve(this.#dirLink(dir), path, false);
    rules.checkCreate(resolved);
    this.#createChild(this.#dirLink(dir), resolved.parts, S_IFDIR | 0o777);
  }

  rmdir(dir: Handle, path: string): void {
    this.#checkWritable();
    const base = this.#dirLink(dir);
    const resolved = this.#resolve(base, path, false);
    rules.checkRmdir(resolved);
    const link = this.#linkAt(base, resolved.parts);
    if (childNames(link).length > 0) throw new WasiError('notempty');
    this.#removeLink(link);
  }

  unlink(dir: Handle, path: string): void {
    this.#checkWritable();
    const base = this.#dirLink(dir);
    const resolved = this.#resolve(base, path, false);
    rules.checkUnlink(resolved);
    this.#removeLink(this.#linkAt(base, resolved.parts));
  }

  rename(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    this.#checkWritable();
    const oldBase = this.#dirLink(oldDir);
    const newBase = this.#dirLink(newDir);
    const from = this.#resolve(oldBase, oldPath, false);
    const to = this.#resolve(newBase, newPath, false);
    rules.checkRename(from, to);
    const link = this.#linkAt(oldBase, from.parts);
    const target = to.type === undefined ? undefined : this.#linkAt(newBase, to.parts);
    if (target !== undefined && target.getNode() === link.getNode()) return;
    const newParent = this.#linkAt(newBase, to.parts.slice(0, -1));
    if (link.getNode().isDirectory()) {
      // memfs makes the volume root its own parent, hence the second stop condition.
      for (let l: Link | undefined = newParent; l !== undefined; l = l.parent === l ? undefined : l.parent) {
        if (l === link) throw new WasiError('inval', 'cannot move a directory into itself');
      }
      if (target !== undefined && childNames(target).length > 0) throw new WasiError('notempty');
    }
    this.#requireLive(newParent);
    if (target !== undefined) this.#removeLink(target);
    const oldParent = link.parent!;
    const name = to.parts[to.parts.length - 1]!;
    oldParent.deleteChild(link);
    link.name = name;
    newParent.setChild(name, link);
    link.syncSteps();
    this.#store.modified(this.#store.metaOf(oldParent.getNode()));
    this.#store.modified(this.#store.metaOf(newParent.getNode()));
    this.#store.changed(link.getNode());
  }

  link(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string, follow = false): void {
    this.#checkWritable();
    const from = this.#resolve(this.#dirLink(oldDir), oldPath, follow);
    const to = this.#resolve(this.#dirLink(newDir), newPath, false);
    rules.checkLink(from, to);
    const node = this.#linkAt(this.#dirLink(oldDir), from.parts).getNode();
    const parent = this.#linkAt(this.#dirLink(newDir), to.parts.slice(0, -1));
    this.#requireLive(parent);
    node.nlink += 1;
    parent.createChild(to.parts[to.parts.length - 1]!, node);
    this.#store.changed(node);
    this.#store.modified(this.#store.metaOf(parent.getNode()));
  }

  symlink(target: string, dir: Handle, path: string): void {
    this.#checkWritable();
    rules.checkSymlinkTarget(target);
    const resolved = this.#resolve(this.#dirLink(dir), path, false);
    rules.checkCreateNonDir(resolved);
    const node = this.#createChild(this.#dirLink(dir), resolved.parts, S_IFLNK | 0o777).getNode();
    node.symlink = target;
  }

  readlink(dir: Handle, path: string): string {
    const resolved = this.#resolve(this.#dirLink(dir), path, false);
    rules.checkReadlink(resolved);
    return this.#linkAt(this.#dirLink(dir), resolved.parts).getNode().symlink;
  }

  #seed(path: string, bytes: Uint8Array): void {
    const names = path.split('/').filter((n) => n !== '' && n !== '.');
    if (names.length === 0 || names.includes('..')) throw new WasiError('inval', `seed path ${JSON.stringify(path)}`);
    let dir = this.#root;
    for (const name of names.slice(0, -1)) {
      const child = dir.children.get(name);
      if (child === undefined) dir = this.#createChild(dir, [name], S_IFDIR | 0o777);
      else if (child.getNode().isDirectory()) dir = child;
      else throw new WasiError('notdir', `seed path ${JSON.stringify(path)}`);
    }
    const name = names[names.length - 1]!;
    if (dir.children.has(name)) throw new WasiError('exist', `seed path ${JSON.stringify(path)}`);
    const node = this.#createChild(dir, [name], S_IFREG | 0o666).getNode();
    this.#writeAt(node, this.#store.metaOf(node), bytes, 0);
  }

  #lookup(base: Link): PathLookup {
    return {
      lstatType: (parts) => {
        const link = this.#tryLinkAt(base, parts);
        return link === undefined ? undefined : fileTypeOf(link.getNode());
      },
      readlink: (parts) => this.#linkAt(base, parts).getNode().symlink,
    };
  }

  /** Resolves `path` from `base` by the resolver's rules, and gives the link it names when there is one. */
  #resolve(base: Link, path: string, followFinal: boolean): Found {
    const plain = findPlain(base, path, followFinal);
    if (plain !== undefined) return plain;
    const resolved = resolvePath(this.#lookup(base), path, { followFinal }) as Found;
    resolved.link = resolved.type === undefined ? undefined : this.#tryLinkAt(base, resolved.parts);
    return resolved;
  }

  #tryLinkAt(base: Link, parts: readonly string[]): Link | undefined {
    let link: Link | undefined = base;
    for (const name of parts) {
      link = link.children.get(name);
      if (link === undefined) return undefined;
    }
    return link;
  }

  /** The link at `parts`, which the resolver has already shown to exist. */
  #linkAt(base: Link, parts: readonly string[]): Link {
    const link = this.#tryLinkAt(base, parts);
    if (link === undefined) throw new WasiError('noent');
    return link;
  }

  #dirLink(handle: Handle): Link {
    const entry = this.#handles.get(handle);
    if (entry.kind !== 'directory') throw new WasiError('notdir');
    return entry.link;
  }

  #openDirectory(link: Link): Handle {
    const node = link.getNode();
    const meta = this.#store.metaOf(node);
    const handle = this.#handles.add({ kind: 'directory', link, node, meta });
    meta.opens += 1;
    return handle;
  }

  #file(handle: Handle, access?: 'read' | 'write'): FileEntry {
    const entry = this.#handles.get(handle);
    if (entry.kind !== 'file') throw new WasiError('isdir');
    if (access === 'read' && !entry.readable) throw new WasiError('badf', 'handle not open for reading');
    if (access === 'write' && !entry.writable) throw new WasiError('badf', 'handle not open for writing');
    return entry;
  }

  /** A removed directory takes no new entries, as on Linux. */
  #requireLive(dir: Link): void {
    if (dir.getNode().nlink === 0) throw new WasiError('noent', 'directory was removed');
  }

  #createChild(base: Link, parts: readonly string[], mode: number): Link {
    const parent = this.#linkAt(base, parts.slice(0, -1));
    this.#requireLive(parent);
    const link = parent.createChild(parts[parts.length - 1]!, this.#store.core.createNode(mode));
    this.#store.created(link.getNode());
    this.#store.modified(this.#store.metaOf(parent.getNode()));
    return link;
  }

  #removeLink(link: Link): void {
    const parent = link.parent!;
    const node = link.getNode();
    parent.deleteChild(link);
    // A removed directory loses its `.` entry as well as its name.
    node.nlink = node.isDirectory() ? 0 : node.nlink - 1;
    this.#store.changed(node);
    this.#store.modified(this.#store.metaOf(parent.getNode()));
    this.#store.release(node);
  }

  #checkWritable(): void {
    if (this.#readOnly) throw new WasiError('rofs');
  }

  #toSize(size: bigint): number {
    if (size < 0n) throw new WasiError('inval');
    if (size > BigInt(MAX_MEMORY_FILE_SIZE)) throw new WasiError('fbig');
    return Number(size);
  }

  #setSize(node: INode, size: number): void {
    this.#store.resize(node.getSize(), size);
    node.truncate(size);
    this.#store.modified(this.#store.metaOf(node));
  }

  /** Copies file bytes from `at` into `buffer[offset, offset + length)`; returns the count. */
  #readAt({ node, meta }: FileEntry, buffer: Uint8Array, offset: number, length: number, at: number): number {
    const size = node.getSize();
    if (at >= size || length === 0) return 0;
    const n = Math.min(size - at, length);
    const src = node.buf;
    // A short copy by hand costs less than the view `set` needs.
    if (n <= 64) for (let i = 0; i < n; i++) buffer[offset + i] = src[at + i]!;
    else buffer.set(new Uint8Array(src.buffer, src.byteOffset + at, n), offset);
    // relatime, as Linux mounts by default: a read sets atim only when it is not newer than mtim
    // and ctim, so a reader learns the file was read since it changed, and repeat reads cost no clock.
    if (meta.atim <= meta.mtim || meta.atim <= meta.ctim) meta.atim = this.#store.now();
    return n;
  }

  #writeAt(node: INode, meta: NodeMeta, data: Uint8Array, at: number): void {
    if (data.length === 0) return;
    const file = node as unknown as FileStorage;
    const end = at + data.length;
    if (end > file.size) {
      this.#store.resize(file.size, end);
      if (end > file.capacity) grow(file, end);
      // Only a gap before `at` is zeroed: what `data` covers is written once.
      if (at > file.size) file.buf.fill(0, file.size, at);
      file.size = end;
    }
    file.buf.set(data, at);
    this.#store.modified(meta);
  }

  #setTimes(node: INode, times: SetTimes): void {
    const current = this.#store.metaOf(node);
    const now = this.#store.now();
    if (times.atim !== undefined) current.atim = times.atim === 'now' ? now : times.atim;
    if (times.mtim !== undefined) current.mtim = times.mtim === 'now' ? now : times.mtim;
    current.ctim = now;
  }

  #statPath(dir: Handle, path: string, follow: boolean): FileStat {
    const found = this.#resolve(this.#dirLink(dir), path, follow);
    rules.requireExisting(found);
    const node = found.link!.getNode();
    return this.#statOf(node, this.#store.metaOf(node));
  }

  #statOf(node: INode, meta: NodeMeta): FileStat {
    const filetype = fileTypeOf(node);
    let size = 0n;
    if (filetype === 'regular_file') size = BigInt(node.getSize());
    else if (filetype === 'symbolic_link') size = BigInt(new TextEncoder().encode(node.symlink).length);
    return {
      dev: this.#store.dev,
      ino: meta.ino,
      filetype,
      nlink: BigInt(node.nlink),
      size,
      atim: meta.atim,
      mtim: meta.mtim,
      ctim: meta.ctim,
    };
  }
}

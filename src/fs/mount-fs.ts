/**
 * The guest's root directory `/`: a mount table over other filesystems, itself a {@link FileSystem}.
 *
 * Why a FileSystem: the handlers already speak this interface for every directory fd, so `/` needs no
 * handler change at all; it is one more preopen (fd 3 for WASIX, as Wasmer's root at `/`), and each
 * mounted filesystem also keeps its own preopen fd after it.
 *
 * Every path is resolved here, against the whole tree, with the shared resolver (path-resolver.ts): so
 * `..` at a mount point leads to its parent in the root (as on POSIX), a symlink in a mount is followed
 * through the tree (an absolute target starts at `/`), and a mounted filesystem is only ever asked for a
 * path of plain names below its own root, which it resolves again with its own sandbox: nothing can reach
 * above a mount's root (a host directory's parent). `..` at `/` stays refused (`perm`), as every other
 * directory fd's sandbox is. A rename or link between two mounts is done by the source backend when it
 * can (two host directories on one disk), `xdev` otherwise; a mount point is `busy` to rmdir or rename.
 */

import { WasiError } from '../abi/wasi-error.js';
import { resolvePath, type PathLookup, type ResolvedPath } from './path-resolver.js';
import type { DirEntry, FileStat, FileSystem, FileType, Handle, OpenFlags, SetTimes, Whence } from './types.js';

interface Mount {
  /** Components of the guest path it is mounted at; empty for the root filesystem. */
  readonly parts: readonly string[];
  readonly fs: FileSystem;
  /** A handle of `fs`'s root, kept open for resolving paths. */
  readonly root: Handle;
}

interface Open {
  readonly mount: Mount;
  readonly handle: Handle;
  /** For a directory: its components from `/` (to resolve paths under it and list mounts in it). */
  readonly parts: readonly string[] | undefined;
}

const startsWith = (a: readonly string[], prefix: readonly string[]): boolean => prefix.length <= a.length && prefix.every((c, i) => a[i] === c);

/** A guest path (`/tmp`, `work`, `.`) as its components from `/`; `..` is refused (a mount point must be plain). */
export function mountParts(guestPath: string): string[] {
  const parts = guestPath.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw new Error(`mount point ${JSON.stringify(guestPath)} contains ..`);
  return parts;
}

export class MountFileSystem implements FileSystem {
  asynchronous?: boolean;
  readonly #mounts: Mount[];
  readonly #open = new Map<Handle, Open>();
  #next = 0;

  /**
   * `root` serves `/`; each of `mounts` (guest path, filesystem) is mounted over it, a later one over an
   * earlier one at the same path. Missing mount points are made in `root` when it lets us (so that they
   * can be opened, not only passed through); either way they list and stat as directories.
   */
  constructor(root: FileSystem, mounts: readonly (readonly [string, FileSystem])[]) {
    this.#mounts = [{ parts: [], fs: root, root: root.openRoot() }];
    for (const [path, fs] of mounts) this.mount(path, fs);
  }

  /**
   * Mounts `fs` at `guestPath` over what is there (a later mount over an earlier one at the same path),
   * also while the guest runs: from its next call on, every path through `/` sees it (a folder the user
   * picks on a page, say). Fds already open below that path keep what they had open.
   */
  mount(guestPath: string, fs: FileSystem): void {
    const parts = mountParts(guestPath);
    const root = this.#mounts[0]!;
    for (let i = 1; i <= parts.length; i++) {
      try {
        root.fs.mkdir(root.root, parts.slice(0, i).join('/'));
      } catch (err) {
        if (!(err instanceof WasiError)) throw err;
      }
    }
    this.#mounts.push({ parts, fs, root: fs.openRoot() });
    if (fs.asynchronous) this.asynchronous = true;
  }

  flush(): Promise<void> {
    return Promise.all(this.#mounts.filter((m) => m.fs.flush).map((m) => m.fs.flush!())).then(() => undefined);
  }

  /** The mount holding `parts` (the deepest, the latest of equals) and the components below its root. */
  #where(parts: readonly string[]): [Mount, string[]] {
    let best = this.#mounts[0]!;
    for (const m of this.#mounts) if (startsWith(parts, m.parts) && m.parts.length >= best.parts.length) best = m;
    return [best, parts.slice(best.parts.length)];
  }

  /** `parts` is a mount point, or a directory on the way to one: it cannot be removed or replaced. */
  #holdsMount(parts: readonly string[]): boolean {
    return this.#mounts.some((m) => m.parts.length > 0 && startsWith(m.parts, parts));
  }

  readonly #lookup: PathLookup = {
    lstatType: (parts): FileType | undefined => {
      if (this.#mounts.some((m) => m.parts.length > 0 && m.parts.length === parts.length && startsWith(parts, m.parts))) return 'directory';
      const [m, rest] = this.#where(parts);
      try {
        return m.fs.lstat(m.root, rest.join('/')).filetype;
      } catch (err) {
        if (!(err instanceof WasiError) || (err.errno !== 'noent' && err.errno !== 'notdir')) throw err;
        return this.#holdsMount(parts) ? 'directory' : undefined;
      }
    },
    readlink: (parts) => {
      const [m, rest] = this.#where(parts);
      return m.fs.readlink(m.root, rest.join('/'));
    },
  };

  #get(handle: Handle): Open {
    const o = this.#open.get(handle);
    if (!o) throw new WasiError('badf');
    return o;
  }

  /** Resolves `path` under the directory `dir` through the whole tree: the mount it ends in and the path to give that mount. */
  #resolve(dir: Handle, path: string, followFinal: boolean): { mount: Mount; path: string; parts: string[]; r: ResolvedPath } {
    const d = this.#get(dir);
    if (d.parts === undefined) throw new WasiError('notdir');
    if (path === '') throw new WasiError('noent', 'empty path');
    if (path.startsWith('/')) throw new WasiError('perm', `absolute path ${JSON.stringify(path)}`);
    const full = d.parts.length === 0 ? path : `${d.parts.join('/')}/${path}`;
    const r = resolvePath(this.#lookup, full, { followFinal, absoluteSymlinksFromBase: true });
    const [mount, rest] = this.#where(r.parts);
    // The final `.`, `..` or slash keeps its meaning for the backend (mkdir "a/." is `exist`, "f/" must be a directory).
    let p = rest.join('/');
    if (r.endsInDot) p = p === '' ? '.' : `${p}/.`;
    else if (r.mustBeDir) p = `${p}/`;
    else if (p === '') p = '.';
    return { mount, path: p, parts: r.parts, r };
  }

  /** Refuses to remove or replace a mount point or a directory leading to one. */
  #notMount(parts: readonly string[]): void {
    if (this.#holdsMount(parts)) throw new WasiError('busy', `/${parts.join('/')} is a mount point`);
  }

  #add(mount: Mount, handle: Handle, parts: readonly string[] | undefined): Handle {
    const h = this.#next++;
    this.#open.set(h, { mount, handle, parts });
    return h;
  }

  openRoot(): Handle {
    const m = this.#mounts[0]!;
    return this.#add(m, m.fs.openRoot(), []);
  }

  open(dir: Handle, path: string, flags: OpenFlags): Handle {
    const { mount, path: p, parts } = this.#resolve(dir, path, !flags.nofollow);
    const h = mount.fs.open(mount.root, p, flags);
    const type = mount.fs.fileType ? mount.fs.fileType(h) : mount.fs.fstat(h).filetype;
    return this.#add(mount, h, type === 'directory' ? parts : undefined);
  }

  close(handle: Handle): void {
    const o = this.#get(handle);
    this.#open.delete(handle);
    o.mount.fs.close(o.handle);
  }

  stat(dir: Handle, path: string): FileStat {
    const { mount, path: p } = this.#resolve(dir, path, true);
    return mount.fs.stat(mount.root, p);
  }

  lstat(dir: Handle, path: string): FileStat {
    const { mount, path: p } = this.#resolve(dir, path, false);
    return mount.fs.lstat(mount.root, p);
  }

  fstat(handle: Handle): FileStat {
    const o = this.#get(handle);
    return o.mount.fs.fstat(o.handle);
  }

  fileType(handle: Handle): FileType {
    const o = this.#get(handle);
    return o.mount.fs.fileType ? o.mount.fs.fileType(o.handle) : o.mount.fs.fstat(o.handle).filetype;
  }

  read(handle: Handle, into: Uint8Array): number {
    const o = this.#get(handle);
    return o.mount.fs.read(o.handle, into);
  }

  readRange(handle: Handle, buffer: Uint8Array, offset: number, length: number): number {
    const o = this.#get(handle);
    return o.mount.fs.readRange ? o.mount.fs.readRange(o.handle, buffer, offset, length) : o.mount.fs.read(o.handle, buffer.subarray(offset, offset + length));
  }

  pread(handle: Handle, into: Uint8Array, offset: bigint): number {
    const o = this.#get(handle);
    return o.mount.fs.pread(o.handle, into, offset);
  }

  write(handle: Handle, data: Uint8Array): number {
    const o = this.#get(handle);
    return o.mount.fs.write(o.handle, data);
  }

  writeRange(handle: Handle, buffer: Uint8Array, offset: number, length: number): number {
    const o = this.#get(handle);
    return o.mount.fs.writeRange ? o.mount.fs.writeRange(o.handle, buffer, offset, length) : o.mount.fs.write(o.handle, buffer.subarray(offset, offset + length));
  }

  pwrite(handle: Handle, data: Uint8Array, offset: bigint): number {
    const o = this.#get(handle);
    return o.mount.fs.pwrite(o.handle, data, offset);
  }

  seek(handle: Handle, offset: bigint, whence: Whence): bigint {
    const o = this.#get(handle);
    return o.mount.fs.seek(o.handle, offset, whence);
  }

  truncate(dir: Handle, path: string, size: bigint): void {
    const { mount, path: p } = this.#resolve(dir, path, true);
    mount.fs.truncate(mount.root, p, size);
  }

  ftruncate(handle: Handle, size: bigint): void {
    const o = this.#get(handle);
    o.mount.fs.ftruncate(o.handle, size);
  }

  allocate(handle: Handle, offset: bigint, length: bigint): void {
    const o = this.#get(handle);
    o.mount.fs.allocate(o.handle, offset, length);
  }

  sync(handle: Handle): void {
    const o = this.#get(handle);
    o.mount.fs.sync(o.handle);
  }

  datasync(handle: Handle): void {
    const o = this.#get(handle);
    o.mount.fs.datasync(o.handle);
  }

  setTimes(dir: Handle, path: string, times: SetTimes, follow: boolean): void {
    const { mount, path: p } = this.#resolve(dir, path, follow);
    mount.fs.setTimes(mount.root, p, times, follow);
  }

  fsetTimes(handle: Handle, times: SetTimes): void {
    const o = this.#get(handle);
    o.mount.fs.fsetTimes(o.handle, times);
  }

  /** The backend's listing, with the mount points below this directory shown as the directories they are. */
  readdir(handle: Handle): DirEntry[] {
    const o = this.#get(handle);
    const entries = o.mount.fs.readdir(o.handle);
    const parts = o.parts;
    if (parts === undefined) return entries;
    const byName = new Map(entries.slice(2).map((e) => [e.name, e]));
    for (const m of this.#mounts) {
      if (m.parts.length <= parts.length || !startsWith(m.parts, parts)) continue;
      const name = m.parts[parts.length]!;
      const ino = m.parts.length === parts.length + 1 ? m.fs.fstat(m.root).ino : (byName.get(name)?.ino ?? 0n);
      byName.set(name, { name, type: 'directory', ino });
    }
    const rest = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [...entries.slice(0, 2), ...rest];
  }

  setAppend(handle: Handle, append: boolean): void {
    const o = this.#get(handle);
    if (!o.mount.fs.setAppend) throw new WasiError('notsup');
    o.mount.fs.setAppend(o.handle, append);
  }

  mkdir(dir: Handle, path: string): void {
    const { mount, path: p, parts, r } = this.#resolve(dir, path, false);
    if (!r.endsInDot && this.#holdsMount(parts)) throw new WasiError('exist');
    mount.fs.mkdir(mount.root, p);
  }

  rmdir(dir: Handle, path: string): void {
    const { mount, path: p, parts } = this.#resolve(dir, path, false);
    this.#notMount(parts);
    mount.fs.rmdir(mount.root, p);
  }

  unlink(dir: Handle, path: string): void {
    const { mount, path: p, parts } = this.#resolve(dir, path, false);
    if (this.#holdsMount(parts)) throw new WasiError('isdir');
    mount.fs.unlink(mount.root, p);
  }

  rename(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string): void {
    const from = this.#resolve(oldDir, oldPath, false);
    const to = this.#resolve(newDir, newPath, false);
    this.#notMount(from.parts);
    this.#notMount(to.parts);
    if (from.mount === to.mount) from.mount.fs.rename(from.mount.root, from.path, to.mount.root, to.path);
    else if (from.mount.fs === to.mount.fs) from.mount.fs.rename(from.mount.root, from.path, to.mount.root, to.path);
    else if (from.mount.fs.renameAcross) from.mount.fs.renameAcross(from.mount.root, from.path, to.mount.fs, to.mount.root, to.path);
    else throw new WasiError('xdev');
  }

  link(oldDir: Handle, oldPath: string, newDir: Handle, newPath: string, follow = false): void {
    const from = this.#resolve(oldDir, oldPath, follow);
    const to = this.#resolve(newDir, newPath, false);
    if (this.#holdsMount(to.parts)) throw new WasiError('exist');
    if (from.mount.fs === to.mount.fs) from.mount.fs.link(from.mount.root, from.path, to.mount.root, to.path, follow);
    else if (from.mount.fs.linkAcross) from.mount.fs.linkAcross(from.mount.root, from.path, to.mount.fs, to.mount.root, to.path, follow);
    else throw new WasiError('xdev');
  }

  /** Into another filesystem (a mount's own preopen fd): done when the mount holding the source is that filesystem, or by its backend. */
  renameAcross(oldDir: Handle, oldPath: string, to: FileSystem, newDir: Handle, newPath: string): void {
    const from = this.#resolve(oldDir, oldPath, false);
    this.#notMount(from.parts);
    if (from.mount.fs === to) to.rename(from.mount.root, from.path, newDir, newPath);
    else if (from.mount.fs.renameAcross) from.mount.fs.renameAcross(from.mount.root, from.path, to, newDir, newPath);
    else throw new WasiError('xdev');
  }

  linkAcross(oldDir: Handle, oldPath: string, to: FileSystem, newDir: Handle, newPath: string, follow = false): void {
    const from = this.#resolve(oldDir, oldPath, follow);
    if (from.mount.fs === to) to.link(from.mount.root, from.path, newDir, newPath, follow);
    else if (from.mount.fs.linkAcross) from.mount.fs.linkAcross(from.mount.root, from.path, to, newDir, newPath, follow);
    else throw new WasiError('xdev');
  }

  symlink(target: string, dir: Handle, path: string): void {
    const { mount, path: p, parts } = this.#resolve(dir, path, false);
    if (this.#holdsMount(parts)) throw new WasiError('exist');
    mount.fs.symlink(target, mount.root, p);
  }

  readlink(dir: Handle, path: string): string {
    const { mount, path: p } = this.#resolve(dir, path, false);
    return mount.fs.readlink(mount.root, p);
  }
}

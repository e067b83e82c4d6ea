import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { Fdflags, Lookupflags, Oflags } from '../../../generated/preview1/types.js';
import { WasiError } from '../../abi/errno-of.js';
import type { Process } from '../../kernel/process.js';
import { DIR_RIGHTS, FILE_RIGHTS, R, fromBig } from '../../rights.js';
import { filetypeOf, toFilestat } from './filestat.js';
import { setTimes } from './fd.js';

type PathCalls = Extract<keyof WasiSnapshotPreview1, `path_${string}`>;
type H = Pick<WasiSnapshotPreview1, PathCalls>;

const encoder = new TextEncoder();
const follows = (flags: number) => (flags & Lookupflags.symlink_follow) !== 0;
// The rights that mean "opened for reading" and "opened for writing", as uvwasi reads them.
const READ_RIGHTS = R.fd_read | R.fd_readdir;
const WRITE_RIGHTS = R.fd_write | R.fd_datasync | R.fd_allocate | R.fd_filestat_set_size;

export function pathHandlers(k: Process): H {
  const { fds, memory: m } = k;
  return {
    path_create_directory(fd, path) {
      const d = fds.getDir(fd, R.path_create_directory);
      d.fs.mkdir(d.handle, path);
    },
    path_filestat_get(fd, flags, path) {
      const d = fds.getDir(fd, R.path_filestat_get);
      return toFilestat(follows(flags) ? d.fs.stat(d.handle, path) : d.fs.lstat(d.handle, path));
    },
    path_filestat_set_times(fd, flags, path, atim, mtim, fstFlags) {
      const d = fds.getDir(fd, R.path_filestat_set_times);
      d.fs.setTimes(d.handle, path, setTimes(atim, mtim, fstFlags), follows(flags));
    },
    path_link(oldFd, oldFlags, oldPath, newFd, newPath) {
      const from = fds.getDir(oldFd, R.path_link_source);
      const to = fds.getDir(newFd, R.path_link_target);
      // symlink_follow links what a final symlink names, as Linux's linkat(AT_SYMLINK_FOLLOW) (a
      // dangling one is noent); wasmtime refuses the flag with inval. The official suite accepts both.
      if (from.fs === to.fs) from.fs.link(from.handle, oldPath, to.handle, newPath, follows(oldFlags));
      // Two preopens: done by the backend when they share storage (the host), as wasmtime, Wasmer
      // and node:wasi do; xdev otherwise.
      else if (from.fs.linkAcross) from.fs.linkAcross(from.handle, oldPath, to.fs, to.handle, newPath, follows(oldFlags));
      else throw new WasiError('xdev');
    },
    path_open(fd, dirflags, path, oflags, rightsBase, rightsInheriting, fdflags) {
      let needed = R.path_open;
      if (oflags & Oflags.creat) needed |= R.path_create_file;
      if (oflags & Oflags.trunc) needed |= R.path_filestat_set_size;
      const dirFd = fds.fdDir(fd, needed);
      const d = dirFd.file;
      // A new fd gets what it asked for, limited to what the directory lets its children have.
      let base = fromBig(rightsBase) & dirFd.rightsInheriting;
      // A file also gets what older toolchains forgot to ask for: Rust's std before 2020 opened files
      // without fd_filestat_get (rust-lang/rust#74972) and appended without fd_write (#75189), so
      // metadata() and the first append failed with notcapable. Wasmer gives a new fd the directory's
      // whole inheriting rights (path_open's adjusted_rights); we add only these two.
      let forgotten = R.fd_filestat_get;
      if (fdflags & Fdflags.append) forgotten |= R.fd_write;
      forgotten &= dirFd.rightsInheriting;
      const inheriting = fromBig(rightsInheriting) & dirFd.rightsInheriting;
      const write = (base & WRITE_RIGHTS) !== 0 || (fdflags & Fdflags.append) !== 0;
      const handle = d.fs.open(d.handle, path, {
        read: (base & READ_RIGHTS) !== 0 || !write,
        write,
        append: (fdflags & Fdflags.append) !== 0,
        create: (oflags & Oflags.creat) !== 0,
        exclusive: (oflags & Oflags.excl) !== 0,
        truncate: (oflags & Oflags.trunc) !== 0,
        directory: (oflags & Oflags.directory) !== 0,
        nofollow: !follows(dirflags),
      });
      try {
        const filetype = d.fs.fileType ? d.fs.fileType(handle) : d.fs.fstat(handle).filetype;
        const isDir = filetype === 'directory';
        base = isDir ? base & DIR_RIGHTS : (base | forgotten) & FILE_RIGHTS;
        return fds.insert({
          file: { kind: 'fs', fs: d.fs, handle, isDir, listing: undefined, filetype: filetypeOf(filetype), fdflags },
          rightsBase: base,
          rightsInheriting: inheriting,
        });
      } catch (err) {
        d.fs.close(handle);
        throw err;
      }
    },
    path_readlink(fd, path, buf, bufLen) {
      const d = fds.getDir(fd, R.path_readlink);
      const target = encoder.encode(d.fs.readlink(d.handle, path));
      // A short buffer gets as much as fits, like readlink(2).
      const n = Math.min(target.length, bufLen);
      m.check(buf, n);
      m.u8.set(target.subarray(0, n), buf);
      return n;
    },
    path_remove_directory(fd, path) {
      const d = fds.getDir(fd, R.path_remove_directory);
      d.fs.rmdir(d.handle, path);
    },
    path_rename(fd, oldPath, newFd, newPath) {
      const from = fds.getDir(fd, R.path_rename_source);
      const to = fds.getDir(newFd, R.path_rename_target);
      if (from.fs === to.fs) from.fs.rename(from.handle, oldPath, to.handle, newPath);
      else if (from.fs.renameAcross) from.fs.renameAcross(from.handle, oldPath, to.fs, to.handle, newPath);
      else throw new WasiError('xdev');
    },
    path_symlink(oldPath, fd, newPath) {
      const d = fds.getDir(fd, R.path_symlink);
      // An absolute target could only ever escape the preopen: refused when made, as wasmtime's
      // cap-std does (perm), not only when followed. A filesystem may still hold one made elsewhere.
      if (oldPath.startsWith('/')) throw new WasiError('perm');
      d.fs.symlink(oldPath, d.handle, newPath);
    },
    path_unlink_file(fd, path) {
      const d = fds.getDir(fd, R.path_unlink_file);
      d.fs.unlink(d.handle, path);
    },
  };
}

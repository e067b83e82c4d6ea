import { WasiError } from '../abi/wasi-error.js';
import { opensForWriting } from './posix-rules.js';
import type { FileSystem, OpenFlags } from './types.js';

const refuse = (): never => {
  throw new WasiError('rofs');
};

/**
 * Any filesystem, read-only: every call that would change it fails with `rofs`, as a read-only
 * mount does; reading, listing and stat'ing pass through.
 */
export function readOnly(fs: FileSystem): FileSystem {
  return {
    ...(fs.asynchronous ? { asynchronous: true } : {}),
    ...(fs.flush ? { flush: () => fs.flush!() } : {}),
    openRoot: () => fs.openRoot(),
    open: (dir, path, flags: OpenFlags) => (opensForWriting(flags) ? refuse() : fs.open(dir, path, flags)),
    close: (h) => fs.close(h),
    stat: (dir, path) => fs.stat(dir, path),
    lstat: (dir, path) => fs.lstat(dir, path),
    fstat: (h) => fs.fstat(h),
    ...(fs.fileType ? { fileType: (h: number) => fs.fileType!(h) } : {}),
    read: (h, into) => fs.read(h, into),
    ...(fs.readRange ? { readRange: (h: number, b: Uint8Array, o: number, l: number) => fs.readRange!(h, b, o, l) } : {}),
    pread: (h, into, offset) => fs.pread(h, into, offset),
    write: refuse,
    pwrite: refuse,
    seek: (h, offset, whence) => fs.seek(h, offset, whence),
    truncate: refuse,
    ftruncate: refuse,
    allocate: refuse,
    sync: (h) => fs.sync(h),
    datasync: (h) => fs.datasync(h),
    setTimes: refuse,
    fsetTimes: refuse,
    readdir: (h) => fs.readdir(h),
    // Append only matters to writes, which are refused anyway.
    ...(fs.setAppend ? { setAppend: (h: number, append: boolean) => fs.setAppend!(h, append) } : {}),
    mkdir: refuse,
    rmdir: refuse,
    unlink: refuse,
    rename: refuse,
    link: refuse,
    // Into or out of a read-only filesystem: nothing may change there.
    ...(fs.renameAcross ? { renameAcross: refuse } : {}),
    ...(fs.linkAcross ? { linkAcross: refuse } : {}),
    symlink: refuse,
    readlink: (dir, path) => fs.readlink(dir, path),
  };
}

import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import { DIRENT, writeDirent } from '../../../generated/preview1/layout.js';
import { Fdflags, Filetype, Fstflags, Whence, WhenceNames, type Dirent } from '../../../generated/preview1/types.js';
import { WasiError } from '../../abi/errno-of.js';
import { WASM32, type GuestAbi } from '../../abi/guest-abi.js';
import type { FsFile, OpenFile } from '../../kernel/open-file.js';
import type { Process } from '../../kernel/process.js';
import { R, fromBig, toBig } from '../../rights.js';
import { toFilestat } from './filestat.js';

type FdCalls = Extract<keyof WasiSnapshotPreview1, `fd_${string}`>;
type H = Pick<WasiSnapshotPreview1, FdCalls>;

const encoder = new TextEncoder();
const PRESTAT_NAME_MAX = 4096;

export function fdHandlers(k: Process, abi: GuestAbi = WASM32): H {
  const { fds, memory: m } = k;
  const { iovec: IOVEC, ciovec: CIOVEC } = abi;
  // wasm32 reads the (buf, buf_len) pairs inline, as before; wasm64 through the checked u64 readers.
  const wide = abi.pointer.SIZE === 8;
  const ptrAt = (v: DataView, at: number) => (wide ? abi.readPointer(v, at) : v.getUint32(at, true));
  const lenAt = (v: DataView, at: number) => (wide ? abi.readUsize(v, at) : v.getUint32(at, true));

  /** Checks every iovec's buffer before any byte moves, so a bad one fails the call with nothing done. */
  const checkIovecs = (iovs: number, count: number, layout: GuestAbi['iovec']) => {
    const v = m.view;
    for (let i = 0; i < count; i++) {
      const at = iovs + i * layout.SIZE;
      m.check(ptrAt(v, at + layout.buf), lenAt(v, at + layout.buf_len));
    }
  };

  /** One buffer's read, from a stream's source or a file (at `offset` when given); short at the end. */
  const readOne = (e: OpenFile, buf: number, len: number, offset: bigint | undefined): number => {
    if (e.kind !== 'fs') {
      const source = e.source;
      if (!source) throw new WasiError('badf');
      return source.readRange ? source.readRange(m.u8, buf, len) : source.read(m.u8.subarray(buf, buf + len));
    }
    if (e.isDir) throw new WasiError('isdir');
    if (offset !== undefined) return e.fs.pread(e.handle, m.u8.subarray(buf, buf + len), offset);
    return e.fs.readRange ? e.fs.readRange(e.handle, m.u8, buf, len) : e.fs.read(e.handle, m.u8.subarray(buf, buf + len));
  };

  const readInto = (e: OpenFile, iovs: number, count: number, offset: bigint | undefined): number => {
    if (count === 1 && !wide) {
      // One iovec, as most reads are: read inline and checked, then read, with no loop around it.
      const v = m.view;
      const buf = v.getUint32(iovs + IOVEC.buf, true);
      const len = v.getUint32(iovs + IOVEC.buf_len, true);
      m.check(buf, len);
      return len === 0 ? 0 : readOne(e, buf, len, offset);
    }
    checkIovecs(iovs, count, IOVEC);
    let done = 0;
    for (let i = 0; i < count; i++) {
      const v = m.view;
      const buf = ptrAt(v, iovs + i * IOVEC.SIZE + IOVEC.buf);
      const len = lenAt(v, iovs + i * IOVEC.SIZE + IOVEC.buf_len);
      if (len === 0) continue;
      // Like readv: once some bytes are in, a stream that would block ends the call instead.
      if (done > 0 && e.kind !== 'fs' && e.source?.readiness && e.source.readiness() === undefined) break;
      const n = readOne(e, buf, len, offset === undefined ? undefined : offset + BigInt(done));
      done += n;
      if (n < len) break;
    }
    return done;
  };

  /** One buffer's write, to a stream's sink or a file (at `offset` when given). */
  const writeOne = (e: OpenFile, buf: number, len: number, offset: bigint | undefined): number => {
    if (e.kind !== 'fs') {
      const sink = e.sink;
      if (!sink) throw new WasiError('badf');
      // A bounded stream (a pipe) takes what fits: a short count, as on POSIX.
      if (sink.writeSome) return sink.writeSome(m.u8.subarray(buf, buf + len));
      if (sink.writeRange) sink.writeRange(m.u8, buf, len);
      else sink.write(m.u8.subarray(buf, buf + len));
      return len;
    }
    if (e.isDir) throw new WasiError('isdir');
    if (offset !== undefined) return e.fs.pwrite(e.handle, m.u8.subarray(buf, buf + len), offset);
    return e.fs.writeRange ? e.fs.writeRange(e.handle, m.u8, buf, len) : e.fs.write(e.handle, m.u8.subarray(buf, buf + len));
  };

  const writeFrom = (e: OpenFile, iovs: number, count: number, offset: bigint | undefined): number => {
    if (count === 1 && !wide) {
      // One iovec, as most writes are (printf's, a copy loop's): read inline and checked, then written.
      const v = m.view;
      const buf = v.getUint32(iovs + CIOVEC.buf, true);
      const len = v.getUint32(iovs + CIOVEC.buf_len, true);
      m.check(buf, len);
      return len === 0 ? 0 : writeOne(e, buf, len, offset);
    }
    checkIovecs(iovs, count, CIOVEC);
    let done = 0;
    for (let i = 0; i < count; i++) {
      const v = m.view;
      const buf = ptrAt(v, iovs + i * CIOVEC.SIZE + CIOVEC.buf);
      const len = lenAt(v, iovs + i * CIOVEC.SIZE + CIOVEC.buf_len);
      if (len === 0) continue;
      const n = writeOne(e, buf, len, offset === undefined ? undefined : offset + BigInt(done));
      done += n;
      if (n < len) break;
    }
    return done;
  };

  const seekable = (fd: number, rights: number): FsFile => {
    const e = fds.get(fd, rights);
    if (e.kind !== 'fs') throw new WasiError('spipe');
    return e;
  };

  return {
    fd_advise(fd, _offset, _len, _advice) {
      // Advice is a hint; the backends have no caches to steer, so taking it is all there is to do.
      fds.getFs(fd, R.fd_advise);
    },
    fd_allocate(fd, offset, len) {
      const e = fds.getFs(fd, R.fd_allocate);
      if (e.isDir) throw new WasiError('badf');
      e.fs.allocate(e.handle, offset, len);
    },
    fd_close(fd) {
      fds.close(fd);
    },
    fd_datasync(fd) {
      const e = fds.getFs(fd, R.fd_datasync);
      e.fs.datasync(e.handle);
    },
    fd_fdstat_get(fd) {
      const e = fds.fd(fd, 0);
      return {
        fs_filetype: e.file.filetype as Filetype,
        fs_flags: e.file.fdflags,
        fs_rights_base: toBig(e.rightsBase),
        fs_rights_inheriting: toBig(e.rightsInheriting),
      };
    },
    fd_fdstat_set_flags(fd, flags) {
      const e = fds.get(fd, R.fd_fdstat_set_flags);
      // Append is the backend's to change; the other flags describe how this host already behaves
      // (synchronous writes, blocking calls).
      if ((flags & Fdflags.append) !== (e.fdflags & Fdflags.append) && e.kind === 'fs' && !e.isDir) {
        if (!e.fs.setAppend) throw new WasiError('notsup', 'this filesystem cannot change append mode');
        e.fs.setAppend(e.handle, (flags & Fdflags.append) !== 0);
      }
      e.fdflags = flags;
    },
    fd_fdstat_set_rights(fd, base, inheriting) {
      const e = fds.fd(fd, 0);
      const b = fromBig(base);
      const i = fromBig(inheriting);
      // Rights can only be dropped, never gained.
      if ((b & ~e.rightsBase) !== 0 || (i & ~e.rightsInheriting) !== 0) throw new WasiError('notcapable');
      e.rightsBase = b;
      e.rightsInheriting = i;
      fds.changed(fd);
    },
    fd_filestat_get(fd) {
      const e = fds.get(fd, R.fd_filestat_get);
      if (e.kind !== 'fs') {
        return { dev: 0n, ino: 0n, filetype: e.filetype as Filetype, nlink: 1n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
      }
      return toFilestat(e.fs.fstat(e.handle));
    },
    fd_filestat_set_size(fd, size) {
      const e = fds.getFs(fd, R.fd_filestat_set_size);
      if (e.isDir) throw new WasiError('isdir');
      e.fs.ftruncate(e.handle, size);
    },
    fd_filestat_set_times(fd, atim, mtim, fstFlags) {
      const e = fds.getFs(fd, R.fd_filestat_set_times);
      e.fs.fsetTimes(e.handle, setTimes(atim, mtim, fstFlags));
    },
    fd_pread(fd, iovs, iovsLen, offset) {
      return readInto(seekable(fd, R.fd_read | R.fd_seek), iovs, iovsLen, offset);
    },
    fd_prestat_get(fd) {
      const e = fds.fd(fd, 0);
      if (e.file.kind !== 'fs' || e.preopen === undefined) throw new WasiError('badf');
      return { tag: 'dir', value: { pr_name_len: encoder.encode(e.preopen).length } };
    },
    fd_prestat_dir_name(fd, path, pathLen) {
      const e = fds.fd(fd, 0);
      if (e.file.kind !== 'fs' || e.preopen === undefined) throw new WasiError('badf');
      const name = encoder.encode(e.preopen);
      // A buffer shorter than the name is nametoolong, as wasmtime's preview1 adapter answers (the
      // official suite's dir_fd_op_failures accepts inval or nametoolong; uvwasi's nobufs it does not).
      if (pathLen < name.length || name.length > PRESTAT_NAME_MAX) throw new WasiError('nametoolong');
      m.check(path, name.length);
      m.u8.set(name, path);
    },
    fd_pwrite(fd, iovs, iovsLen, offset) {
      return writeFrom(seekable(fd, R.fd_write | R.fd_seek), iovs, iovsLen, offset);
    },
    fd_read(fd, iovs, iovsLen) {
      return readInto(fds.get(fd, R.fd_read), iovs, iovsLen, undefined);
    },
    fd_readdir: (fd, buf, bufLen, cookie) => readdir(k, fd, buf, bufLen, cookie, DIRENT.SIZE, writeDirent),
    fd_renumber(fd, to) {
      fds.renumber(fd, to);
    },
    fd_seek(fd, offset, whence) {
      const needed = offset === 0n && whence === Whence.cur ? R.fd_tell : R.fd_seek;
      const e = seekable(fd, needed);
      if (e.isDir) throw new WasiError('isdir');
      return e.fs.seek(e.handle, offset, WhenceNames[whence]!);
    },
    fd_sync(fd) {
      const e = fds.getFs(fd, R.fd_sync);
      e.fs.sync(e.handle);
    },
    fd_tell(fd) {
      const e = seekable(fd, R.fd_tell);
      if (e.isDir) throw new WasiError('isdir');
      return e.fs.seek(e.handle, 0n, 'cur');
    },
    fd_write(fd, iovs, iovsLen) {
      return writeFrom(fds.get(fd, R.fd_write), iovs, iovsLen, undefined);
    },
  };
}

// A last dirent that fits only in part is built here and cut to the buffer.
const scratch = new Uint8Array(64);
const scratchView = new DataView(scratch.buffer);

/**
 * `fd_readdir` for any version's dirent layout (`size`, `write`): `.` and `..` first, stable cookies
 * (the listing is taken afresh at cookie 0 and kept for the pages after it), and a last entry that
 * does not fit written as far as it goes, so a full buffer tells the guest to retry larger.
 */
export function readdir(
  k: Process,
  fd: number,
  buf: number,
  bufLen: number,
  cookie: bigint,
  size: number,
  write: (v: DataView, p: number, d: Dirent) => void,
): number {
  const e = k.fds.getDir(fd, R.fd_readdir);
  const m = k.memory;
  m.check(buf, bufLen);
  if (cookie === 0n || e.listing === undefined) e.listing = e.fs.readdir(e.handle);
  const listing = e.listing;
  let used = 0;
  for (let i = Number(cookie); i < listing.length && used < bufLen; i++) {
    const entry = listing[i]!;
    const text = entry.name;
    // Most names are ASCII: their bytes are their char codes, copied below without an encoded copy.
    const ascii = isAscii(text);
    const name = ascii ? undefined : encoder.encode(text);
    const namlen = name ? name.length : text.length;
    const dirent = { d_next: BigInt(i + 1), d_ino: entry.ino, d_namlen: namlen, d_type: Filetype[entry.type] };
    if (bufLen - used >= size) {
      m.u8.fill(0, buf + used, buf + used + size); // the padding, as a scratch copy would leave it
      write(m.view, buf + used, dirent);
      used += size;
    } else {
      write(scratchView, 0, dirent);
      m.u8.set(scratch.subarray(0, bufLen - used), buf + used);
      used = bufLen;
    }
    const tail = Math.min(namlen, bufLen - used);
    if (name) m.u8.set(name.subarray(0, tail), buf + used);
    else for (let j = 0, u8 = m.u8, at = buf + used; j < tail; j++) u8[at + j] = text.charCodeAt(j);
    used += tail;
  }
  return used;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** `fstflags` to the backend's times: each of atim/mtim is a value, `now`, or left alone. */
export function setTimes(atim: bigint, mtim: bigint, flags: number) {
  const pick = (value: bigint, set: number, now: number) => {
    if (flags & set && flags & now) throw new WasiError('inval');
    return flags & now ? ('now' as const) : flags & set ? value : undefined;
  };
  return { atim: pick(atim, Fstflags.atim, Fstflags.atim_now), mtim: pick(mtim, Fstflags.mtim, Fstflags.mtim_now) };
}

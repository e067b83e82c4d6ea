import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { SIZE } from '../../../generated/wasix/layout.js';
import { WasiError } from '../../abi/errno-of.js';
import type { FsFile } from '../../kernel/open-file.js';
import type { Process } from '../../kernel/process.js';

const encoder = new TextEncoder();

/** `path` taken against the absolute `base`, with `.` and `..` applied lexically; always absolute. */
export function joinPath(base: string, path: string): string {
  const parts = path.startsWith('/') ? [] : base.split('/').filter(Boolean);
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return `/${parts.join('/')}`;
}

/**
 * `getcwd`/`chdir` over the process's working directory (`Process.cwd`), starting at `/`. It is state for the
 * guest's libc to read back: preview1's path calls still resolve against the directory fd they are given.
 */
export function wasixCwdHandlers(k: Process): Pick<Wasix32v1, 'getcwd' | 'chdir'> {
  const { fds, memory: m } = k;

  /** The preopen whose guest path is the longest prefix of `path`, with the rest of the path under it. */
  const preopenOf = (path: string): [FsFile, string] | undefined => {
    let best: [FsFile, string, number] | undefined;
    for (const [, e] of fds.all()) {
      if (e.file.kind !== 'fs' || e.preopen === undefined) continue;
      const root = joinPath('/', e.preopen);
      const inside = path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
      if (inside && (!best || root.length > best[2])) best = [e.file, path.slice(root.length).replace(/^\//, ''), root.length];
    }
    return best && [best[0], best[1]];
  };

  return {
    getcwd(path, pathLen) {
      m.checkAligned(pathLen, SIZE.SIZE, SIZE.ALIGN);
      const bytes = encoder.encode(k.cwd);
      // As Wasmer does: the length without the NUL goes to *path_len; the buffer needs room for the NUL too.
      if (bytes.length < m.view.getUint32(pathLen, true)) {
        m.check(path, bytes.length + 1);
        m.u8.set(bytes, path);
        m.u8[path + bytes.length] = 0;
        m.view.setUint32(pathLen, bytes.length, true);
        return;
      }
      m.view.setUint32(pathLen, bytes.length, true);
      throw new WasiError('overflow', `the working directory takes ${bytes.length} bytes and a NUL`);
    },
    chdir(path) {
      if (path === '') throw new WasiError('noent');
      const target = joinPath(k.cwd, path);
      const found = preopenOf(target);
      if (!found) throw new WasiError('noent', `${target} is in no preopened directory`);
      const [d, rest] = found;
      if (d.fs.stat(d.handle, rest === '' ? '.' : rest).filetype !== 'directory') throw new WasiError('notdir');
      k.cwd = target;
    },
  };
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errnoFromNodeCode, hostCall, rethrowAsWasiError } from '../../src/fs/errno-from-node.js';
import { ERRNO_NAMES, WasiError } from '../../src/abi/wasi-error.js';
import { FsError } from '../../src/index.js';

const typenames = path.resolve(import.meta.dirname, '../../../shared/witx/preview1/typenames.witx');

describe('ErrnoName', () => {
  it('is exactly the preview1 $errno enum without success, in WITX order', () => {
    const witx = fs.readFileSync(typenames, 'utf8');
    const body = witx.slice(witx.indexOf('(typename $errno'), witx.indexOf('(typename $rights'));
    const names = [...body.matchAll(/^\s*\$([a-z0-9_]+)\s*$/gm)].map((m) => m[1]);
    expect(names[0]).toBe('success');
    expect(ERRNO_NAMES).toEqual(names.slice(1));
  });

  it('WasiError carries its errno and is an Error; FsError is the same class', () => {
    const error = new WasiError('noent', 'a.txt');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(FsError);
    expect(FsError).toBe(WasiError);
    expect(error.errno).toBe('noent');
    expect(error.name).toBe('WasiError');
    expect(error.message).toContain('a.txt');
  });
});

describe('errno-from-node', () => {
  it('maps the codes Node and memfs produce', () => {
    const expected: Record<string, string> = {
      ENOENT: 'noent', EEXIST: 'exist', ENOTDIR: 'notdir', EISDIR: 'isdir', ENOTEMPTY: 'notempty',
      EACCES: 'acces', EPERM: 'perm', ELOOP: 'loop', EBADF: 'badf', EINVAL: 'inval',
      ENAMETOOLONG: 'nametoolong', EXDEV: 'xdev', EMFILE: 'mfile', ENFILE: 'nfile', ENOSPC: 'nospc',
      EROFS: 'rofs', EBUSY: 'busy', EMLINK: 'mlink', EWOULDBLOCK: 'again', EOPNOTSUPP: 'notsup',
      E2BIG: '2big', ESPIPE: 'spipe', EFBIG: 'fbig', ERR_STREAM_DESTROYED: 'pipe', ERR_STREAM_WRITE_AFTER_END: 'pipe',
    };
    for (const [code, errno] of Object.entries(expected)) expect([code, errnoFromNodeCode(code)]).toEqual([code, errno]);
  });

  it('maps every errno but notcapable from its E-name, and nothing else', () => {
    for (const errno of ERRNO_NAMES) {
      if (errno === 'notcapable') continue;
      expect(errnoFromNodeCode(`E${errno.toUpperCase()}`)).toBe(errno);
    }
    for (const code of ['ERR_INVALID_ARG_VALUE', 'ENOTCAPABLE', 'toString', '__proto__', 'enoent', '']) {
      expect(errnoFromNodeCode(code)).toBeUndefined();
    }
  });

  it('rethrows an unknown error untouched, and wraps a known one with its cause', () => {
    const strange = Object.assign(new Error('boom'), { code: 'ERR_SOMETHING' });
    expect(() => rethrowAsWasiError(strange)).toThrow(strange);
    const plain = new TypeError('no code');
    expect(() => hostCall(() => { throw plain; })).toThrow(plain);
    try {
      hostCall(() => fs.readFileSync(path.join(import.meta.dirname, 'no-such-file')));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WasiError);
      expect((error as WasiError).errno).toBe('noent');
      expect((error as WasiError).cause).toMatchObject({ code: 'ENOENT' });
    }
    // Node's own argument errors (here: a NUL byte) are host bugs, not errnos.
    expect(() => hostCall(() => fs.statSync('a\0b'))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});

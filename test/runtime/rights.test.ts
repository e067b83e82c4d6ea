// Rights through the raw imports: they can only be dropped, every call checks them, and a new fd
// gets no more than its directory's inheriting rights. Right bits come from wasi-libc's api.h.
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { ALL_RIGHTS, ERRNO, RIGHTS, boundWasi } from './harness.js';

const R = RIGHTS as Record<string, bigint>;
// Asking for write rights on a directory opens it for writing: isdir, as in uvwasi and wasmtime.
const DIR_OK = ALL_RIGHTS & ~(R.fd_write! | R.fd_datasync! | R.fd_allocate! | R.fd_filestat_set_size!);
const O_DIRECTORY = 2;
const setup = () => boundWasi({ preopens: { '/m': new MemoryFileSystem({ '/f': 'hello', '/d/g': 'x' }) } });

describe('fd_fdstat_set_rights', () => {
  it('drops rights, which then fail with notcapable', async () => {
    const k = await setup();
    const [, fd] = k.open(3, 'f', { base: R.fd_read! | R.fd_write!, inheriting: 0n });
    expect(k.write(fd, 'x')[0]).toBe(ERRNO.success);
    expect(k.call('fd_fdstat_set_rights', fd, R.fd_read!, 0n)).toBe(ERRNO.success);
    expect(k.fdstat(fd).base).toBe(R.fd_read);
    expect(k.write(fd, 'x')[0]).toBe(ERRNO.notcapable);
  });

  it('cannot add a right back (notcapable) and leaves the rights as they were', async () => {
    const k = await setup();
    const [, fd] = k.open(3, 'f', { base: R.fd_read! | R.fd_write!, inheriting: 0n });
    k.call('fd_fdstat_set_rights', fd, R.fd_read!, 0n);
    expect(k.call('fd_fdstat_set_rights', fd, R.fd_read! | R.fd_write!, 0n)).toBe(ERRNO.notcapable);
    expect(k.fdstat(fd).base).toBe(R.fd_read);
    expect(k.write(fd, 'x')[0]).toBe(ERRNO.notcapable);
  });

  it('cannot add inheriting rights', async () => {
    const k = await setup();
    const before = k.fdstat(3);
    expect(k.call('fd_fdstat_set_rights', 3, before.base, R.fd_read!)).toBe(ERRNO.success);
    expect(k.call('fd_fdstat_set_rights', 3, before.base, R.fd_read! | R.fd_write!)).toBe(ERRNO.notcapable);
    expect(k.fdstat(3).inheriting).toBe(R.fd_read);
  });

  it('stdio rights can be dropped too', async () => {
    const out: Uint8Array[] = [];
    const k = await boundWasi({ stdout: (b) => void out.push(b) });
    expect(k.write(1, 'a')).toEqual([ERRNO.success, 1]);
    expect(k.call('fd_fdstat_set_rights', 1, 0n, 0n)).toBe(ERRNO.success);
    expect(k.write(1, 'b')[0]).toBe(ERRNO.notcapable);
    expect(Buffer.concat(out).toString()).toBe('a');
  });
});

describe('rights asked for at path_open', () => {
  it('a file opened without fd_write cannot be written', async () => {
    const k = await setup();
    const [e, fd] = k.open(3, 'f', { base: R.fd_read! | R.fd_seek!, inheriting: 0n });
    expect(e).toBe(ERRNO.success);
    expect(k.fdstat(fd).base & R.fd_write!).toBe(0n);
    expect(k.write(fd, 'x')[0]).toBe(ERRNO.notcapable);
    // pwrite needs fd_write too.
    expect(k.call('fd_pwrite', fd, 32, 1, 0n, 40)).toBe(ERRNO.notcapable);
  });

  it('a file opened without fd_read cannot be read', async () => {
    const k = await setup();
    const [, fd] = k.open(3, 'f', { base: R.fd_write!, inheriting: 0n });
    k.view().setUint32(32, 2048, true);
    k.view().setUint32(36, 5, true);
    expect(k.call('fd_read', fd, 32, 1, 40)).toBe(ERRNO.notcapable);
  });

  it('path_open on a directory fd without path_open is notcapable', async () => {
    const k = await setup();
    const [e, dfd] = k.open(3, 'd', { oflags: O_DIRECTORY, base: DIR_OK & ~R.path_open!, inheriting: ALL_RIGHTS });
    expect(e).toBe(ERRNO.success);
    expect(k.open(dfd, 'g')[0]).toBe(ERRNO.notcapable);
    const [, dfd2] = k.open(3, 'd', { oflags: O_DIRECTORY, base: DIR_OK });
    expect(k.open(dfd2, 'g')[0]).toBe(ERRNO.success);
  });

  it('path_open after dropping path_open from the preopen is notcapable', async () => {
    const k = await setup();
    const s = k.fdstat(3);
    expect(k.call('fd_fdstat_set_rights', 3, s.base & ~R.path_open!, s.inheriting)).toBe(ERRNO.success);
    expect(k.open(3, 'f')[0]).toBe(ERRNO.notcapable);
  });

  it('creating needs path_create_file', async () => {
    const k = await setup();
    const s = k.fdstat(3);
    k.call('fd_fdstat_set_rights', 3, s.base & ~R.path_create_file!, s.inheriting);
    expect(k.open(3, 'new', { oflags: 1 })[0]).toBe(ERRNO.notcapable);
    expect(k.open(3, 'f')[0]).toBe(ERRNO.success);
  });

  it("a new fd gets no more than its directory's inheriting rights", async () => {
    const k = await setup();
    const s = k.fdstat(3);
    const allowed = R.fd_read! | R.fd_seek! | R.fd_filestat_get!;
    expect(k.call('fd_fdstat_set_rights', 3, s.base, allowed)).toBe(ERRNO.success);
    const [e, fd] = k.open(3, 'f', { base: ALL_RIGHTS, inheriting: ALL_RIGHTS });
    expect(e).toBe(ERRNO.success);
    const got = k.fdstat(fd);
    expect(got.base & ~allowed).toBe(0n);
    expect(got.inheriting & ~allowed).toBe(0n);
    expect(got.base & R.fd_read!).toBe(R.fd_read);
    expect(k.write(fd, 'x')[0]).toBe(ERRNO.notcapable);
  });

  it('limits pass down a chain of directories', async () => {
    const k = await setup();
    const [de, dfd] = k.open(3, 'd', { oflags: O_DIRECTORY, base: DIR_OK, inheriting: R.fd_read! });
    expect(de).toBe(ERRNO.success);
    const [e, fd] = k.open(dfd, 'g', { base: ALL_RIGHTS, inheriting: ALL_RIGHTS });
    expect(e).toBe(ERRNO.success);
    expect(k.fdstat(fd).base & ~R.fd_read!).toBe(0n);
    expect(k.fdstat(fd).inheriting & ~R.fd_read!).toBe(0n);
  });
});

describe('fromBig', () => {
  it('cuts any u64 mask to the defined rights, as the bigint AND does', async () => {
    const fc = (await import('fast-check')).default;
    const { fromBig, ALL_RIGHTS } = await import('../../src/rights.js');
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (r) => fromBig(r) === Number(r & BigInt(ALL_RIGHTS))));
    expect(fromBig(-1n & ((1n << 64n) - 1n))).toBe(ALL_RIGHTS);
  });
});

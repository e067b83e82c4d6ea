// The guest's fd table through the raw imports: numbering, renumbering, closing, unknown fds.
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { ERRNO, boundWasi } from './harness.js';

const setup = () => boundWasi({ preopens: { '/m': new MemoryFileSystem({ '/a': 'A', '/b': 'BB', '/c': 'CCC' }) } });

/** fd_filestat_get's size field: tells which file an fd names. */
const sizeOf = (k: Awaited<ReturnType<typeof setup>>, fd: number) => {
  const errno = k.call('fd_filestat_get', fd, 128);
  return errno === ERRNO.success ? Number(k.view().getBigUint64(128 + 32, true)) : `errno ${errno}`;
};

describe('fd numbers', () => {
  it('are handed out lowest-first, reusing closed numbers', async () => {
    const k = await setup();
    expect([k.open(3, 'a'), k.open(3, 'b'), k.open(3, 'c')]).toEqual([[0, 4], [0, 5], [0, 6]]);
    expect(k.call('fd_close', 5)).toBe(ERRNO.success);
    expect(k.open(3, 'c')).toEqual([0, 5]);
    expect(k.call('fd_close', 4)).toBe(ERRNO.success);
    expect(k.call('fd_close', 6)).toBe(ERRNO.success);
    expect(k.open(3, 'b')).toEqual([0, 4]);
    expect(k.open(3, 'b')).toEqual([0, 6]);
    expect([4, 5, 6].map((fd) => sizeOf(k, fd))).toEqual([2, 3, 2]);
  });

  it('closing twice gives badf the second time', async () => {
    const k = await setup();
    const [, fd] = k.open(3, 'a');
    expect(k.call('fd_close', fd)).toBe(ERRNO.success);
    expect(k.call('fd_close', fd)).toBe(ERRNO.badf);
  });

  it.each([
    ['fd_close', (fd: number) => [fd]],
    ['fd_fdstat_get', (fd: number) => [fd, 64]],
    ['fd_filestat_get', (fd: number) => [fd, 128]],
    ['fd_prestat_get', (fd: number) => [fd, 64]],
    ['fd_write', (fd: number) => [fd, 0, 0, 64]],
    ['fd_read', (fd: number) => [fd, 0, 0, 64]],
    ['fd_seek', (fd: number) => [fd, 0n, 0, 64]],
    ['fd_sync', (fd: number) => [fd]],
    ['path_create_directory', (fd: number) => [fd, 1024, 1]],
    ['fd_renumber', (fd: number) => [fd, 0]],
  ] as const)('%s on an unknown fd is badf', async (name, args) => {
    const k = await setup();
    for (const fd of [4, 99, 0x7fffffff, -1]) expect(k.call(name, ...args(fd)), `${name}(${fd})`).toBe(ERRNO.badf);
  });
});

describe('fd_renumber', () => {
  it('moves an fd onto another open one, closing what that held', async () => {
    const k = await setup();
    k.open(3, 'a'); // 4
    k.open(3, 'c'); // 5
    expect(k.call('fd_renumber', 5, 4)).toBe(ERRNO.success);
    expect(sizeOf(k, 4)).toBe(3);
    expect(sizeOf(k, 5)).toBe(`errno ${ERRNO.badf}`);
    // 5 is free again and the lowest.
    expect(k.open(3, 'b')).toEqual([0, 5]);
  });

  it('onto a closed fd is badf and leaves the source open', async () => {
    const k = await setup();
    k.open(3, 'a'); // 4
    expect(k.call('fd_renumber', 4, 9)).toBe(ERRNO.badf);
    expect(sizeOf(k, 4)).toBe(1);
  });

  it('onto itself changes nothing', async () => {
    const k = await setup();
    k.open(3, 'b');
    expect(k.call('fd_renumber', 4, 4)).toBe(ERRNO.success);
    expect(sizeOf(k, 4)).toBe(2);
  });

  it('can move a file onto stdout', async () => {
    const k = await boundWasi({ stdout: () => {}, preopens: { '/m': new MemoryFileSystem() } });
    const [e, fd] = k.open(3, 'out', { oflags: 1 });
    expect(e).toBe(ERRNO.success);
    expect(k.call('fd_renumber', fd, 1)).toBe(ERRNO.success);
    expect(k.write(1, 'into the file')).toEqual([ERRNO.success, 13]);
    expect(sizeOf(k, 1)).toBe(13);
  });
});

describe('preopens', () => {
  it('can be closed; the number is then free and prestat is badf', async () => {
    const k = await setup();
    expect(k.call('fd_prestat_get', 3, 64)).toBe(ERRNO.success);
    expect(k.call('fd_close', 3)).toBe(ERRNO.success);
    expect(k.call('fd_prestat_get', 3, 64)).toBe(ERRNO.badf);
    expect(k.open(3, 'a')[0]).toBe(ERRNO.badf);
  });

  it('a renumbered preopen keeps its name', async () => {
    const k = await setup();
    k.open(3, 'a'); // 4
    expect(k.call('fd_renumber', 3, 4)).toBe(ERRNO.success);
    expect(k.call('fd_prestat_get', 4, 64)).toBe(ERRNO.success);
    expect(k.view().getUint32(68, true)).toBe(2);
    expect(k.call('fd_prestat_dir_name', 4, 256, 2)).toBe(ERRNO.success);
    expect(Buffer.from(k.u8().subarray(256, 258)).toString()).toBe('/m');
  });
});

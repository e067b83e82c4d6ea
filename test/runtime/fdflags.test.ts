import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { boundWasi, ERRNO, FDFLAGS, OFLAGS } from './harness.js';

describe('fd_fdstat_set_flags', () => {
  it('turning append on sends later writes to the end of the file', async () => {
    const mem = new MemoryFileSystem({ '/log.txt': 'start\n' });
    const g = await boundWasi({ preopens: { '/m': mem } });
    const [errno, fd] = g.open(3, 'log.txt');
    expect(errno).toBe(ERRNO.success);
    expect(g.write(fd, 'X')[0]).toBe(ERRNO.success); // at position 0: "Xtart\n"
    expect(g.call('fd_fdstat_set_flags', fd, FDFLAGS.append!)).toBe(ERRNO.success);
    expect(g.fdstat(fd).flags & FDFLAGS.append!).toBe(FDFLAGS.append);
    expect(g.write(fd, 'end')[0]).toBe(ERRNO.success);
    expect(new TextDecoder().decode(mem.toFiles()['/log.txt'])).toBe('Xtart\nend');
  });

  it('unknown flag bits are inval; a memory file opened with append can drop it', async () => {
    const g = await boundWasi({ preopens: { '/m': new MemoryFileSystem({}) } });
    const [, fd] = g.open(3, 'a.txt', { oflags: OFLAGS.creat, fdflags: FDFLAGS.append });
    expect(g.call('fd_fdstat_set_flags', fd, 0x100)).toBe(ERRNO.inval);
    expect(g.call('fd_fdstat_set_flags', fd, 0)).toBe(ERRNO.success);
    expect(g.fdstat(fd).flags & FDFLAGS.append!).toBe(0);
  });
});

// poll_oneoff on a regular file: always ready for reading, and its nbytes is what is left after the
// read position (as wasmtime and uvwasi report), not the file's size. Layouts and constants come
// from wasi-libc's header.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/index.js';
import { parseWasiLibcHeader } from '../helpers/wasi-libc-header.js';
import { tempDir } from '../helpers/run-program.js';
import { ERRNO, boundWasi, headerConstants, headerText } from '../runtime/harness.js';

const header = parseWasiLibcHeader(headerText());
const SUBSCRIPTION = header.types.get('subscription')!;
const EVENT = header.types.get('event')!;
const EVENT_NBYTES = EVENT.offsets.get('fd_readwrite')! + header.types.get('event_fd_readwrite')!.offsets.get('nbytes')!;
const FD_READ = Number(headerConstants('EVENTTYPE').fd_read);
const WHENCE = headerConstants('WHENCE');
// subscription_u: the u8 tag, then the union at 8 (its clock member holds u64s).
const SUB_TAG = SUBSCRIPTION.offsets.get('u')!;
const SUB_FD = SUB_TAG + 8;

const CONTENT = 'twelve bytes';
const host = tempDir('wasi-kit-poll-file-');
afterAll(() => host.cleanup());
writeFileSync(join(host.path, 'f'), CONTENT);

describe.each(['memory', 'host'] as const)('poll_oneoff fd_read on a file (%s filesystem)', (kind) => {
  async function file() {
    const g = await boundWasi({ preopens: { '/d': kind === 'memory' ? new MemoryFileSystem({ '/f': CONTENT }) : host.path } });
    const [errno, fd] = g.open(3, 'f');
    expect(errno).toBe(ERRNO.success);
    /** nbytes of one fd_read subscription on the file. */
    const nbytes = () => {
      const v = g.view();
      g.u8().fill(0, 4096, 4096 + SUBSCRIPTION.size!);
      v.setBigUint64(4096, 99n, true);
      v.setUint8(4096 + SUB_TAG, FD_READ);
      v.setUint32(4096 + SUB_FD, fd, true);
      expect(g.call('poll_oneoff', 4096, 8192, 1, 16)).toBe(ERRNO.success);
      expect(v.getUint32(16, true)).toBe(1);
      expect([v.getBigUint64(8192, true), v.getUint16(8192 + EVENT.offsets.get('error')!, true)]).toEqual([99n, ERRNO.success]);
      return v.getBigUint64(8192 + EVENT_NBYTES, true);
    };
    const seek = (offset: bigint, whence: bigint) => expect(g.call('fd_seek', fd, offset, Number(whence), 24)).toBe(ERRNO.success);
    const read = (len: number) => {
      g.view().setUint32(32, 2048, true);
      g.view().setUint32(36, len, true);
      expect(g.call('fd_read', fd, 32, 1, 40)).toBe(ERRNO.success);
      expect(g.view().getUint32(40, true)).toBe(len);
    };
    return { nbytes, seek, read };
  }

  it('nbytes is the bytes after the read position: all at first, fewer after a read, none at the end', async () => {
    const f = await file();
    expect(f.nbytes()).toBe(BigInt(CONTENT.length));
    f.read(5);
    expect(f.nbytes()).toBe(BigInt(CONTENT.length - 5));
    f.seek(-2n, WHENCE.end!);
    expect(f.nbytes()).toBe(2n);
    f.seek(100n, WHENCE.set!);
    expect(f.nbytes()).toBe(0n);
  });
});

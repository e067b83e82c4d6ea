import { describe, expect, it } from 'vitest';
import type { AbiJson } from '../../src/abi/abi-json.js';
import { abi as ephemeralAbi } from '../../generated/ephemeral/metadata.js';
import { abi as preview1Abi } from '../../generated/preview1/metadata.js';
import { abi as snapshot0Abi } from '../../generated/snapshot0/metadata.js';
import { formatDuration, formatTraceEvent, quoteBytes } from '../../src/trace-format.js';

const EPHEMERAL = ephemeralAbi();
const PREVIEW1 = preview1Abi();
const SNAPSHOT0 = snapshot0Abi();

/** A guest memory to lay out arguments in, written little-endian as the guest would. */
class Mem {
  readonly u8 = new Uint8Array(4096);
  readonly view = new DataView(this.u8.buffer);
  u32(at: number, v: number) {
    this.view.setUint32(at, v, true);
    return this;
  }
  u64(at: number, v: bigint) {
    this.view.setBigUint64(at, v, true);
    return this;
  }
  bytes(at: number, b: string | Uint8Array) {
    this.u8.set(typeof b === 'string' ? new TextEncoder().encode(b) : b, at);
    return this;
  }
}

function line(name: string, args: Record<string, number | bigint>, errno: string | undefined, mem = new Mem(), abi: AbiJson = PREVIEW1, module?: string) {
  const f = abi.functions.find((x) => x.name === name && (module === undefined || x.module === module));
  if (!f) throw new Error(`no ${name}`);
  return formatTraceEvent({ name, args, errno, abi: f, memory: mem.u8, durationNs: 4100 }, abi);
}

describe('formatTraceEvent', () => {
  it('shows fd_write with its buffers and the count written', () => {
    const m = new Mem().bytes(100, 'hello, world').bytes(120, '\n').u32(200, 100).u32(204, 12).u32(208, 120).u32(212, 1).u32(300, 13);
    expect(line('fd_write', { fd: 1, iovs: 200, iovs_len: 2, retptr0: 300 }, 'success', m)).toBe(
      'fd_write(fd=1, iovs=["hello, world", "\\n"]) -> success 13 [4.1µs]',
    );
  });

  it('cuts long buffers and escapes bytes that are not printable ASCII', () => {
    const bytes = new Uint8Array(100).map((_, i) => (i === 0 ? 0xff : i === 1 ? 0 : i === 2 ? 0x22 : 0x61));
    const m = new Mem().bytes(100, bytes).u32(200, 100).u32(204, 100);
    expect(line('fd_write', { fd: 2, iovs: 200, iovs_len: 1, retptr0: 300 }, 'badf', m)).toBe(
      `fd_write(fd=2, iovs=["\\xff\\0\\"${'a'.repeat(29)}"…(100 bytes)]) -> badf [4.1µs]`,
    );
    expect(quoteBytes(new Uint8Array([9, 13, 92, 0x7f]))).toBe('"\\t\\r\\\\\\x7f"');
  });

  it('shows buffers the call fills by size', () => {
    const m = new Mem().u32(200, 100).u32(204, 1024).u32(300, 5);
    expect(line('fd_read', { fd: 0, iovs: 200, iovs_len: 1, retptr0: 300 }, 'success', m)).toBe('fd_read(fd=0, iovs=[<1024 bytes>]) -> success 5 [4.1µs]');
  });

  it('shows path_open with the path as a string, flags by name and the new fd', () => {
    const m = new Mem().bytes(100, 'dir/a.txt').u32(300, 7);
    const rights = PREVIEW1.types.rights!;
    const count = rights.kind === 'flags' ? rights.flags.length : 0;
    const allButTwo = (1n << BigInt(count)) - 1n - (1n << BigInt(count - 1)) - (1n << BigInt(count - 2));
    expect(
      line(
        'path_open',
        { fd: 3, dirflags: 1, path: 100, path_len: 9, oflags: 1 | 8, fs_rights_base: 2n | 64n, fs_rights_inheriting: allButTwo, fdflags: 1, retptr0: 300 },
        'success',
        m,
      ),
    ).toBe(
      'path_open(fd=3, dirflags=symlink_follow, path="dir/a.txt", oflags=creat|trunc, fs_rights_base=fd_read|fd_write, fs_rights_inheriting=all&~(sock_shutdown|sock_accept), fdflags=append) -> success 7 [4.1µs]',
    );
  });

  it('names all-ones masks and keeps unknown bits in hex', () => {
    const m = new Mem().bytes(100, 'x');
    expect(line('path_open', { fd: 3, dirflags: 0, path: 100, path_len: 1, oflags: 0, fs_rights_base: -1n, fs_rights_inheriting: 0n, fdflags: 0, retptr0: 300 }, 'noent', m)).toBe(
      'path_open(fd=3, dirflags=0, path="x", oflags=0, fs_rights_base=all|0xffffffffc0000000, fs_rights_inheriting=0, fdflags=0) -> noent [4.1µs]',
    );
  });

  it('writes out-pointers only on success', () => {
    const m = new Mem().u32(300, 99);
    expect(line('fd_tell', { fd: 4, retptr0: 300 }, 'spipe', m)).toBe('fd_tell(fd=4) -> spipe [4.1µs]');
    expect(line('fd_tell', { fd: 4, retptr0: 300 }, 'success', m)).toBe('fd_tell(fd=4) -> success 99 [4.1µs]');
  });

  it('shows enums by name, signed and unsigned 64-bit values and negative fds as unsigned', () => {
    const m = new Mem().u64(304, 2n ** 64n - 2n);
    expect(line('fd_seek', { fd: -1, offset: -5n, whence: 2, retptr0: 304 }, 'success', m)).toBe(
      'fd_seek(fd=4294967295, offset=-5, whence=end) -> success 18446744073709551614 [4.1µs]',
    );
    expect(line('clock_time_get', { id: 1, precision: -1n, retptr0: 304 }, 'inval', m)).toBe(
      'clock_time_get(id=monotonic, precision=18446744073709551615) -> inval [4.1µs]',
    );
  });

  it('shows records and variants written through out-pointers', () => {
    const m = new Mem().u32(304, 0).u32(308, 9);
    expect(line('fd_prestat_get', { fd: 3, retptr0: 304 }, 'success', m)).toBe('fd_prestat_get(fd=3) -> success dir{pr_name_len=9} [4.1µs]');
    const stat = new Mem().u64(400, 1n).u64(408, 2n).bytes(416, new Uint8Array([4])).u64(424, 1n).u64(432, 5n).u64(440, 10n).u64(448, 11n).u64(456, 12n);
    expect(line('fd_filestat_get', { fd: 4, retptr0: 400 }, 'success', stat)).toBe(
      'fd_filestat_get(fd=4) -> success {dev=1, ino=2, filetype=regular_file, nlink=1, size=5, atim=10, mtim=11, ctim=12} [4.1µs]',
    );
  });

  it('shows several out values separated by commas and other pointers in hex', () => {
    const m = new Mem().u32(300, 2).u32(304, 14);
    expect(line('args_sizes_get', { retptr0: 300, retptr1: 304 }, 'success', m)).toBe('args_sizes_get() -> success 2, 14 [4.1µs]');
    expect(line('args_get', { argv: 0x11000, argv_buf: 0x11040 }, 'success', m)).toBe('args_get(argv=0x11000, argv_buf=0x11040) -> success [4.1µs]');
  });

  it('says when a call did not return and when it failed inside the host', () => {
    expect(line('proc_exit', { rval: 3 }, undefined)).toBe('proc_exit(rval=3) [4.1µs]');
    expect(line('fd_close', { fd: 3 }, undefined)).toBe('fd_close(fd=3) -> (threw) [4.1µs]');
  });

  it('marks pointers outside guest memory instead of failing', () => {
    expect(line('path_unlink_file', { fd: 3, path: 4090, path_len: 100 }, 'fault')).toBe('path_unlink_file(fd=3, path=0xffa+100(out of bounds)) -> fault [4.1µs]');
    expect(line('fd_write', { fd: 1, iovs: 8000, iovs_len: 1, retptr0: 300 }, 'fault')).toBe('fd_write(fd=1, iovs=0x1f40+1(out of bounds)) -> fault [4.1µs]');
  });

  it('shows a path that is not UTF-8 as bytes, and control characters escaped', () => {
    const m = new Mem().bytes(100, new Uint8Array([0x61, 0xc3, 0x28])).bytes(200, 'é\n');
    expect(line('path_create_directory', { fd: 3, path: 100, path_len: 3 }, 'ilseq', m)).toBe('path_create_directory(fd=3, path="a\\xc3(") -> ilseq [4.1µs]');
    expect(line('path_create_directory', { fd: 3, path: 200, path_len: 3 }, 'success', m)).toBe('path_create_directory(fd=3, path="é\\n") -> success [4.1µs]');
  });

  it('cuts long lists of buffers', () => {
    const m = new Mem();
    for (let i = 0; i < 10; i++) m.u32(200 + 8 * i, 100).u32(204 + 8 * i, 1);
    m.bytes(100, 'z');
    expect(line('fd_write', { fd: 1, iovs: 200, iovs_len: 10, retptr0: 300 }, 'success', m.u32(300, 10))).toBe(
      `fd_write(fd=1, iovs=[${Array(8).fill('"z"').join(', ')}, …(10 in all)]) -> success 10 [4.1µs]`,
    );
  });

  it('decodes other versions by their own types (snapshot0 whence, ephemeral modules)', () => {
    const m = new Mem().u64(304, 7n);
    // snapshot0's whence is cur, end, set.
    expect(line('fd_seek', { fd: 3, offset: 0n, whence: 2, retptr0: 304 }, 'success', m, SNAPSHOT0)).toBe('fd_seek(fd=3, offset=0, whence=set) -> success 7 [4.1µs]');
    const e = new Mem().bytes(100, 'hi').u32(200, 100).u32(204, 2).u32(300, 2);
    expect(line('write', { fd: 1, iovs: 200, iovs_len: 1, retptr0: 300 }, 'success', e, EPHEMERAL, 'wasi_ephemeral_fd')).toBe('write(fd=1, iovs=["hi"]) -> success 2 [4.1µs]');
  });

  it('formats every function of every version, whatever the arguments', () => {
    for (const abi of [PREVIEW1, SNAPSHOT0, EPHEMERAL]) {
      for (const f of abi.functions) {
        const args = Object.fromEntries(f.core.params.map((p, i) => [p.name, p.type === 'i64' ? BigInt(i) * 3n : i * 40]));
        for (const errno of ['success', 'badf', undefined]) {
          const s = formatTraceEvent({ name: f.name, args, errno, abi: f, memory: new Mem().u8, durationNs: 1 }, abi);
          expect(s.startsWith(`${f.name}(${f.params.map((p) => `${p.name}=`)[0] ?? ')'}`)).toBe(true);
          expect(s).not.toContain('?');
          expect(s).not.toContain('\n');
        }
      }
    }
  });
});

describe('formatDuration', () => {
  it('picks a unit', () => {
    expect([850, 4100, 12_345_678, 1_200_000_000].map(formatDuration)).toEqual(['850ns', '4.1µs', '12.3ms', '1.20s']);
  });
});

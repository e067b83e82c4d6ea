// WASIX getcwd/chdir (a working directory kept per instance, confined to the preopens) and
// tty_get/tty_set (a stored terminal record), through a WAT guest importing from wasix_32v1.
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI, WasiOptionError, type HostTerminal } from '../../src/index.js';
import { guest, wasixEnum } from './guest.js';

const E = wasixEnum('errno');
const W = 'wasix_32v1';

async function cwdGuest() {
  const fs = new MemoryFileSystem({ '/d/inner/x': '1', '/f': 'x' });
  const g = await guest(
    'wasix',
    [
      [W, 'getcwd', 'i32 i32'],
      [W, 'chdir', 'i32 i32'],
    ],
    { preopens: { '/m': fs, '/m/d/inner': new MemoryFileSystem({ '/y/z': '' }) } },
  );
  const chdir = (path: string) => g.call(W, 'chdir', 512, g.put(512, path));
  /** getcwd into a buffer of `size` bytes at 1024: [errno, *path_len, text up to the NUL]. */
  const getcwd = (size: number) => {
    g.fill(1024, 256, 0xee);
    g.view().setUint32(16, size, true);
    const errno = g.call(W, 'getcwd', 1024, 16);
    const bytes = g.bytes(1024, 256);
    const nul = bytes.indexOf(0);
    return [errno, g.view().getUint32(16, true), nul < 0 ? null : Buffer.from(bytes.subarray(0, nul)).toString()] as const;
  };
  return { ...g, chdir, getcwd };
}

describe('getcwd and chdir', () => {
  it('starts at /, written with a NUL; *path_len gets the length without it', async () => {
    const g = await cwdGuest();
    expect(g.getcwd(64)).toEqual([0, 1, '/']);
  });

  it('chdir accepts existing directories inside a preopen, relative or absolute, with . and ..', async () => {
    const g = await cwdGuest();
    expect(g.chdir('/m')).toBe(0);
    expect(g.getcwd(64)).toEqual([0, 2, '/m']);
    expect(g.chdir('d')).toBe(0);
    expect(g.getcwd(64)[2]).toBe('/m/d');
    expect(g.chdir('./inner/y/')).toBe(0); // inside the nested preopen /m/d/inner
    expect(g.getcwd(64)[2]).toBe('/m/d/inner/y');
    expect(g.chdir('../../..')).toBe(0);
    expect(g.getcwd(64)[2]).toBe('/m');
  });

  it('refuses files (notdir) and missing paths (noent), leaving the cwd alone; / is the root filesystem', async () => {
    const g = await cwdGuest();
    expect(g.chdir('/')).toBe(0);
    expect(g.getcwd(64)[2]).toBe('/');
    expect(g.chdir('/m')).toBe(0);
    expect(g.chdir('f')).toBe(E.notdir);
    expect(g.chdir('nope')).toBe(E.noent);
    expect(g.chdir('/elsewhere')).toBe(E.noent);
    expect(g.chdir('')).toBe(E.noent);
    expect(g.getcwd(64)[2]).toBe('/m');
  });

  it('a buffer without room for the path and its NUL: overflow, *path_len the needed length, buffer untouched', async () => {
    const g = await cwdGuest();
    expect(g.chdir('/m/d')).toBe(0);
    expect(g.getcwd(4)).toEqual([E.overflow, 4, null]);
    expect(g.getcwd(5)).toEqual([0, 4, '/m/d']);
  });

  it('a misaligned path_len is inval, an out-of-bounds buffer fault', async () => {
    const g = await cwdGuest();
    expect(g.call(W, 'getcwd', 1024, 17)).toBe(E.inval);
    g.view().setUint32(16, 64, true);
    expect(g.call(W, 'getcwd', 65535, 16)).toBe(E.fault);
  });
});

describe('tty_get and tty_set', () => {
  const read = (v: DataView, p: number) => ({
    cols: v.getUint32(p, true),
    rows: v.getUint32(p + 4, true),
    width: v.getUint32(p + 8, true),
    height: v.getUint32(p + 12, true),
    flags: [16, 17, 18, 19, 20, 21].map((o) => v.getUint8(p + o)),
  });

  it('reports 80x24 with echo and line buffering on, then what tty_set stored', async () => {
    const g = await guest('wasix', [
      [W, 'tty_get', 'i32'],
      [W, 'tty_set', 'i32'],
    ]);
    expect(g.call(W, 'tty_get', 1024)).toBe(0);
    // stdio here are callbacks (not character devices): not ttys.
    expect(read(g.view(), 1024)).toEqual({ cols: 80, rows: 24, width: 0, height: 0, flags: [0, 0, 0, 1, 1, 0] });
    const v = g.view();
    v.setUint32(2048, 132, true);
    v.setUint32(2052, 43, true);
    v.setUint32(2056, 1320, true);
    v.setUint32(2060, 860, true);
    [1, 1, 1, 0, 0, 1].forEach((b, i) => v.setUint8(2064 + i, b));
    expect(g.call(W, 'tty_set', 2048)).toBe(0);
    expect(g.call(W, 'tty_get', 1024)).toBe(0);
    expect(read(g.view(), 1024)).toEqual({ cols: 132, rows: 43, width: 1320, height: 860, flags: [1, 1, 1, 0, 0, 1] });
  });

  it('options.terminal: stdio is that terminal, tty_get its live size, tty_set its raw mode', async () => {
    const size = { cols: 100, rows: 30 };
    const raw: boolean[] = [];
    const terminal: HostTerminal = { size: () => size, setRawMode: (r) => (raw.push(r), true) };
    const g = await guest(
      'wasix',
      [
        [W, 'tty_get', 'i32'],
        [W, 'tty_set', 'i32'],
      ],
      { terminal },
    );
    expect(g.call(W, 'tty_get', 1024)).toBe(0);
    expect(read(g.view(), 1024)).toEqual({ cols: 100, rows: 30, width: 0, height: 0, flags: [1, 1, 1, 1, 1, 0] });
    size.cols = 120; // a resize
    expect(g.call(W, 'tty_get', 1024)).toBe(0);
    expect(g.view().getUint32(1024, true)).toBe(120);
    g.view().setUint8(1024 + 20, 0); // line buffering off: raw
    expect(g.call(W, 'tty_set', 1024)).toBe(0);
    g.view().setUint8(1024 + 20, 1);
    expect(g.call(W, 'tty_set', 1024)).toBe(0);
    expect(raw).toEqual([true, false]);
    expect(() => new WASI({ terminal: { size: () => undefined } as unknown as HostTerminal })).toThrow(WasiOptionError);
  });

  it('refuses a bool other than 0 or 1 and misaligned records, storing nothing', async () => {
    const g = await guest('wasix', [
      [W, 'tty_get', 'i32'],
      [W, 'tty_set', 'i32'],
    ]);
    g.fill(2048, 24, 0);
    g.view().setUint8(2048 + 19, 2);
    expect(g.call(W, 'tty_set', 2048)).toBe(E.inval);
    expect(g.call(W, 'tty_set', 2050)).toBe(E.inval);
    expect(g.call(W, 'tty_get', 1026)).toBe(E.inval);
    expect(g.call(W, 'tty_get', 1024)).toBe(0);
    expect(g.view().getUint32(1024, true)).toBe(80);
  });
});

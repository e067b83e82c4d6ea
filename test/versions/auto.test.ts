// `version: 'auto'`: one instance serving every module of every version at once; `WASI.versionOf`;
// the 'unstable' alias; `wasiImport` per version; import module names against the WITX file names.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, WASI } from '../../src/index.js';
import { wat } from '../runtime/harness.js';
import { WITX_DIR, witxEnum } from './guest.js';

const P1_WHENCE = witxEnum('preview1', 'whence');
const S0_WHENCE = witxEnum('snapshot0', 'whence');

/** The module names a version's WITX declares: `(module $name ...)` of each file but typenames. */
function witxModules(version: string): string[] {
  return readdirSync(join(WITX_DIR, version))
    .filter((f) => f.endsWith('.witx') && f !== 'typenames.witx')
    .map((f) => f.slice(0, -'.witx'.length))
    .sort();
}

describe("version: 'auto'", () => {
  it('one module importing preview1 fd_write, wasi_unstable fd_seek and wasi_ephemeral_clock.time_get runs on one instance', async () => {
    // _start: open "f" (preview1 path_open), seek to its end with snapshot0's END (1), write the new
    // offset's low byte + the clock's success flag to stdout through preview1, exit with the size.
    const m = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
      (import "wasi_ephemeral_clock" "time_get" (func $time (param i32 i64 i32) (result i32)))
      (import "wasi_ephemeral_proc" "exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 100) "f")
      (data (i32.const 200) "size=?? clock=?\\n")
      (func (export "_start") (local $e i32)
        (local.set $e (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 0)
          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))
        (if (local.get $e) (then (call $exit (i32.const 100))))
        (local.set $e (call $seek (i32.load (i32.const 16)) (i64.const 0) (i32.const ${S0_WHENCE.end}) (i32.const 24)))
        (if (local.get $e) (then (call $exit (i32.const 101))))
        ;; two decimal digits of the size
        (i32.store8 (i32.const 205) (i32.add (i32.const 48) (i32.div_u (i32.load (i32.const 24)) (i32.const 10))))
        (i32.store8 (i32.const 206) (i32.add (i32.const 48) (i32.rem_u (i32.load (i32.const 24)) (i32.const 10))))
        (local.set $e (call $time (i32.const 1) (i64.const 0) (i32.const 32)))
        (i32.store8 (i32.const 214) (select (i32.const 121) (i32.const 110)
          (i32.and (i32.eqz (local.get $e)) (i64.ne (i64.load (i32.const 32)) (i64.const 0)))))
        (i32.store (i32.const 40) (i32.const 200))
        (i32.store (i32.const 44) (i32.const 16))
        (local.set $e (call $write (i32.const 1) (i32.const 40) (i32.const 1) (i32.const 48)))
        (if (local.get $e) (then (call $exit (i32.const 102))))
        (call $exit (i32.load (i32.const 24))))
    )`);
    const out: Uint8Array[] = [];
    const wasi = new WASI({
      version: 'auto',
      stdout: (b) => out.push(b),
      preopens: { '/m': new MemoryFileSystem({ '/f': 'twenty-three bytes long' }) },
    });
    const instance = new WebAssembly.Instance(m, wasi.getImportObject() as WebAssembly.Imports);
    expect(wasi.start(instance)).toBe(23);
    expect(Buffer.concat(out).toString()).toBe('size=23 clock=y\n');
  });

  it('the default version is auto', () => {
    expect(Object.keys(new WASI().getImportObject()).sort()).toEqual(Object.keys(new WASI({ version: 'auto' }).getImportObject()).sort());
  });

  it('serves the modules of all five versions, wasiImport is preview1', () => {
    const wasi = new WASI({ version: 'auto' });
    // WASIX's one module is `$wasix_module_name` in its WITX, imported as wasix_32v1 and wasix_64v1.
    const all = [...witxModules('preview1'), ...witxModules('snapshot0'), ...witxModules('ephemeral'), 'wasix_32v1', 'wasix_64v1'].sort();
    expect(Object.keys(wasi.getImportObject()).sort()).toEqual(all);
    expect(wasi.wasiImport).toBe(wasi.getImportObject().wasi_snapshot_preview1);
  });

  it("the import object's modules read as plain properties: the same functions each time, copied by a spread, replaced by an assignment", () => {
    const wasi = new WASI({ version: 'auto' });
    const a = wasi.getImportObject();
    const b = wasi.getImportObject();
    expect(a).not.toBe(b);
    expect(a.wasix_32v1).toBe(b.wasix_32v1);
    expect(a.wasi_unstable).toBe(a.wasi_unstable);
    expect(typeof a.wasix_32v1!.fd_write).toBe('function');
    const spread = { ...a };
    expect(Object.keys(spread).sort()).toEqual(Object.keys(a).sort());
    expect(spread.wasi_ephemeral_fd).toBe(a.wasi_ephemeral_fd);
    const mine = { fd_write: () => 0 };
    a.wasi_snapshot_preview1 = mine;
    expect(a.wasi_snapshot_preview1).toBe(mine);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    // Replacing it in one import object leaves the WASI's own, and every other copy, as they were.
    expect(b.wasi_snapshot_preview1).toBe(wasi.wasiImport);
    expect(wasi.wasiImport).not.toBe(mine);
  });

  it('whence per module: preview1 SET and snapshot0 SET are different numbers for the same effect', () => {
    expect(P1_WHENCE.set).not.toBe(S0_WHENCE.set);
  });
});

describe('WASI.versionOf', () => {
  const mod = (imports: [string, string][]) =>
    wat(`(module ${imports.map(([m, n], i) => `(import "${m}" "${n}" (func $f${i} (param i32) (result i32)))`).join(' ')})`);

  it('names the version of a module by its import modules', async () => {
    expect(WASI.versionOf(await mod([['wasi_snapshot_preview1', 'fd_close']]))).toBe('preview1');
    expect(WASI.versionOf(await mod([['wasi_unstable', 'fd_close']]))).toBe('snapshot0');
    for (const m of witxModules('ephemeral')) expect(WASI.versionOf(await mod([[m, 'x']]))).toBe('ephemeral');
    expect(WASI.versionOf(await mod([['env', 'f']]))).toBeUndefined();
    expect(WASI.versionOf(await wat('(module)'))).toBeUndefined();
  });

  it('a module importing several versions: the first of preview1, snapshot0, ephemeral', async () => {
    expect(WASI.versionOf(await mod([['wasi_ephemeral_fd', 'close'], ['wasi_unstable', 'fd_close']]))).toBe('snapshot0');
    expect(WASI.versionOf(await mod([['wasi_unstable', 'fd_close'], ['wasi_snapshot_preview1', 'fd_close']]))).toBe('preview1');
  });

  it('a module named like a version but not one is none', async () => {
    expect(WASI.versionOf(await mod([['wasi_snapshot_preview2', 'f'], ['wasi_unstable_x', 'f']]))).toBeUndefined();
  });
});

describe("'unstable' is an alias of 'snapshot0'", () => {
  it('same modules, same functions, wasiImport is wasi_unstable', () => {
    const a = new WASI({ version: 'unstable' });
    const b = new WASI({ version: 'snapshot0' });
    expect(Object.keys(a.getImportObject())).toEqual(['wasi_unstable']);
    expect(Object.keys(b.getImportObject())).toEqual(['wasi_unstable']);
    expect(Object.keys(a.wasiImport).sort()).toEqual(Object.keys(b.wasiImport).sort());
    expect(a.wasiImport).toBe(a.getImportObject().wasi_unstable);
  });

  it('behaves as snapshot0: whence END is 1', async () => {
    const m = await wat(`(module (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
      (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (memory (export "memory") 1) (data (i32.const 100) "f")
      (func (export "_initialize"))
      (func (export "run") (result i64)
        (drop (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))
        (drop (call $seek (i32.load (i32.const 16)) (i64.const 0) (i32.const 1) (i32.const 24)))
        (i64.load (i32.const 24))))`);
    const wasi = new WASI({ version: 'unstable', preopens: { '/m': new MemoryFileSystem({ '/f': '12345' }) } });
    const instance = new WebAssembly.Instance(m, wasi.getImportObject() as WebAssembly.Imports);
    wasi.initialize(instance);
    expect((instance.exports.run as () => bigint)()).toBe(5n);
  });
});

describe('wasiImport and getImportObject per version', () => {
  it('ephemeral has ten modules and no single wasiImport', () => {
    const wasi = new WASI({ version: 'ephemeral' });
    let thrown: unknown;
    try {
      void wasi.wasiImport;
    } catch (e) {
      thrown = e;
    }
    expect((thrown as { code?: string } | undefined)?.code).toBe('ERR_WASI_NO_SINGLE_MODULE');
    expect(witxModules('ephemeral')).toHaveLength(10);
  });

  it.each(['preview1', 'snapshot0', 'ephemeral'] as const)('%s: module names are the WITX file names, functions the WITX exports', (version) => {
    const obj = new WASI({ version }).getImportObject();
    expect(Object.keys(obj).sort()).toEqual(witxModules(version));
    for (const m of witxModules(version)) {
      const text = readFileSyncWitx(version, m);
      const exported = [...text.matchAll(/\(@interface func \(export "(\w+)"\)/g)].map((x) => x[1]!).sort();
      expect(Object.keys(obj[m]!).sort()).toEqual(exported);
    }
  });

  it('preview1 and snapshot0 wasiImport are their single module', () => {
    for (const [version, name] of [['preview1', 'wasi_snapshot_preview1'], ['snapshot0', 'wasi_unstable']] as const) {
      const wasi = new WASI({ version });
      expect(wasi.wasiImport).toBe(wasi.getImportObject()[name]);
    }
  });

  it('the modules of one auto instance share one fd table', async () => {
    const m = await wat(`(module
      (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_ephemeral_fd" "close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close1 (param i32) (result i32)))
      (memory (export "memory") 1) (data (i32.const 100) "f")
      (func (export "_initialize"))
      (func (export "run") (result i32)
        (drop (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 16)))
        (i32.add (i32.mul (call $close (i32.load (i32.const 16))) (i32.const 1000)) (call $close1 (i32.load (i32.const 16))))))`);
    const wasi = new WASI({ version: 'auto', preopens: { '/m': new MemoryFileSystem({ '/f': 'x' }) } });
    const instance = new WebAssembly.Instance(m, wasi.getImportObject() as WebAssembly.Imports);
    wasi.initialize(instance);
    // Closed by ephemeral's close (0), then preview1 sees it gone (badf = 8).
    expect((instance.exports.run as () => number)()).toBe(8);
  });
});

function readFileSyncWitx(version: string, module: string): string {
  return readFileSync(join(WITX_DIR, version, `${module}.witx`), 'utf8');
}

/**
 * Shared by the runtime tests: WAT compilation (wabt), wasi-libc's `<wasi/api.h>` constants as an
 * oracle independent of our generated code, and a reactor whose memory binds a WASI so tests can
 * drive `wasiImport` functions directly.
 */
import { WASI, type WasiOptions } from '../../src/index.js';
import { WASI_API_H, wasiApiHeader } from '../helpers/dependencies.js';

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;
let wabt: Wabt | undefined;

export async function wat(text: string): Promise<WebAssembly.Module> {
  wabt ??= await (await import('wabt')).default();
  const parsed = wabt.parseWat('test.wat', text);
  try {
    return new WebAssembly.Module(parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>);
  } finally {
    parsed.destroy();
  }
}

/** wasi-libc's `<wasi/api.h>`, read once. */
export const headerText = (() => {
  let text: string | undefined;
  return () => (text ??= wasiApiHeader());
})();

/** `__WASI_<GROUP>_<NAME>` values from wasi-libc's header, by lower-case name: `c('ERRNO').badf`. */
export function headerConstants(group: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  const re = new RegExp(`#define __WASI_${group}_(\\w+) \\((?:UINT\\d+_C\\((\\d+)\\)|\\(__wasi_\\w+_t\\)\\(1 << (\\d+)\\)|\\(__wasi_\\w+_t\\)(\\d+))\\)`, 'g');
  for (const m of headerText().matchAll(re)) {
    const v = m[2] ?? m[4];
    out[m[1]!.toLowerCase()] = v !== undefined ? BigInt(v) : 1n << BigInt(m[3]!);
  }
  if (Object.keys(out).length === 0) throw new Error(`no __WASI_${group}_ constants in ${WASI_API_H}`);
  return out;
}

const num = (r: Record<string, bigint>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
export const ERRNO = num(headerConstants('ERRNO'));
export const RIGHTS = headerConstants('RIGHTS');
export const OFLAGS = num(headerConstants('OFLAGS'));
export const FDFLAGS = num(headerConstants('FDFLAGS'));
export const FILETYPE = num(headerConstants('FILETYPE'));

/** A reactor exporting one page of memory: binding it gives the raw imports a memory to work on. */
export const REACTOR_WAT = `(module (memory (export "memory") 1) (func (export "_initialize")))`;

type Raw = (...args: (number | bigint)[]) => number;

/** A WASI whose memory is bound (through `initialize` of a reactor), with typed raw calls and views. */
export async function boundWasi(options: WasiOptions) {
  const wasi = new WASI({ version: 'preview1', ...options });
  const instance = new WebAssembly.Instance(await wat(REACTOR_WAT), wasi.getImportObject() as WebAssembly.Imports);
  wasi.initialize(instance);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const call = (name: string, ...args: (number | bigint)[]) => (wasi.wasiImport[name] as unknown as Raw)(...args);
  const view = () => new DataView(memory.buffer);
  const u8 = () => new Uint8Array(memory.buffer);
  const enc = new TextEncoder();
  /** Writes `text` as UTF-8 at `at`, returning its byte length. */
  const put = (at: number, text: string) => {
    const b = enc.encode(text);
    u8().set(b, at);
    return b.length;
  };
  /** path_open relative to `dir`; returns [errno, fd]. */
  const open = (dir: number, path: string, opts: { oflags?: number; base?: bigint; inheriting?: bigint; fdflags?: number; follow?: boolean } = {}) => {
    const len = put(1024, path);
    const errno = call('path_open', dir, opts.follow === false ? 0 : 1, 1024, len, opts.oflags ?? 0, opts.base ?? ALL_RIGHTS, opts.inheriting ?? ALL_RIGHTS, opts.fdflags ?? 0, 16);
    return [errno, view().getUint32(16, true)] as const;
  };
  /** fd_write of `text` through one ciovec at 32; returns [errno, written]. */
  const write = (fd: number, text: string) => {
    const len = put(2048, text);
    view().setUint32(32, 2048, true);
    view().setUint32(36, len, true);
    const errno = call('fd_write', fd, 32, 1, 40);
    return [errno, view().getUint32(40, true)] as const;
  };
  /** fd_fdstat_get: [errno, filetype, flags, base, inheriting]. */
  const fdstat = (fd: number) => {
    const errno = call('fd_fdstat_get', fd, 64);
    const v = view();
    return { errno, filetype: v.getUint8(64), flags: v.getUint16(66, true), base: v.getBigUint64(72, true), inheriting: v.getBigUint64(80, true) };
  };
  return { wasi, instance, memory, call, view, u8, put, open, write, fdstat };
}

export const ALL_RIGHTS = Object.values(RIGHTS).reduce((a, b) => a | b, 0n);

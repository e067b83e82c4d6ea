/**
 * Shared by the version tests: WAT guests of our own that import raw WASI functions of any version
 * and export thin forwarding functions (so every call goes wasm -> import with wasm's own argument
 * conversion), WITX facts read straight from the WITX root codegen reads (`WITX_DIR`, else ../shared/witx; never
 * from generated/), and a
 * filesystem whose stat results are fixed so layouts can be checked field by field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsError, MemoryFileSystem, WASI, type FileStat, type Handle, type OpenFlags, type WasiOptions } from '../../src/index.js';
import { witxRoot } from '../../witx/versions.js';
import { wat } from '../runtime/harness.js';

/** The WITX root, found as codegen finds it. */
export const WITX_DIR = witxRoot();

/** Signature of one raw import as it is in wasm: `[module, name, 'i32 i64 i32', hasResult]`. */
export type Sig = readonly [module: string, name: string, params: string, result?: boolean];

const exportName = (module: string, name: string) => `${module}.${name}`;

/** The WAT text of a reactor importing `sigs` and exporting `<module>.<name>` forwarders. */
export function forwardingWat(sigs: readonly Sig[], extra = ''): string {
  // Imports must precede every definition in the text format: lift those of `extra` to the top.
  const extraLines = extra.split('\n');
  const extraImports = extraLines.filter((l) => /^\s*\(import /.test(l)).join('\n');
  const extraRest = extraLines.filter((l) => !/^\s*\(import /.test(l)).join('\n');
  const imports = sigs.map(([mod, name, params, result = true], i) => {
    const p = params.trim() ? `(param ${params})` : '';
    return `  (import "${mod}" "${name}" (func $f${i} ${p} ${result ? '(result i32)' : ''}))`;
  });
  const forwards = sigs.map(([mod, name, params, result = true], i) => {
    const n = params.trim() ? params.trim().split(/\s+/).length : 0;
    const p = n ? `(param ${params})` : '';
    const body = Array.from({ length: n }, (_, j) => `local.get ${j}`).join(' ');
    return `  (func (export "${exportName(mod, name)}") ${p} ${result ? '(result i32)' : ''} ${body} call $f${i})`;
  });
  return `(module\n${imports.join('\n')}\n${extraImports}\n  (memory (export "memory") 1)\n  (func (export "_initialize"))\n${forwards.join('\n')}\n${extraRest}\n)`;
}

type Num = number | bigint;

/** A bound reactor under a WASI of `version`, with calls through its wasm forwarders and memory views. */
export async function guest(version: WasiOptions['version'], sigs: readonly Sig[], options: WasiOptions = {}, extra = '') {
  const module = await wat(forwardingWat(sigs, extra));
  const wasi = new WASI({ stdout: () => {}, stderr: () => {}, stdin: () => null, ...options, version });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  wasi.initialize(instance);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const exp = instance.exports as Record<string, (...a: Num[]) => number>;
  const call = (module: string, name: string, ...args: Num[]): number => {
    const f = exp[exportName(module, name)];
    if (!f) throw new Error(`guest has no forwarder for ${module}.${name}`);
    return f(...args);
  };
  const view = () => new DataView(memory.buffer);
  const u8 = () => new Uint8Array(memory.buffer);
  const enc = new TextEncoder();
  const put = (at: number, text: string | Uint8Array) => {
    const b = typeof text === 'string' ? enc.encode(text) : text;
    u8().set(b, at);
    return b.length;
  };
  const fill = (at: number, len: number, byte: number) => u8().fill(byte, at, at + len);
  const bytes = (at: number, len: number) => u8().slice(at, at + len);
  return { wasi, instance, memory, exports: exp, call, view, u8, put, fill, bytes };
}

// ---- WITX facts, read from the text -------------------------------------------------------------

const stripComments = (text: string) => text.replace(/;;.*$/gm, '');

function typenamesOf(version: 'preview1' | 'snapshot0' | 'ephemeral'): string {
  return stripComments(readFileSync(join(WITX_DIR, version, 'typenames.witx'), 'utf8'));
}

/** The `$case` names of `(typename $<type> (enum|flags ...))`, in order. */
export function witxCases(version: 'preview1' | 'snapshot0' | 'ephemeral', type: string): string[] {
  const text = typenamesOf(version);
  const start = text.indexOf(`(typename $${type}\n`);
  if (start < 0) throw new Error(`no typename $${type} in ${version}`);
  // The body runs to the parenthesis closing the typename.
  let depth = 0;
  let end = start;
  for (; end < text.length; end++) {
    if (text[end] === '(') depth++;
    else if (text[end] === ')' && --depth === 0) break;
  }
  const body = text.slice(start, end);
  const inner = body.slice(body.indexOf('(', 1));
  const afterRepr = inner.replace(/^\((enum|flags)\s*\(@witx (tag|repr) \w+\)/, '');
  return [...afterRepr.matchAll(/\$(\w+)/g)].map((m) => m[1]!);
}

/** name -> number of an enum, from its order in the WITX. */
export function witxEnum(version: 'preview1' | 'snapshot0' | 'ephemeral', type: string): Record<string, number> {
  return Object.fromEntries(witxCases(version, type).map((n, i) => [n, i]));
}

/** Case names of a WASIX enum (or flags), in order, read from wasix/typenames.witx by regex (not from generated/). */
export function wasixCases(type: string, kind: 'enum' | 'flags' = 'enum'): string[] {
  const text = readFileSync(join(WITX_DIR, 'wasix', 'typenames.witx'), 'utf8').replace(/;;.*$/gm, '');
  const m = new RegExp(`\\(typename \\$${type}\\s+\\(${kind} \\(@witx \\w+ \\w+\\)([^()]*)\\)`).exec(text);
  if (!m) throw new Error(`no ${kind} $${type}`);
  return [...m[1]!.matchAll(/\$(\w+)/g)].map((x) => x[1]!);
}

/** name -> number of a WASIX enum, from its order in the WITX. */
export function wasixEnum(type: string): Record<string, number> {
  return Object.fromEntries(wasixCases(type).map((n, i) => [n, i]));
}

/** name -> bit of a flags type, from its order in the WITX. */
export function witxFlags(version: 'preview1' | 'snapshot0' | 'ephemeral', type: string): Record<string, bigint> {
  return Object.fromEntries(witxCases(version, type).map((n, i) => [n, 1n << BigInt(i)]));
}

export const allBits = (flags: Record<string, bigint>) => Object.values(flags).reduce((a, b) => a | b, 0n);

// ---- A filesystem with fixed stat results ---------------------------------------------------------

/** A stat with a distinct value in every field, so a field at a wrong offset shows. */
export const FIXED_STAT: Omit<FileStat, 'filetype'> = {
  dev: 0x1112131415161718n,
  ino: 0x2122232425262728n,
  nlink: 3n,
  size: 0x0000004142434445n,
  atim: 0x5152535455565758n,
  mtim: 0x6162636465666768n,
  ctim: 0x7172737475767778n,
};

/**
 * A MemoryFileSystem whose stat calls report FIXED_STAT (with the real file type, and `nlink` as
 * given), and whose open of a path named `denied` fails with `acces`.
 */
export class FixedStatFs extends MemoryFileSystem {
  constructor(
    files: Record<string, string>,
    readonly nlink: bigint = FIXED_STAT.nlink,
  ) {
    super(files);
  }
  #fix(s: FileStat): FileStat {
    return { ...FIXED_STAT, filetype: s.filetype, nlink: this.nlink };
  }
  override fstat(handle: Handle): FileStat {
    return this.#fix(super.fstat(handle));
  }
  override stat(dir: Handle, path: string): FileStat {
    return this.#fix(super.stat(dir, path));
  }
  override lstat(dir: Handle, path: string): FileStat {
    return this.#fix(super.lstat(dir, path));
  }
  override open(dir: Handle, path: string, flags: OpenFlags): Handle {
    if (path.split('/').includes('denied')) throw new FsError('acces', path);
    return super.open(dir, path, flags);
  }
}

/** Reads a u64 as bigint / a little-endian field. */
export const u64 = (v: DataView, at: number) => v.getBigUint64(at, true);

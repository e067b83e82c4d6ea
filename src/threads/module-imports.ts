// What a threaded program needs to know about a module before it runs: the memory it imports (with
// its limits, which WebAssembly.Module.imports does not report) and the functions it imports.
// Reading the binary's import section is a few dozen lines, so it is done here rather than with a
// full wasm parser.
import { concatBytes } from '../concat-bytes.js';

/** A memory import: where it is imported from and its limits in 64 KiB pages. */
export interface MemoryImport {
  module: string;
  name: string;
  initial: number;
  maximum: number | undefined;
  shared: boolean;
}

/** Thrown for bytes that are not a wasm module this reader understands. */
export class ModuleFormatError extends Error {
  readonly code = 'ERR_WASI_MODULE_FORMAT';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The memory a module imports, read from its import section; undefined when it imports none. */
export function memoryImportOf(bytes: Uint8Array): MemoryImport | undefined {
  let at = 0;
  const fail = (why: string): never => {
    throw new ModuleFormatError(`not a WebAssembly module this host can read: ${why} (at byte ${at})`);
  };
  const byte = () => (at < bytes.length ? bytes[at++]! : fail('unexpected end'));
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) fail('LEB128 too long');
    }
  };
  const name = () => {
    const n = leb();
    if (at + n > bytes.length) fail('name past the end');
    const s = utf8.decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const limits = () => {
    const flags = byte();
    const initial = leb();
    const maximum = flags & 1 ? leb() : undefined;
    return { initial, maximum, shared: (flags & 2) !== 0 };
  };
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) fail('no \\0asm header');
  at = 8;
  while (at < bytes.length) {
    const id = byte();
    const size = leb();
    const end = at + size;
    if (id !== 2) {
      at = end;
      continue;
    }
    const count = leb();
    for (let i = 0; i < count; i++) {
      const module = name();
      const field = name();
      const kind = byte();
      if (kind === 0) leb(); // function: type index
      else if (kind === 1) {
        byte(); // table: element type, then limits
        limits();
      } else if (kind === 2) return { module, name: field, ...limits() };
      else if (kind === 3) {
        byte(); // global: value type, mutability
        byte();
      } else if (kind === 4) {
        byte(); // tag: attribute, type index
        leb();
      } else fail(`unknown import kind ${kind}`);
    }
    return undefined;
  }
  return undefined;
}

/** A new memory with a memory import's limits (shared when declared so). */
export function memoryFor(limits: MemoryImport): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: limits.initial, maximum: limits.maximum, shared: limits.shared } as WebAssembly.MemoryDescriptor);
}

/** Reads unsigned LEB128 from `bytes` at `at`: [value, next offset]. */
function readLeb(bytes: Uint8Array, at: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new ModuleFormatError('not a WebAssembly module this host can read: unexpected end');
    const b = bytes[at++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, at];
    shift += 7;
    if (shift > 35) throw new ModuleFormatError('not a WebAssembly module this host can read: LEB128 too long');
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

interface Section {
  readonly id: number;
  /** Where the section starts (its id byte) and ends, and where its contents start. */
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

function sectionsOf(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new ModuleFormatError('not a WebAssembly module this host can read: no \\0asm header');
  }
  const out: Section[] = [];
  for (let at = 8; at < bytes.length; ) {
    const id = bytes[at]!;
    const [size, body] = readLeb(bytes, at + 1);
    out.push({ id, start: at, body, end: body + size });
    at = body + size;
  }
  return out;
}

/**
 * The core parameter types of every imported function, by `module.name`, from the type and import
 * sections: an import whose type differs from the WITX's (WASIX's 2023 `proc_join`) is served by its own.
 */
export function functionImportParams(bytes: Uint8Array): Map<string, ('i32' | 'i64' | 'f32' | 'f64')[]> {
  const sections = sectionsOf(bytes);
  const types: ('i32' | 'i64' | 'f32' | 'f64')[][] = [];
  const VALTYPE: Record<number, 'i32' | 'i64' | 'f32' | 'f64'> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
  const typeSection = sections.find((s) => s.id === 1);
  if (typeSection) {
    const [count, first] = readLeb(bytes, typeSection.body);
    let at = first;
    for (let i = 0; i < count; i++) {
      if (bytes[at++] !== 0x60) return new Map(); // not a plain function type (GC proposal): nothing to say
      let n: number;
      [n, at] = readLeb(bytes, at);
      types.push(Array.from(bytes.subarray(at, at + n), (b) => VALTYPE[b] ?? 'i32'));
      at += n;
      [n, at] = readLeb(bytes, at);
      at += n;
    }
  }
  const out = new Map<string, ('i32' | 'i64' | 'f32' | 'f64')[]>();
  const importSection = sections.find((s) => s.id === 2);
  if (!importSection) return out;
  const [count, first] = readLeb(bytes, importSection.body);
  let at = first;
  const name = () => {
    let n: number;
    [n, at] = readLeb(bytes, at);
    const s = utf8.decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const skipLimits = () => {
    const flags = bytes[at++]!;
    [, at] = readLeb(bytes, at);
    if (flags & 1) [, at] = readLeb(bytes, at);
  };
  for (let i = 0; i < count; i++) {
    const module = name();
    const field = name();
    const kind = bytes[at++];
    if (kind === 0) {
      let t: number;
      [t, at] = readLeb(bytes, at);
      const params = types[t];
      if (params) out.set(`${module}.${field}`, params);
    } else if (kind === 1) {
      at++;
      skipLimits();
    } else if (kind === 2) skipLimits();
    else if (kind === 3) at += 2;
    else if (kind === 4) {
      at++;
      [, at] = readLeb(bytes, at);
    } else break;
  }
  return out;
}

/**
 * Where the module's active data segments lie in memory, as [offset, length] pairs, from its data
 * section; undefined when one is placed by anything but a constant (a `global.get`). Instantiating a
 * module writes them, so a fork's child keeps what its copy held there (the parent's data as it is now).
 */
export function activeDataRanges(bytes: Uint8Array): [number, number][] | undefined {
  const data = sectionsOf(bytes).find((s) => s.id === 11);
  if (!data) return [];
  const out: [number, number][] = [];
  let [count, at] = readLeb(bytes, data.body);
  for (; count > 0; count--) {
    let flags: number;
    [flags, at] = readLeb(bytes, at);
    if (flags === 2) [, at] = readLeb(bytes, at); // memory index
    let offset: number | undefined;
    if (flags !== 1) {
      if (bytes[at] !== 0x41) return undefined; // not i32.const
      // A signed LEB128, read as unsigned 32 bits.
      let result = 0;
      let shift = 0;
      let b: number;
      at++;
      do {
        b = bytes[at++]!;
        result += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      if (b & 0x40 && shift < 32) result -= 2 ** shift;
      offset = result >>> 0;
      if (bytes[at++] !== 0x0b) return undefined; // not a lone constant
    }
    let size: number;
    [size, at] = readLeb(bytes, at);
    at += size;
    if (offset !== undefined) out.push([offset, size]);
  }
  return out;
}

/** The largest memory a wasm32 module can have, in 64 KiB pages (4 GiB). */
const MAX_PAGES = 65536;

/**
 * A module whose one memory is defined inside it, rewritten so that memory is imported instead, shared,
 * with the same limits (a shared memory must have a maximum: 4 GiB when none is declared); undefined
 * for a module that already imports its memory or has none. Only the import and memory sections
 * change: the memory keeps index 0 (imports come first), so its export, its active data segments and
 * every instruction stay as they are. Why: a process runs in a worker, and every syscall it makes runs
 * on the kernel's thread, which must read and write that memory, so the memory must be shared and made
 * outside the instance (Debian's wasi-libc links programs with a memory of their own).
 */
export function withImportedSharedMemory(bytes: Uint8Array, from: { module: string; name: string } = { module: 'env', name: 'memory' }): { bytes: Uint8Array; limits: MemoryImport } | undefined {
  const sections = sectionsOf(bytes);
  if (memoryImportOf(bytes)) return undefined;
  const memory = sections.find((s) => s.id === 5);
  if (!memory) return undefined;
  const [count, first] = readLeb(bytes, memory.body);
  if (count !== 1) return undefined;
  const flags = bytes[first]!;
  const [initial, next] = readLeb(bytes, first + 1);
  const maximum = flags & 1 ? readLeb(bytes, next)[0] : undefined;
  // A memory64 or already shared memory is left alone.
  if (flags & ~1) return undefined;
  const max = maximum ?? MAX_PAGES;
  const enc = new TextEncoder();
  const str = (s: string) => {
    const b = enc.encode(s);
    return [...leb(b.length), ...b];
  };
  const entry = [...str(from.module), ...str(from.name), 2, 0x03, ...leb(initial), ...leb(max)];
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const imports = sections.find((s) => s.id === 2);
  const section = (id: number, contents: number[] | Uint8Array) => new Uint8Array([id, ...leb(contents.length), ...contents]);
  let placed = false;
  for (const s of sections) {
    if (s === memory) continue;
    if (s === imports) {
      const [n, first] = readLeb(bytes, s.body);
      parts.push(section(2, [...leb(n + 1), ...bytes.subarray(first, s.end), ...entry]));
      placed = true;
      continue;
    }
    if (!placed && !imports && s.id !== 0 && s.id > 2) {
      parts.push(section(2, [1, ...entry]));
      placed = true;
    }
    parts.push(bytes.subarray(s.start, s.end));
  }
  if (!placed) parts.push(section(2, [1, ...entry]));
  return { bytes: concatBytes(parts), limits: { module: from.module, name: from.name, initial, maximum: max, shared: true } };
}

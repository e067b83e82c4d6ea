// What a threaded program needs to know about a module before it runs: the memory it imports (with
// its limits, which WebAssembly.Module.imports does not report) and the functions it imports.
// Reading the binary's import section is a few dozen lines, so it is done here rather than with a
// full wasm parser.

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

/**
 * One line per syscall for `wasi-kit run --trace`, decoded from the function's ABI (abi.json), so
 * every function of every version is covered without code per syscall:
 *
 *   fd_write(fd=1, iovs=["hello, world\n"]) -> success 13 [4.1µs]
 *
 * Arguments are the WITX params by name. Values show by type: enums and flags by name (`all` when
 * every flag is set, `all&~(a|b)` when a wide mask lacks a few), handles and integers in decimal
 * (u64 unsigned), other pointers in hex. A pointer + length pair is one argument: a string quoted,
 * a list of byte buffers as the bytes each holds (the first {@link BYTES_SHOWN}, then `…(N bytes)`)
 * when the guest gives them, as `<N bytes>` when the call fills them; other lists element by
 * element. After `->`: the errno name, then on success what the call wrote through its
 * out-pointers; nothing for a call that does not return (`proc_exit`), `(threw)` for one that failed
 * inside the host. Then the wall time of the call.
 */
import type { AbiJson, AbiType, AbiTypeDef } from './abi/abi-json.js';
import type { TraceEvent } from './trace.js';

/** The parts of a trace event the formatter reads (a `TraceEvent` has them all). */
export type TraceLineEvent = Omit<TraceEvent, 'module'>;

export type AbiTypes = Readonly<Record<string, AbiTypeDef>>;

/** What decoding needs of a version's abi.json: its types and its pointer size (`usize` too). */
export type TraceAbi = Pick<AbiJson, 'types' | 'pointerSize'>;

/** Bytes of a buffer shown before it is cut short. */
export const BYTES_SHOWN = 32;
/** Characters of a string shown before it is cut short. */
const CHARS_SHOWN = 256;
/** Elements of a list shown before it is cut short. */
const ELEMENTS_SHOWN = 8;

/** Bytes of each builtin but `usize`, which is a pointer's size. */
const BUILTIN_SIZE: Readonly<Record<string, number>> = { u8: 1, char8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

class OutOfBounds extends Error {}

export function formatTraceEvent(e: TraceLineEvent, abi: TraceAbi): string {
  const f = new Formatter(abi.types, abi.pointerSize, e.memory);
  const core = e.abi.core.params;
  const args = e.abi.params.map((p) => {
    const of = core.filter((c) => c.param === p.name);
    const ptr = of.find((c) => c.role === 'pointer');
    const len = of.find((c) => c.role === 'length');
    const value = of.find((c) => c.role === 'value');
    if (ptr && len) return `${p.name}=${f.sequence(p.type, u32(e.args[ptr.name]), u32(e.args[len.name]))}`;
    if (value) return `${p.name}=${f.value(p.type, e.args[value.name] ?? 0)}`;
    return `${p.name}=?`;
  });
  let result: string;
  if (e.errno === undefined) result = e.abi.noreturn ? '' : ' -> (threw)';
  else {
    result = ` -> ${e.errno}`;
    if (e.errno === 'success') {
      const outs = core.filter((c) => c.role === 'out' && c.out !== undefined).map((c) => f.at(c.out!, u32(e.args[c.name])));
      if (outs.length > 0) result += ` ${outs.join(', ')}`;
    }
  }
  return `${e.name}(${args.join(', ')})${result} [${formatDuration(e.durationNs)}]`;
}

/** `850ns`, `4.1µs`, `12.3ms`, `1.20s`. */
export function formatDuration(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)}µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)}ms`;
  return `${(ns / 1e9).toFixed(2)}s`;
}

/** Bytes as a quoted string: printable ASCII as is, the rest escaped (`\n`, `\xff`), cut at `max`. */
export function quoteBytes(bytes: Uint8Array, max = BYTES_SHOWN): string {
  let s = '"';
  for (const b of bytes.subarray(0, max)) s += escapeCode(b, true);
  s += '"';
  return bytes.length > max ? `${s}…(${bytes.length} bytes)` : s;
}

const ESCAPES: Readonly<Record<number, string>> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r', 34: '\\"', 92: '\\\\' };

function escapeCode(c: number, byte: boolean): string {
  const named = ESCAPES[c];
  if (named !== undefined) return named;
  if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
  if (c < 0x100 && (byte || c < 0xa0)) return `\\x${c.toString(16).padStart(2, '0')}`;
  return String.fromCodePoint(c);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A string's bytes: decoded UTF-8 with control characters escaped, or the bytes when not UTF-8. */
function quoteString(bytes: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return quoteBytes(bytes, CHARS_SHOWN);
  }
  const chars = [...text];
  const shown = chars.slice(0, CHARS_SHOWN).map((ch) => escapeCode(ch.codePointAt(0)!, false));
  const s = `"${shown.join('')}"`;
  return chars.length > CHARS_SHOWN ? `${s}…(${bytes.length} bytes)` : s;
}

const u32 = (v: number | bigint | undefined) => Number(BigInt.asUintN(32, BigInt(v ?? 0)));
const hex = (n: number | bigint) => `0x${n.toString(16)}`;

class Formatter {
  constructor(
    readonly types: AbiTypes,
    /** Bytes of a pointer and of `usize`, from abi.json. */
    readonly pointerSize: number,
    readonly memory: Uint8Array,
  ) {}

  builtinSize(t: string): number | undefined {
    return t === 'usize' ? this.pointerSize : BUILTIN_SIZE[t];
  }

  /** The type a name stands for, aliases followed (a list alias stays a list). */
  resolve(type: AbiType): AbiType {
    for (let i = 0; i < 32 && typeof type === 'string'; i++) {
      const def = this.types[type];
      if (def?.kind !== 'alias') break;
      type = def.type;
    }
    return type;
  }

  sizeOf(type: AbiType): number {
    const t = this.resolve(type);
    if (typeof t === 'string') return this.builtinSize(t) ?? this.types[t]?.size ?? (t === 'string' ? 2 * this.pointerSize : 0);
    if ('pointer' in t || 'const_pointer' in t) return this.pointerSize;
    if ('list' in t) return 2 * this.pointerSize;
    return 0;
  }

  /** A core argument passed by value. */
  value(type: AbiType, raw: number | bigint): string {
    const t = this.resolve(type);
    if (typeof t !== 'string') return hex(u32(raw));
    const bits = BigInt.asUintN(64, BigInt(raw));
    if (t === 's64' || t === 's32' || t === 's16' || t === 's8') return String(BigInt.asIntN(8 * BUILTIN_SIZE[t]!, bits));
    const size = this.builtinSize(t);
    if (size !== undefined) return String(BigInt.asUintN(8 * size, bits));
    const def = this.types[t];
    const v = def ? BigInt.asUintN(8 * def.size, bits) : bits;
    if (def?.kind === 'enum') return def.cases[Number(v)] ?? String(v);
    if (def?.kind === 'flags') return flagNames(def.flags, v);
    return String(v);
  }

  /** A pointer + length argument: a string or a list. */
  sequence(type: AbiType, ptr: number, len: number): string {
    try {
      const t = this.resolve(type);
      if (t === 'string') return quoteString(this.bytes(ptr, len));
      if (typeof t === 'object' && 'list' in t) return this.list(t.list, ptr, len);
      return `${hex(ptr)}+${len}`;
    } catch (err) {
      if (err instanceof OutOfBounds) return `${hex(ptr)}+${len}(out of bounds)`;
      throw err;
    }
  }

  /** The value of `type` stored in guest memory at `ptr`. */
  at(type: AbiType, ptr: number): string {
    try {
      return this.read(type, ptr);
    } catch (err) {
      if (err instanceof OutOfBounds) return `${hex(ptr)}(out of bounds)`;
      throw err;
    }
  }

  bytes(ptr: number, len: number): Uint8Array {
    if (ptr + len > this.memory.length) throw new OutOfBounds();
    return this.memory.subarray(ptr, ptr + len);
  }

  /** A string's or list's pointer and length, two pointer-sized words at `ptr`. */
  pointerAndLength(ptr: number): [number, number] {
    return [Number(this.uint(ptr, this.pointerSize)), Number(this.uint(ptr + this.pointerSize, this.pointerSize))];
  }

  uint(ptr: number, size: number): bigint {
    const b = this.bytes(ptr, size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  read(type: AbiType, ptr: number): string {
    const t = this.resolve(type);
    if (typeof t === 'object') {
      if ('pointer' in t || 'const_pointer' in t) return hex(this.uint(ptr, this.pointerSize));
      if ('list' in t) return this.sequence(t, ...this.pointerAndLength(ptr));
      return '?';
    }
    if (t === 'string') return this.sequence(t, ...this.pointerAndLength(ptr));
    const builtin = this.builtinSize(t);
    if (builtin !== undefined) return this.value(t, this.uint(ptr, builtin));
    const def = this.types[t];
    switch (def?.kind) {
      case 'enum':
      case 'flags':
      case 'handle':
        return this.value(t, this.uint(ptr, def.size));
      case 'record':
        return `{${def.fields.map((f) => `${f.name}=${this.read(f.type, ptr + f.offset)}`).join(', ')}}`;
      case 'variant': {
        const tag = Number(this.uint(ptr, def.tagSize));
        const c = def.cases.find((x) => x.discriminant === tag);
        if (!c) return `${def.tag}(${tag})`;
        if (c.type === null) return c.name;
        const payload = this.read(c.type, ptr + def.payloadOffset);
        return payload.startsWith('{') ? `${c.name}${payload}` : `${c.name}(${payload})`;
      }
      default:
        return '?';
    }
  }

  list(elem: AbiType, ptr: number, len: number): string {
    const size = this.sizeOf(elem);
    const buffer = this.bufferRecord(elem);
    const shown: string[] = [];
    for (let i = 0; i < Math.min(len, ELEMENTS_SHOWN); i++) {
      const at = ptr + i * size;
      if (buffer) {
        const bufPtr = Number(this.uint(at + buffer.ptrOffset, this.pointerSize));
        const bufLen = Number(this.uint(at + buffer.lenOffset, this.pointerSize));
        shown.push(buffer.filledByCall ? `<${bufLen} bytes>` : this.bufferBytes(bufPtr, bufLen));
      } else shown.push(this.read(elem, at));
    }
    if (len > ELEMENTS_SHOWN) shown.push(`…(${len} in all)`);
    return `[${shown.join(', ')}]`;
  }

  bufferBytes(ptr: number, len: number): string {
    if (ptr + Math.min(len, BYTES_SHOWN) > this.memory.length) return `${hex(ptr)}+${len}(out of bounds)`;
    const shown = quoteBytes(this.memory.subarray(ptr, ptr + Math.min(len, BYTES_SHOWN)));
    return len > BYTES_SHOWN ? `${shown}…(${len} bytes)` : shown;
  }

  /** A record that is a byte buffer (a pointer to bytes, then a length), such as iovec and ciovec. */
  bufferRecord(type: AbiType): { ptrOffset: number; lenOffset: number; filledByCall: boolean } | undefined {
    const t = this.resolve(type);
    const def = typeof t === 'string' ? this.types[t] : undefined;
    if (def?.kind !== 'record' || def.fields.length !== 2) return undefined;
    const [p, l] = def.fields as [(typeof def.fields)[0], (typeof def.fields)[0]];
    const pt = this.resolve(p.type);
    if (typeof pt !== 'object') return undefined;
    const target = 'pointer' in pt ? pt.pointer : 'const_pointer' in pt ? pt.const_pointer : undefined;
    const lt = this.resolve(l.type);
    if (target === undefined || this.sizeOf(target) !== 1 || typeof lt !== 'string' || this.builtinSize(lt) !== this.pointerSize) return undefined;
    return { ptrOffset: p.offset, lenOffset: l.offset, filledByCall: 'pointer' in pt };
  }
}

/** Set flags by name; a mostly-set wide mask (rights) as what it lacks: `all&~(sock_accept)`. */
function flagNames(flags: readonly string[], bits: bigint): string {
  if (bits === 0n) return '0';
  const all = (1n << BigInt(flags.length)) - 1n;
  const unknown = bits & ~all;
  const set = flags.filter((_, i) => (bits >> BigInt(i)) & 1n);
  const missing = flags.filter((_, i) => !((bits >> BigInt(i)) & 1n));
  const names = missing.length === 0 && flags.length > 1 ? ['all'] : flags.length > 8 && set.length > flags.length / 2 ? [`all&~(${missing.join('|')})`] : set;
  if (unknown !== 0n) names.push(hex(unknown));
  return names.join('|');
}

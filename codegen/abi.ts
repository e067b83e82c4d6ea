import type { Document, Func, Type } from './ir.js';
import { resolveType } from './validate.js';

// How a WITX function lowers to a core wasm import (the preview1 ABI): scalars by value, strings and
// lists as pointer + length, aggregates by pointer, results through out-pointers after the params,
// and the error of an `expected` as the return value.

export type WasmType = 'i32' | 'i64' | 'f32' | 'f64';

export type CoreParamRole =
  /** A WITX param passed as one scalar. */
  | 'value'
  /** The pointer half of a string or list param. */
  | 'pointer'
  /** The length half of a string or list param (elements, or bytes for a string). */
  | 'length'
  /** Where the host writes one ok value (or tuple element) of the result. */
  | 'out';

export interface CoreParam {
  readonly name: string;
  readonly wasm: WasmType;
  readonly role: CoreParamRole;
  /** The WITX param (for value/pointer/length) or result element (for out) this comes from. */
  readonly type: Type;
  /** Index into func.params for value/pointer/length; index of the tuple element for out. */
  readonly index: number;
}

export interface LoweredFunc {
  readonly params: readonly CoreParam[];
  readonly results: readonly WasmType[];
  /** The error type returned on the wasm stack, if the result is an `expected` with an error. */
  readonly errorType: Type | undefined;
  /** The ok values written through out-pointers, in order. */
  readonly outputs: readonly Type[];
}

export function scalarWasmType(t: Type, doc: Document, pointerSize: 4 | 8): WasmType | undefined {
  const r = resolveType(t, doc.types);
  const ptr: WasmType = pointerSize === 8 ? 'i64' : 'i32';
  switch (r.kind) {
    case 'builtin':
      if (r.name === 'u64' || r.name === 's64') return 'i64';
      if (r.name === 'f32' || r.name === 'f64') return r.name;
      if (r.name === 'usize') return ptr;
      return 'i32';
    case 'enum':
    case 'flags':
      return r.repr === 'u64' ? 'i64' : 'i32';
    case 'handle':
      return 'i32';
    case 'pointer':
      return ptr;
    default:
      return undefined;
  }
}

export function lowerFunc(f: Func, doc: Document, pointerSize: 4 | 8 = 4): LoweredFunc {
  const ptr: WasmType = pointerSize === 8 ? 'i64' : 'i32';
  const params: CoreParam[] = [];
  f.params.forEach((p, index) => {
    const r = resolveType(p.type, doc.types);
    if (r.kind === 'string' || r.kind === 'list') {
      params.push({ name: p.name, wasm: ptr, role: 'pointer', type: p.type, index });
      params.push({ name: `${p.name}_len`, wasm: ptr, role: 'length', type: p.type, index });
    } else {
      // Records, tuples and variants passed by value go by pointer, as in the witx crate's ABI.
      params.push({ name: p.name, wasm: scalarWasmType(p.type, doc, pointerSize) ?? ptr, role: 'value', type: p.type, index });
    }
  });

  if (f.results.length > 1) throw new Error(`${f.name}: more than one result is not part of the preview1 ABI`);
  const result = f.results[0];
  if (!result) return { params, results: [], errorType: undefined, outputs: [] };
  const r = resolveType(result.type, doc.types);
  if (r.kind !== 'expected') {
    const wasm = scalarWasmType(result.type, doc, pointerSize);
    if (!wasm) throw new Error(`${f.name}: a non-scalar result must be an (expected ...)`);
    return { params, results: [wasm], errorType: undefined, outputs: [] };
  }
  const outputs: Type[] = [];
  if (r.ok) {
    const ok = resolveType(r.ok, doc.types);
    if (ok.kind === 'tuple') outputs.push(...ok.elements);
    else outputs.push(r.ok);
  }
  outputs.forEach((type, index) => params.push({ name: `retptr${index}`, wasm: ptr, role: 'out', type, index }));
  let results: WasmType[] = [];
  if (r.err) {
    const wasm = scalarWasmType(r.err, doc, pointerSize);
    if (!wasm) throw new Error(`${f.name}: the error type of a result must be a scalar`);
    results = [wasm];
  }
  return { params, results, errorType: r.err, outputs };
}

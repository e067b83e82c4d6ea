// The shape of generated/<version>/abi.json (and metadata.ts): every type's layout and every
// function's WITX and core wasm signature, as plain data for tools such as the syscall tracer.

export type AbiType =
  | string
  | { pointer: AbiType }
  | { const_pointer: AbiType }
  | { list: AbiType }
  | { tuple: AbiType[] }
  | { expected: { ok: AbiType | null; error: AbiType | null } }
  | { inline: string };

export type AbiTypeDef =
  | { kind: 'enum'; size: number; align: number; repr: string; cases: string[] }
  | { kind: 'flags'; size: number; align: number; repr: string; flags: string[] }
  | { kind: 'record'; size: number; align: number; fields: { name: string; offset: number; size: number; type: AbiType }[] }
  | {
      kind: 'variant';
      size: number;
      align: number;
      tag: string;
      tagSize: number;
      payloadOffset: number;
      cases: { name: string; discriminant: number; type: AbiType | null }[];
    }
  | { kind: 'handle'; size: number; align: number }
  | { kind: 'alias'; size: number; align: number; type: AbiType; resolved: string };

export interface AbiCoreParam {
  name: string;
  type: 'i32' | 'i64' | 'f32' | 'f64';
  role: 'value' | 'pointer' | 'length' | 'out';
  /** The WITX param this comes from (value, pointer, length). */
  param?: string;
  /** The type written through this out-pointer. */
  out?: AbiType;
}

export interface AbiFunction {
  module: string;
  name: string;
  params: { name: string; type: AbiType }[];
  results: { name: string; type: AbiType }[];
  noreturn: boolean;
  core: { params: AbiCoreParam[]; results: ('i32' | 'i64' | 'f32' | 'f64')[] };
}

export interface AbiJson {
  version: string;
  pointerSize: number;
  sources: string[];
  types: Record<string, AbiTypeDef>;
  constants: { type: string; name: string; value: number }[];
  functions: AbiFunction[];
}

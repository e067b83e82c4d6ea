import type { Location } from './source.js';

// The validated IR of a WITX document. Types only; building it is validate.ts, sizing it layout.ts.

export type IntRepr = 'u8' | 'u16' | 'u32' | 'u64';
export type Builtin = IntRepr | 's8' | 's16' | 's32' | 's64' | 'f32' | 'f64' | 'char8' | 'usize';

export type Type =
  | { readonly kind: 'builtin'; readonly name: Builtin }
  | { readonly kind: 'ref'; readonly name: string; readonly loc?: Location }
  | { readonly kind: 'string' }
  | { readonly kind: 'pointer'; readonly const: boolean; readonly to: Type }
  | { readonly kind: 'list'; readonly element: Type }
  | { readonly kind: 'tuple'; readonly elements: readonly Type[] }
  | { readonly kind: 'handle' }
  | { readonly kind: 'enum'; readonly repr: IntRepr; readonly cases: readonly Named[] }
  | { readonly kind: 'flags'; readonly repr: IntRepr; readonly flags: readonly Named[] }
  | { readonly kind: 'record'; readonly fields: readonly Field[] }
  | VariantType
  | { readonly kind: 'expected'; readonly ok: Type | undefined; readonly err: Type | undefined };

/**
 * `variant` and `union` both land here. `tag` names the enum whose cases name the variant's cases
 * (`(@witx tag $eventtype)`), or is undefined when the cases are numbered and the tag is sized to fit.
 */
export interface VariantType {
  readonly kind: 'variant';
  readonly tag: string | undefined;
  readonly tagRepr: IntRepr;
  readonly cases: readonly VariantCase[];
}

/** A case's discriminant is its position in the tag enum, which need not be its position here. */
export interface VariantCase {
  readonly name: string;
  readonly discriminant: number;
  readonly type: Type | undefined;
  readonly docs: string;
}

export interface Named {
  readonly name: string;
  readonly docs: string;
}
export interface Field extends Named {
  readonly type: Type;
}

export interface TypeDef {
  readonly name: string;
  readonly type: Type;
  readonly docs: string;
  readonly loc: Location;
}

export interface Constant {
  /** The typename the constant belongs to (`$exitcode`). */
  readonly type: string;
  readonly name: string;
  readonly value: bigint;
  readonly docs: string;
  readonly loc: Location;
}

export interface Param extends Named {
  readonly type: Type;
}

export interface Func {
  readonly name: string;
  readonly params: readonly Param[];
  readonly results: readonly Param[];
  /** `(@witx noreturn)`: the call never returns to the guest. */
  readonly noreturn: boolean;
  readonly docs: string;
  readonly loc: Location;
}

export interface Module {
  /** The name as written (`wasi_snapshot_preview1`, or `wasix_module_name` for WASIX). */
  readonly name: string;
  readonly funcs: readonly Func[];
  readonly docs: string;
  readonly loc: Location;
}

export interface Document {
  readonly types: ReadonlyMap<string, TypeDef>;
  readonly constants: readonly Constant[];
  readonly modules: readonly Module[];
}

import { lowerFunc } from '../abi.js';
import type { Type } from '../ir.js';
import { resolveType } from '../validate.js';
import type { EmitContext } from './context.js';
import { createFile, finish, type GeneratedFile } from './file.js';

/** A type in abi.json: a name (typename or builtin), or an object for an anonymous compound type. */
export type AbiType =
  | string
  | { pointer: AbiType }
  | { const_pointer: AbiType }
  | { list: AbiType }
  | { tuple: AbiType[] }
  | { expected: { ok: AbiType | null; error: AbiType | null } }
  | { inline: string };

export function abiType(t: Type): AbiType {
  switch (t.kind) {
    case 'ref':
      return t.name;
    case 'builtin':
      return t.name;
    case 'string':
      return 'string';
    case 'handle':
      return 'handle';
    case 'pointer':
      return t.const ? { const_pointer: abiType(t.to) } : { pointer: abiType(t.to) };
    case 'list':
      return { list: abiType(t.element) };
    case 'tuple':
      return { tuple: t.elements.map(abiType) };
    case 'expected':
      return { expected: { ok: t.ok ? abiType(t.ok) : null, error: t.err ? abiType(t.err) : null } };
    default:
      return { inline: t.kind };
  }
}

/** Everything a tool needs to decode a call or check a layout, as plain data. */
export function abiDescription(ctx: EmitContext) {
  const { doc, layout } = ctx;
  const types: Record<string, unknown> = {};
  for (const def of doc.types.values()) {
    const ref = { kind: 'ref', name: def.name } as const;
    const t = def.type;
    const r = resolveType(t, doc.types);
    const { size, align } = layout.sizeAlign(ref);
    const base = { size, align };
    if (t.kind === 'enum') types[def.name] = { kind: 'enum', ...base, repr: t.repr, cases: t.cases.map((c) => c.name) };
    else if (t.kind === 'flags') types[def.name] = { kind: 'flags', ...base, repr: t.repr, flags: t.flags.map((f) => f.name) };
    else if (t.kind === 'record')
      types[def.name] = {
        kind: 'record',
        ...base,
        fields: layout.fields(ref).map((f, i) => ({ ...f, type: abiType(t.fields[i]!.type) })),
      };
    else if (t.kind === 'variant') {
      const vl = layout.variant(ref);
      types[def.name] = {
        kind: 'variant',
        ...base,
        tag: t.tag ?? t.tagRepr,
        tagSize: vl.tagSize,
        payloadOffset: vl.payloadOffset,
        cases: t.cases.map((c) => ({ name: c.name, discriminant: c.discriminant, type: c.type ? abiType(c.type) : null })),
      };
    } else if (t.kind === 'handle') types[def.name] = { kind: 'handle', ...base };
    else types[def.name] = { kind: 'alias', ...base, type: abiType(t), resolved: r.kind };
  }
  const functions = doc.modules.flatMap((mod) =>
    mod.funcs.map((f) => {
      const lowered = lowerFunc(f, doc, layout.pointerSize);
      return {
        module: ctx.modules[mod.name]!,
        name: f.name,
        params: f.params.map((p) => ({ name: p.name, type: abiType(p.type) })),
        results: f.results.map((p) => ({ name: p.name, type: abiType(p.type) })),
        noreturn: f.noreturn,
        core: {
          params: lowered.params.map((p) => ({ name: p.name, type: p.wasm, role: p.role, ...(p.role === 'out' ? { out: abiType(p.type) } : { param: f.params[p.index]!.name }) })),
          results: lowered.results,
        },
      };
    }),
  );
  return {
    version: ctx.version,
    pointerSize: layout.pointerSize,
    sources: ctx.files,
    types,
    constants: doc.constants.map((c) => ({ type: c.type, name: c.name, value: Number(c.value) })),
    functions,
  };
}

/** `abi.json` for tools, and `metadata.ts` with the same data typed for the runtime (tracing). */
export async function emitMetadata(ctx: EmitContext): Promise<GeneratedFile[]> {
  const abi = abiDescription(ctx);
  const json = `${JSON.stringify(abi, null, 2)}\n`;
  const sf = createFile(`${ctx.version}/metadata.ts`, ctx.files.join(', '));
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../../src/abi/abi-json.js', namedImports: ['AbiJson'] });
  // A string for JSON.parse on first use, not an object literal: V8 scans a string far faster than it
  // evaluates a literal of this size, and only tracing and thread workers read the ABI (issue 18).
  sf.addStatements(`const TEXT = ${JSON.stringify(JSON.stringify(abi))};
    let parsed: AbiJson | undefined;
    /** The ABI of ${ctx.version}: the same data as abi.json, parsed on the first call. */
    export function abi(): AbiJson {
      return (parsed ??= JSON.parse(TEXT) as AbiJson);
    }`);
  return [{ path: `${ctx.version}/abi.json`, text: json }, await finish(`${ctx.version}/metadata.ts`, sf)];
}

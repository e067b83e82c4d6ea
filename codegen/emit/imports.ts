import { lowerFunc, type CoreParam } from '../abi.js';
import type { Func, Type } from '../ir.js';
import { param, pascal, upper } from '../names.js';
import { resolveType } from '../validate.js';
import type { EmitContext } from './context.js';
import { createFile, finish, type GeneratedFile } from './file.js';
import { scalarAccess, writeStmts } from './memory-access.js';

/**
 * `imports.ts`: per module, the raw wasm import functions. Each shim decodes its arguments (checking
 * ranges, strings, lists and every out-pointer before the handler runs), calls the handler, writes the
 * results and returns the errno; every failure goes through the one `errnoOf`.
 */
export async function emitImports(ctx: EmitContext): Promise<GeneratedFile> {
  const sf = createFile(`${ctx.version}/imports.ts`, ctx.files.join(', '));
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../../src/abi/memory.js', namedImports: ['GuestMemory'] });
  sf.addImportDeclaration({ moduleSpecifier: '../../src/abi/errno-of.js', namedImports: ['errnoOf', 'trapOf', 'WasiHostError'] });
  sf.addImportDeclaration({ moduleSpecifier: '../../src/abi/convert.js', namespaceImport: 'C' });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './handlers.js', namespaceImport: 'H' });
  sf.addImportDeclaration({ moduleSpecifier: './layout.js', namespaceImport: 'L' });
  sf.addImportDeclaration({ moduleSpecifier: './types.js', namedImports: ['Errno'] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './types.js', namespaceImport: 'T' });

  for (const mod of ctx.doc.modules) {
    const importName = ctx.modules[mod.name]!;
    const iface = pascal(importName);
    const shims = mod.funcs.map((f) => shim(f, ctx));
    sf.addStatements(`/** The raw imports of \`${importName}\`, calling \`handler\` on \`memory\`. */
    export function create${iface}Imports(h: H.${iface}, m: GuestMemory) {
      return {
        ${shims.join(',\n')}
      };
    }`);
  }
  return finish(`${ctx.version}/imports.ts`, sf);
}

/** The expression converting a raw wasm value to the handler's value, checking its range. */
function convert(raw: string, t: Type, ctx: EmitContext): string {
  const r = resolveType(t, ctx.doc.types);
  switch (r.kind) {
    case 'builtin':
      switch (r.name) {
        case 'u8': case 'char8': return `C.u8(${raw})`;
        case 'u16': return `C.u16(${raw})`;
        case 's8': return `C.s8(${raw})`;
        case 's16': return `C.s16(${raw})`;
        case 'u64': return `C.u64(${raw})`;
        case 'usize': return ctx.layout.pointerSize === 8 ? `C.usize64(${raw})` : `${raw} >>> 0`;
        case 'u32': return `${raw} >>> 0`;
        default: return raw;
      }
    case 'enum': {
      const cast = t.kind === 'ref' ? ` as T.${pascal(t.name)}` : '';
      return r.repr === 'u64' ? `C.enum64(${raw}, ${r.cases.length}n)${cast}` : `C.enumValue(${raw}, ${r.cases.length})${cast}`;
    }
    case 'flags':
      // 64-bit flags are rights masks, which programs commonly pass as all ones: unknown bits are dropped.
      // Narrower flags with unknown bits are rejected.
      return r.repr === 'u64'
        ? `C.flags64(${raw}, 0x${((1n << BigInt(r.flags.length)) - 1n).toString(16)}n)`
        : `C.flags(${raw}, 0x${(2 ** r.flags.length - 1).toString(16)})`;
    case 'handle':
      return `${raw} >>> 0`;
    case 'pointer':
      return ctx.layout.pointerSize === 8 ? `C.ptr64(${raw})` : `${raw} >>> 0`;
    default:
      throw new Error(`cannot pass ${JSON.stringify(t)} by value`);
  }
}

/** A wasm64 pointer or `usize`: stored as u64, but a number to handlers. */
function isWide(t: Type, ctx: EmitContext): boolean {
  const r = resolveType(t, ctx.doc.types);
  return ctx.layout.pointerSize === 8 && (r.kind === 'pointer' || (r.kind === 'builtin' && r.name === 'usize'));
}

function elementLayout(t: Type, ctx: EmitContext): string {
  const r = resolveType(t, ctx.doc.types);
  if (r.kind !== 'list') throw new Error('not a list');
  const el = r.element;
  if (el.kind === 'ref') return `L.${upper(el.name)}.SIZE, L.${upper(el.name)}.ALIGN`;
  const sa = ctx.layout.sizeAlign(el);
  return `${sa.size}, ${sa.align}`;
}

function shim(f: Func, ctx: EmitContext): string {
  const { doc, layout } = ctx;
  const lowered = lowerFunc(f, doc, layout.pointerSize);
  const rawName = (p: CoreParam) => `${param(p.name)}`;
  // A pointer or length as an offset: wasm32 passes i32 (read unsigned), wasm64 i64 (bigint, checked).
  const ptr = (raw: string) => (layout.pointerSize === 8 ? `C.ptr64(${raw})` : `${raw} >>> 0`);
  const len = (raw: string) => (layout.pointerSize === 8 ? `C.usize64(${raw})` : `${raw} >>> 0`);
  const rawParams = lowered.params.map((p) => `${rawName(p)}: ${p.wasm === 'i64' ? 'bigint' : 'number'}`);
  const pre: string[] = [];
  const args: string[] = [];
  for (const p of lowered.params) {
    const raw = rawName(p);
    if (p.role === 'value') {
      args.push(convert(raw, p.type, ctx));
    } else if (p.role === 'pointer') {
      const r = resolveType(p.type, doc.types);
      const n = `${param(p.name)}_len`;
      if (r.kind === 'string') {
        args.push(`m.readString(${ptr(raw)}, ${len(n)})`);
      } else if (layout.pointerSize === 8) {
        pre.push(`const ${raw}_at = ${ptr(raw)}, ${n}_n = ${len(n)};`, `m.checkArray(${raw}_at, ${n}_n, ${elementLayout(p.type, ctx)});`);
        args.push(`${raw}_at`, `${n}_n`);
      } else {
        pre.push(`m.checkArray(${raw} >>> 0, ${n} >>> 0, ${elementLayout(p.type, ctx)});`);
        args.push(`${raw} >>> 0`, `${n} >>> 0`);
      }
    } else if (p.role === 'out') {
      const sa = layout.sizeAlign(p.type);
      if (layout.pointerSize === 8) pre.push(`const ${raw}_at = ${ptr(raw)};`);
      pre.push(`m.checkAligned(${layout.pointerSize === 8 ? `${raw}_at` : `${raw} >>> 0`}, ${sa.size}, ${sa.align});`);
    }
  }
  const outs = lowered.params.filter((p) => p.role === 'out');
  const call = `h.${f.name}(${args.join(', ')})`;
  const body: string[] = [...pre];
  const errType = lowered.errorType;
  let success = '';
  if (errType) {
    const e = resolveType(errType, doc.types);
    if (e.kind !== 'enum' || e.cases[0]?.name !== 'success') throw new Error(`${f.name}: the error type must be an enum whose first case is success`);
    success = `return 0; // ${errType.kind === 'ref' ? errType.name : 'errno'}.success`;
  }
  if (f.noreturn) {
    body.push(`${call};`, `throw new WasiHostError('${f.name}', new Error('a noreturn handler returned'));`);
  } else if (outs.length === 0) {
    if (lowered.results.length && !errType) body.push(`return ${call};`);
    else body.push(`${call};`, success);
  } else {
    body.push(`const r = ${call};`);
    outs.forEach((o, i) => {
      const value = outs.length === 1 ? 'r' : `r[${i}]`;
      const at = layout.pointerSize === 8 ? `${rawName(o)}_at` : `${rawName(o)} >>> 0`;
      // A 64-bit integer out-pointer is checked 8-aligned above, so it takes the typed-array store.
      const s = scalarAccess(o.type, doc, layout);
      const int64 = s && (s.set === 'setBigUint64' || s.set === 'setBigInt64') && !isWide(o.type, ctx);
      body.push(int64 ? `m.setU64(${at}, ${value});` : writeStmts(o.type, doc, layout, 'm.view', at, value, 0, 'L.'));
    });
    body.push(success);
  }
  const returnType = f.noreturn ? 'void' : lowered.results.length ? (lowered.results[0] === 'i64' ? 'bigint' : 'number') : 'void';
  const catchBody = errType ? `return errnoOf(e, '${f.name}', Errno);` : `throw trapOf(e, '${f.name}');`;
  return `${f.name}(${rawParams.join(', ')}): ${returnType} {
    try {
      ${body.join('\n')}
    } catch (e) {
      ${catchBody}
    }
  }`;
}

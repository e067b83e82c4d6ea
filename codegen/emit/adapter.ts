import { lowerFunc } from '../abi.js';
import type { Document, Func, Type } from '../ir.js';
import { pascal } from '../names.js';
import { resolveType } from '../validate.js';
import type { EmitContext } from './context.js';
import { createFile, finish, type GeneratedFile } from './file.js';
import { handlerParams } from './handlers.js';
import { tsType } from './ts-types.js';

// `adapter.ts` of a version served by preview1's handlers: conversions of every value whose layout or
// numbering differs (enums and flags by member name, records by field name, integer widths), and one
// wrapper per function. A function whose difference is not one of layout or numbering is left to a
// small hand-written file (`HandWritten`), which TypeScript makes complete.

export interface AdapterSpec {
  /** The preview1 document and the name of its function for a (module, func) of this version. */
  readonly preview1: Document;
  readonly preview1Name: (module: string, func: string) => string;
  /** `type.member` of this version -> preview1's member name. */
  readonly renames: Readonly<Record<string, string>>;
  /** `module.func` adapted by hand whatever their signatures say. */
  readonly handWritten: readonly string[];
}

type Dir = 'toP1' | 'fromP1';

class Converter {
  readonly decls = new Map<string, string>();
  constructor(
    private readonly v: Document,
    private readonly p1: Document,
    private readonly renames: Readonly<Record<string, string>>,
  ) {}

  private docs(dir: Dir) {
    return dir === 'toP1' ? { from: this.v, to: this.p1, fromPrefix: 'T.', toPrefix: 'P1.' } : { from: this.p1, to: this.v, fromPrefix: 'P1.', toPrefix: 'T.' };
  }

  /** Member name in the target, given the type (named in this version) and the source member. */
  private member(typeName: string, name: string, dir: Dir): string {
    if (dir === 'toP1') return this.renames[`${typeName}.${name}`] ?? name;
    const back = Object.entries(this.renames).find(([k, to]) => k.startsWith(`${typeName}.`) && to === name);
    return back ? back[0].slice(typeName.length + 1) : name;
  }

  same(a: Type, aDoc: Document, b: Type, bDoc: Document): boolean {
    const x = resolveType(a, aDoc.types);
    const y = resolveType(b, bDoc.types);
    // usize is u32 on wasm32, and char8 is a u8 that holds text: the same bytes either way.
    const num = (t: typeof x) =>
      t.kind !== 'builtin' ? undefined : t.name === 'usize' ? 'u32' : t.name === 'char8' ? 'u8' : t.name;
    if (x.kind === 'builtin' && y.kind === 'builtin') return num(x) === num(y);
    if (x.kind !== y.kind) return false;
    switch (x.kind) {
      case 'enum':
        return y.kind === 'enum' && x.repr === y.repr && x.cases.map((c) => c.name).join() === y.cases.map((c) => c.name).join();
      case 'flags':
        return y.kind === 'flags' && x.repr === y.repr && x.flags.map((c) => c.name).join() === y.flags.map((c) => c.name).join();
      case 'record':
        return (
          y.kind === 'record' &&
          x.fields.length === y.fields.length &&
          x.fields.every((f, i) => f.name === y.fields[i]!.name && this.same(f.type, aDoc, y.fields[i]!.type, bDoc))
        );
      case 'variant':
        return (
          y.kind === 'variant' &&
          x.tagRepr === y.tagRepr &&
          x.cases.length === y.cases.length &&
          x.cases.every((c, i) => {
            const d = y.cases[i]!;
            return c.name === d.name && c.discriminant === d.discriminant && (c.type && d.type ? this.same(c.type, aDoc, d.type, bDoc) : c.type === d.type);
          })
        );
      case 'pointer':
        return y.kind === 'pointer' && this.same(x.to, aDoc, y.to, bDoc);
      case 'list':
        return y.kind === 'list' && this.same(x.element, aDoc, y.element, bDoc);
      case 'tuple':
        return y.kind === 'tuple' && x.elements.length === y.elements.length && x.elements.every((e, i) => this.same(e, aDoc, y.elements[i]!, bDoc));
      default:
        return true; // string, handle
    }
  }

  /** An expression converting `x` from `a` to `b` in direction `dir`, or undefined when not mechanical. */
  expr(x: string, a: Type, b: Type, dir: Dir): string | undefined {
    const { from, to, toPrefix } = this.docs(dir);
    if (this.same(a, from, b, to)) return x;
    const ra = resolveType(a, from.types);
    const rb = resolveType(b, to.types);
    const big = (t: Type, d: Document) => tsType(t, d) === 'bigint';
    if (ra.kind === 'builtin' && rb.kind === 'builtin') {
      const [ab, bb] = [big(ra, from), big(rb, to)];
      if (ab === bb) return x;
      return ab ? `C.narrowU32(${x})` : `BigInt(${x})`;
    }
    const named = a.kind === 'ref' && b.kind === 'ref' ? (dir === 'toP1' ? a.name : b.name) : undefined;
    if (!named) return undefined;
    const fn = `${pascal(named)}${dir === 'toP1' ? 'ToP1' : 'FromP1'}`;
    if (this.decls.has(fn)) return this.decls.get(fn) ? `${fn}(${x})` : undefined;
    this.decls.set(fn, ''); // guards recursion; a failed conversion stays ''
    const ta = `${dir === 'toP1' ? 'T.' : 'P1.'}${pascal(a.kind === 'ref' ? a.name : '')}`;
    const tb = `${toPrefix}${pascal(b.kind === 'ref' ? b.name : '')}`;
    let body: string | undefined;
    if (ra.kind === 'enum' && rb.kind === 'enum') {
      const table = ra.cases.map((c) => rb.cases.findIndex((d) => d.name === this.member(named, c.name, dir)));
      body = `const v = [${table.join(', ')}][x];
        // A value the other version lacks is the guest's to fix.
        if (v === undefined || v < 0) throw new WasiError('inval', \`${named} \${x} has no preview1 equivalent\`);
        return v as ${tb};`;
    } else if (ra.kind === 'flags' && rb.kind === 'flags') {
      const isBig = ra.repr === 'u64';
      const bit = (i: number) => (isBig ? `0x${(1n << BigInt(i)).toString(16)}n` : `0x${(2 ** i).toString(16)}`);
      const zero = isBig ? '0n' : '0';
      // Bits the other version lacks are dropped: flags describe, and a missing one cannot be expressed.
      // Bits at the same position move together under one mask.
      const pairs = ra.flags.map((f, i) => [i, rb.flags.findIndex((g) => g.name === this.member(named, f.name, dir))] as const);
      const kept = pairs.filter(([i, j]) => i === j).reduce((m, [i]) => m | (1n << BigInt(i)), 0n);
      const literal = (n: bigint) => `0x${n.toString(16)}${isBig ? 'n' : ''}`;
      const parts = [
        ...(kept ? [`(x & ${literal(kept)})`] : []),
        ...pairs.filter(([i, j]) => j >= 0 && i !== j).map(([i, j]) => `(x & ${bit(i)} ? ${bit(j)} : ${zero})`),
      ];
      body = `return ${parts.join(' | ') || zero};`;
      if (ra.repr !== rb.repr && (ra.repr === 'u64') !== (rb.repr === 'u64')) body = undefined;
    } else if (ra.kind === 'record' && rb.kind === 'record') {
      const fields = rb.fields.map((g) => {
        const f = ra.fields.find((h) => h.name === this.member(named, g.name, dir === 'toP1' ? 'fromP1' : 'toP1'));
        const e = f && this.expr(`x.${f.name}`, f.type, g.type, dir);
        return e === undefined ? undefined : `${g.name}: ${e}`;
      });
      if (fields.every((f) => f !== undefined)) body = `return { ${fields.join(', ')} };`;
    } else if (ra.kind === 'variant' && rb.kind === 'variant') {
      const cases = ra.cases.map((c) => {
        const d = rb.cases.find((e) => e.name === this.member(named, c.name, dir));
        if (!d || !c.type !== !d.type) return undefined;
        const value = c.type && d.type ? this.expr('x.value', c.type, d.type, dir) : '';
        if (value === undefined) return undefined;
        return `case '${c.name}': return { tag: '${d.name}'${c.type ? `, value: ${value}` : ''} };`;
      });
      if (cases.every((c) => c !== undefined)) body = `switch (x.tag) { ${cases.join('\n')} }`;
    }
    if (!body) return undefined;
    this.decls.set(fn, `function ${fn}(x: ${ta}): ${tb} {\n${body}\n}`);
    return `${fn}(${x})`;
  }
}

export async function emitAdapter(ctx: EmitContext, spec: AdapterSpec): Promise<{ file: GeneratedFile; handWritten: string[] }> {
  const { doc } = ctx;
  const p1Funcs = new Map(spec.preview1.modules.flatMap((m) => m.funcs.map((f) => [f.name, f] as const)));
  const conv = new Converter(doc, spec.preview1, spec.renames);
  const sf = createFile(`${ctx.version}/adapter.ts`, ctx.files.join(', '));
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../preview1/types.js', namespaceImport: 'P1' });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../preview1/handlers.js', namedImports: ['WasiSnapshotPreview1'] });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './types.js', namespaceImport: 'T' });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './handlers.js', namespaceImport: 'H' });
  sf.addImportDeclaration({ moduleSpecifier: '../../src/abi/errno-of.js', namedImports: ['WasiError'] });
  sf.addImportDeclaration({ moduleSpecifier: '../../src/abi/convert.js', namespaceImport: 'C' });
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../../src/abi/memory.js', namedImports: ['GuestMemory'] });
  sf.addImportDeclaration({ moduleSpecifier: './imports.js', namespaceImport: 'I' });
  const allHand: string[] = [];
  const handFields: string[] = [];
  const wiring: string[] = [];
  const wrappers: string[] = [];
  for (const mod of doc.modules) {
    const importName = ctx.modules[mod.name]!;
    const iface = pascal(importName);
    const hand: string[] = [];
    const entries: string[] = [];
    for (const f of mod.funcs) {
      const g = p1Funcs.get(spec.preview1Name(importName, f.name));
      const w = spec.handWritten.includes(`${importName}.${f.name}`) || !g ? undefined : wrapper(f, g, ctx, spec.preview1, conv);
      if (w === undefined) hand.push(f.name);
      else entries.push(`${f.name}: ${w}`);
    }
    allHand.push(...hand.map((h) => `${importName}.${h}`));
    if (hand.length) handFields.push(`${importName}: ${iface}HandWritten;`);
    wiring.push(`${importName}: I.create${iface}Imports(adapt${iface}(p1, ${hand.length ? `hand.${importName}` : '{}'}), m)`);
    const handType = hand.length ? `Pick<H.${iface}, ${hand.map((h) => `'${h}'`).join(' | ')}>` : 'Record<string, never>';
    wrappers.push(`/** What \`${importName}\` needs by hand: functions whose difference from preview1 is one of meaning. */
      export type ${iface}HandWritten = ${handType};
      /** \`${importName}\` served by preview1's handlers. */
      export function adapt${iface}(p1: WasiSnapshotPreview1, hand: ${iface}HandWritten): H.${iface} {
        return { ${[...(hand.length ? ['...hand'] : []), ...entries].join(',\n')} };
      }`);
  }
  // Every shared type gets its conversions too, for the hand-written files to use.
  for (const name of doc.types.keys()) {
    if (!spec.preview1.types.has(name)) continue;
    const ref = { kind: 'ref', name } as const;
    conv.expr('x', ref, ref, 'toP1');
    conv.expr('x', ref, ref, 'fromP1');
  }
  for (const d of [...conv.decls.keys()].sort()) if (conv.decls.get(d)) sf.addStatements(`export ${conv.decls.get(d)}`);
  for (const w of wrappers) sf.addStatements(w);
  // The per-version import wiring: every module of the version adapted and shimmed, so src/ lists none.
  sf.addStatements(`/** The hand-written functions of this version, by import module (modules that need none are absent). */
    export interface HandWritten { ${handFields.join('\n')} }
    /** The names of this version's import modules, known without building them. */
    export const IMPORT_MODULE_NAMES: readonly string[] = [${doc.modules.map((mod) => `'${ctx.modules[mod.name]!}'`).join(', ')}];
    /** Every import module of this version (${doc.modules.length}), served by preview1's handlers and \`hand\`. */
    export function createImportModules(p1: WasiSnapshotPreview1, hand: HandWritten, m: GuestMemory) {
      return { ${wiring.join(',\n')} };
    }`);
  return { file: await finish(`${ctx.version}/adapter.ts`, sf), handWritten: allHand };
}

/** `p1.g` itself, an arrow converting arguments and results, or undefined when not mechanical. */
function wrapper(f: Func, g: Func, ctx: EmitContext, p1Doc: Document, conv: Converter): string | undefined {
  if (f.params.length !== g.params.length || f.noreturn !== g.noreturn) return undefined;
  const args: string[] = [];
  const names = handlerParams(f, ctx).map((p) => p.name);
  let n = 0;
  let identity = true;
  for (let i = 0; i < f.params.length; i++) {
    const a = f.params[i]!.type;
    const b = g.params[i]!.type;
    const isList = resolveType(a, ctx.doc.types).kind === 'list';
    if (isList !== (resolveType(b, p1Doc.types).kind === 'list')) return undefined;
    const x = names[n++]!;
    const e = conv.expr(x, a, b, 'toP1');
    if (e === undefined) return undefined;
    if (isList) {
      if (e !== x) return undefined; // a list of differently laid out elements is read by the handler itself
      args.push(x, names[n++]!);
    } else {
      args.push(e);
      identity &&= e === x;
    }
  }
  const fo = lowerFunc(f, ctx.doc, ctx.layout.pointerSize).outputs;
  const go = lowerFunc(g, p1Doc, ctx.layout.pointerSize).outputs;
  if (fo.length !== go.length) return undefined;
  const outs = fo.map((t, i) => conv.expr(fo.length === 1 ? 'r' : `r[${i}]`, go[i]!, t, 'fromP1'));
  if (outs.some((o) => o === undefined)) return undefined;
  const outIdentity = outs.every((o, i) => o === (fo.length === 1 ? 'r' : `r[${i}]`));
  const call = `p1.${g.name}(${args.join(', ')})`;
  if (identity && outIdentity) return `p1.${g.name}`;
  const params = names.join(', ');
  if (outIdentity) return `(${params}) => ${call}`;
  const result = fo.length === 1 ? outs[0]! : `[${outs.join(', ')}]`;
  return `(${params}) => { const r = ${call}; return ${result}; }`;
}

import { lowerFunc } from '../abi.js';
import type { Func } from '../ir.js';
import { param, pascal } from '../names.js';
import { resolveType } from '../validate.js';
import type { EmitContext } from './context.js';
import { createFile, finish, type GeneratedFile } from './file.js';
import { tsType } from './ts-types.js';

/** The handler-side parameters of a function: strings decoded, lists as (pointer, length). */
export function handlerParams(f: Func, ctx: EmitContext): { name: string; type: string }[] {
  const out: { name: string; type: string }[] = [];
  for (const p of f.params) {
    const r = resolveType(p.type, ctx.doc.types);
    if (r.kind === 'list') {
      out.push({ name: param(p.name), type: 'T.Ptr' }, { name: `${p.name}_len`, type: 'number' });
    } else {
      out.push({ name: param(p.name), type: tsType(p.type, ctx.doc, 'T.') });
    }
  }
  return out;
}

/** The handler's return type: the ok value(s) of the result, `void` for none, `never` for noreturn. */
export function handlerReturn(f: Func, ctx: EmitContext): string {
  if (f.noreturn) return 'never';
  const lowered = lowerFunc(f, ctx.doc, ctx.layout.pointerSize);
  if (lowered.outputs.length === 0) {
    if (lowered.results.length && !lowered.errorType) return tsType(f.results[0]!.type, ctx.doc, 'T.');
    return 'void';
  }
  if (lowered.outputs.length === 1) return tsType(lowered.outputs[0]!, ctx.doc, 'T.');
  return `[${lowered.outputs.map((o) => tsType(o, ctx.doc, 'T.')).join(', ')}]`;
}

/** `handlers.ts`: one interface per WITX module, one method per function, typed from the IR. */
export async function emitHandlers(ctx: EmitContext): Promise<GeneratedFile> {
  const sf = createFile(`${ctx.version}/handlers.ts`, ctx.files.join(', '));
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './types.js', namespaceImport: 'T' });
  for (const mod of ctx.doc.modules) {
    const importName = ctx.modules[mod.name]!;
    sf.addInterface({
      isExported: true,
      name: pascal(importName),
      docs: [
        `The functions of import module \`${importName}\` (WITX module \`$${mod.name}\`, ${ctx.rel(mod.loc.file)}:${mod.loc.line}).\n` +
          'A method returns the ok value of its result; it throws `WasiError` for an errno.',
      ],
      methods: mod.funcs.map((f) => ({
        name: f.name,
        parameters: handlerParams(f, ctx),
        returnType: handlerReturn(f, ctx),
        docs: [`WITX \`${importName}.${f.name}\` (${ctx.rel(f.loc.file)}:${f.loc.line}).`],
      })),
    });
  }
  return finish(`${ctx.version}/handlers.ts`, sf);
}

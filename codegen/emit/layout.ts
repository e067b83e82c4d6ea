import { pascal, upper } from '../names.js';
import { resolveType } from '../validate.js';
import type { EmitContext } from './context.js';
import { createFile, finish, type GeneratedFile } from './file.js';
import { readExpr, writeStmts } from './memory-access.js';

/**
 * `layout.ts`: size, alignment and field offsets of every type (`FILESTAT.SIZE`, `FILESTAT.ino`), and a
 * reader and writer per record and variant, all computed from the IR.
 */
export async function emitLayout(ctx: EmitContext): Promise<GeneratedFile> {
  const { doc, layout } = ctx;
  const sf = createFile(`${ctx.version}/layout.ts`, ctx.files.join(', '));
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './types.js', namespaceImport: 'T' });
  sf.addImportDeclaration({ moduleSpecifier: '../../src/abi/guest-error.js', namedImports: ['GuestError'] });
  sf.addImportDeclaration({ moduleSpecifier: '../../src/abi/convert.js', namespaceImport: 'C' });

  const ps = layout.pointerSize;
  sf.addStatements(`/** A guest pointer (and \`usize\`) on this version's target: its size and alignment. */\nexport const GUEST_POINTER = { SIZE: ${ps}, ALIGN: ${ps} } as const;`);
  for (const def of doc.types.values()) {
    const t = resolveType(def.type, doc.types);
    const ref = { kind: 'ref', name: def.name } as const;
    const sa = layout.sizeAlign(ref);
    const entries = [`SIZE: ${sa.size}`, `ALIGN: ${sa.align}`];
    if (t.kind === 'record') for (const f of layout.fields(ref)) entries.push(`${f.name}: ${f.offset}`);
    if (t.kind === 'variant') {
      const vl = layout.variant(ref);
      entries.push(`TAG_SIZE: ${vl.tagSize}`, `PAYLOAD: ${vl.payloadOffset}`);
    }
    sf.addStatements(`/** Layout of \`$${def.name}\`. */\nexport const ${upper(def.name)} = { ${entries.join(', ')} } as const;`);

    const name = pascal(def.name);
    if (t.kind === 'record') {
      const fields = layout.fields(ref);
      sf.addStatements(`export function read${name}(v: DataView, p: number): T.${name} {
        return { ${t.fields.map((f, i) => `${f.name}: ${readExpr(f.type, doc, layout, 'v', 'p', fields[i]!.offset)}`).join(', ')} };
      }`);
      sf.addStatements(`export function write${name}(v: DataView, p: number, x: T.${name}): void {
        ${t.fields.map((f, i) => writeStmts(f.type, doc, layout, 'v', 'p', `x.${f.name}`, fields[i]!.offset)).join('\n')}
      }`);
    } else if (t.kind === 'variant') {
      const vl = layout.variant(ref);
      const tagRead = readExpr({ kind: 'builtin', name: t.tagRepr }, doc, layout, 'v', 'p');
      const tagSet = { u8: 'setUint8', u16: 'setUint16', u32: 'setUint32', u64: 'setBigUint64' }[t.tagRepr];
      const le = t.tagRepr === 'u8' ? '' : ', true';
      const lit = (n: number) => (t.tagRepr === 'u64' ? `${n}n` : `${n}`);
      sf.addStatements(`export function read${name}(v: DataView, p: number): T.${name} {
        switch (${tagRead}) {
          ${t.cases
            .map(
              (c) =>
                `case ${lit(c.discriminant)}: return { tag: '${c.name}'${c.type ? `, value: ${readExpr(c.type, doc, layout, 'v', 'p', vl.payloadOffset)}` : ''} };`,
            )
            .join('\n')}
          default: throw new GuestError('inval', \`invalid ${def.name} tag \${${tagRead}}\`);
        }
      }`);
      sf.addStatements(`export function write${name}(v: DataView, p: number, x: T.${name}): void {
        switch (x.tag) {
          ${t.cases
            .map(
              (c) =>
                `case '${c.name}': v.${tagSet}(p, ${lit(c.discriminant)}${le}); ${c.type ? writeStmts(c.type, doc, layout, 'v', 'p', 'x.value', vl.payloadOffset) : ''} return;`,
            )
            .join('\n')}
        }
      }`);
    }
  }
  return finish(`${ctx.version}/layout.ts`, sf);
}

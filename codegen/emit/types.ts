import { key, pascal } from '../names.js';
import { resolveType } from '../validate.js';
import type { EmitContext } from './context.js';
import { createFile, finish, type GeneratedFile } from './file.js';
import { tsType } from './ts-types.js';

/** `types.ts`: enum and flags values, constants, and the TS type of every WITX typename. */
export async function emitTypes(ctx: EmitContext): Promise<GeneratedFile> {
  const { doc } = ctx;
  const sf = createFile(`${ctx.version}/types.ts`, ctx.files.join(', '));
  sf.addTypeAlias({ isExported: true, name: 'Ptr', type: 'number', docs: ['A guest memory address.'] });
  sf.addInterface({
    isExported: true,
    name: 'GuestSlice',
    docs: ['A guest array or string stored in memory: its address and element count.'],
    properties: [
      { name: 'ptr', type: 'Ptr' },
      { name: 'len', type: 'number' },
    ],
  });
  const constsByType = new Map<string, typeof doc.constants>();
  for (const c of doc.constants) constsByType.set(c.type, [...(constsByType.get(c.type) ?? []), c]);

  for (const def of doc.types.values()) {
    const name = pascal(def.name);
    const where = `WITX \`$${def.name}\` (${ctx.rel(def.loc.file)}:${def.loc.line})`;
    const t = def.type;
    if (t.kind === 'enum') {
      const big = t.repr === 'u64';
      sf.addStatements(
        `/** ${where}: case values. */\nexport const ${name} = { ${t.cases.map((c, i) => `${key(c.name)}: ${i}${big ? 'n' : ''}`).join(', ')} } as const;`,
      );
      sf.addStatements(`/** ${where}. */\nexport type ${name} = (typeof ${name})[keyof typeof ${name}];`);
      sf.addStatements(`/** Case names of \`$${def.name}\`, indexed by value. */\nexport const ${name}Names = [${t.cases.map((c) => `'${c.name}'`).join(', ')}] as const;`);
    } else if (t.kind === 'flags') {
      const big = t.repr === 'u64';
      const bit = (i: number) => (big ? `0x${(1n << BigInt(i)).toString(16)}n` : `0x${(2 ** i).toString(16)}`);
      sf.addStatements(
        `/** ${where}: flag bits. */\nexport const ${name} = { ${t.flags.map((f, i) => `${key(f.name)}: ${bit(i)}`).join(', ')} } as const;`,
      );
      sf.addStatements(`/** ${where}: a set of \`${name}\` bits. */\nexport type ${name} = ${big ? 'bigint' : 'number'};`);
      const all = big ? `0x${((1n << BigInt(t.flags.length)) - 1n).toString(16)}n` : `0x${(2 ** t.flags.length - 1).toString(16)}`;
      sf.addStatements(`/** Every defined bit of \`$${def.name}\`. */\nexport const ${name}All = ${all};`);
    } else if (t.kind === 'record') {
      sf.addInterface({
        isExported: true,
        name,
        docs: [`${where}.`],
        properties: t.fields.map((f) => ({ name: f.name, type: tsType(f.type, doc) })),
      });
    } else {
      sf.addTypeAlias({ isExported: true, name, type: tsType(t, doc), docs: [`${where}.`] });
    }
    const consts = constsByType.get(def.name);
    if (consts) {
      if (t.kind === 'enum' || t.kind === 'flags') throw new Error(`constants on ${t.kind} $${def.name} would clash with its values`);
      const big = resolveType(t, doc.types).kind === 'builtin' && tsType(t, doc) === 'bigint';
      sf.addStatements(
        `/** Constants of \`$${def.name}\`. */\nexport const ${name} = { ${consts.map((c) => `${key(c.name)}: ${c.value}${big ? 'n' : ''}`).join(', ')} } as const;`,
      );
    }
  }
  return finish(`${ctx.version}/types.ts`, sf);
}

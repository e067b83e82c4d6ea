import type { Document, Type } from '../ir.js';
import { pascal } from '../names.js';

/**
 * The TypeScript type of a WITX value as handlers see it. 64-bit integers are bigint; pointers are
 * guest addresses (`Ptr`); named types are referred to by name, with `prefix` (e.g. `T.`) outside types.ts.
 */
export function tsType(t: Type, doc: Document, prefix = ''): string {
  switch (t.kind) {
    case 'ref':
      return prefix + pascal(t.name);
    case 'builtin':
      return t.name === 'u64' || t.name === 's64' ? 'bigint' : 'number';
    case 'string':
      return 'string';
    case 'pointer':
      return `${prefix}Ptr`;
    case 'list':
      return `${prefix}GuestSlice`;
    case 'tuple':
      return `[${t.elements.map((e) => tsType(e, doc, prefix)).join(', ')}]`;
    case 'handle':
      return 'number';
    case 'enum':
      return 'number';
    case 'flags':
      return t.repr === 'u64' ? 'bigint' : 'number';
    case 'record':
      return `{ ${t.fields.map((f) => `${f.name}: ${tsType(f.type, doc, prefix)}`).join('; ')} }`;
    case 'variant':
      return t.cases
        .map((c) => `{ tag: '${c.name}'${c.type ? `; value: ${tsType(c.type, doc, prefix)}` : ''} }`)
        .join(' | ');
    case 'expected':
      throw new Error('(expected) has no TypeScript value type');
  }
}

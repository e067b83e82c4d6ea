import type { Builtin, Constant, Document, Field, Func, IntRepr, Module, Named, Param, Type, TypeDef } from './ir.js';
import type { LoadedForm } from './load.js';
import { describe, type SExpr, type SList } from './sexpr.js';
import { WitxError, type Location } from './source.js';

const INT_REPRS: readonly string[] = ['u8', 'u16', 'u32', 'u64'];
const BUILTINS: readonly string[] = [...INT_REPRS, 's8', 's16', 's32', 's64', 'f32', 'f64', 'char8', 'usize'];
const REPR_BITS: Record<IntRepr, number> = { u8: 8, u16: 16, u32: 32, u64: 64 };

const fail = (at: { loc: Location }, reason: string): never => {
  throw new WitxError(at.loc, reason);
};

const head = (e: SExpr): string | undefined =>
  e.kind === 'list' && e.items[0]?.kind === 'atom' ? e.items[0].value : undefined;

/** `(@witx word ...)` → `word`. */
const witxAnnotation = (e: SExpr): string | undefined =>
  head(e) === '@witx' && e.kind === 'list' && e.items[1]?.kind === 'atom' ? e.items[1].value : undefined;

function expectId(e: SExpr | undefined, parent: { loc: Location }, what: string): { name: string; docs: string; loc: Location } {
  if (e?.kind !== 'id') return fail(e ?? parent, `expected ${what} ($name)${e ? `, found ${describe(e)}` : ''}`);
  return e;
}

function expectList(e: SExpr | undefined, parent: { loc: Location }, what: string): SList {
  if (e?.kind !== 'list') return fail(e ?? parent, `expected ${what}${e ? `, found ${describe(e)}` : ''}`);
  return e;
}

function noMore(items: readonly SExpr[], from: number, where: string) {
  const extra = items[from];
  if (extra) fail(extra, `unexpected ${describe(extra)} in ${where}`);
}

function smallestRepr(count: number): IntRepr {
  return count <= 0xff ? 'u8' : count <= 0xffff ? 'u16' : 'u32';
}

export interface ValidateOptions {
  /**
   * Types whose enum cases and flags fill the placeholders of `(typename hidden ...)` enums and flags
   * (WASIX restates preview1's with one `$hidden` member): same name, same kind, same repr.
   */
  readonly hiddenFrom?: ReadonlyMap<string, TypeDef>;
}

/** Turns loaded forms into a validated Document: every name defined once and every reference known. */
export function validate(forms: readonly LoadedForm[], options: ValidateOptions = {}): Document {
  const types = new Map<string, TypeDef>();
  const constantForms: SList[] = [];
  const moduleForms: SList[] = [];

  for (const { form } of forms) {
    const h = head(form);
    if (form.kind !== 'list') fail(form, `expected a top-level form, found ${describe(form)}`);
    const list = form as SList;
    if (h === 'typename') {
      let i = 1;
      const hidden = list.items[1]?.kind === 'atom' && list.items[1].value === 'hidden'; // WASIX marks some as hidden
      if (hidden) i++;
      const id = expectId(list.items[i], list, 'a type name');
      const prev = types.get(id.name);
      if (prev) fail(id, `duplicate type name $${id.name} (first defined at ${prev.loc.file}:${prev.loc.line}:${prev.loc.column})`);
      const body = list.items[i + 1];
      if (!body) fail(list, `typename $${id.name} has no type`);
      noMore(list.items, i + 2, `typename $${id.name}`);
      let type = parseType(body!);
      if (hidden && options.hiddenFrom && (type.kind === 'enum' || type.kind === 'flags')) type = hiddenMembers(type, id, options.hiddenFrom);
      types.set(id.name, { name: id.name, type, docs: list.docs, loc: id.loc });
    } else if (witxAnnotation(form) === 'const') {
      constantForms.push(list);
    } else if (h === 'module') {
      moduleForms.push(list);
    } else {
      fail(form, `unknown top-level form ${describe(form)}`);
    }
  }

  const doc = { types, constants: [] as Constant[], modules: [] as Module[] };
  for (const def of types.values()) checkType(def.type, types, def.loc);
  checkRecursion(types);
  for (const c of constantForms) doc.constants.push(parseConstant(c, types));
  const moduleNames = new Map<string, Location>();
  for (const m of moduleForms) {
    const mod = parseModule(m);
    const prev = moduleNames.get(mod.name);
    if (prev) fail(m, `duplicate module $${mod.name}`);
    moduleNames.set(mod.name, mod.loc);
    for (const f of mod.funcs) for (const p of [...f.params, ...f.results]) checkType(p.type, types, f.loc);
    doc.modules.push(mod);
  }
  return doc;
}

/** A hidden enum or flags with the members of the same-named type it stands for; its own repr is kept. */
function hiddenMembers(
  t: Extract<Type, { kind: 'enum' | 'flags' }>,
  id: { name: string; loc: Location },
  from: ReadonlyMap<string, TypeDef>,
): Type {
  const ref = from.get(id.name);
  const r = ref && resolveType(ref.type, from);
  if (!r || r.kind !== t.kind || r.repr !== t.repr) {
    return fail(id, `hidden ${t.kind} $${id.name} has no ${t.repr} ${t.kind} of that name to take its members from`);
  }
  return r.kind === 'enum' ? { kind: 'enum', repr: t.repr, cases: r.cases } : { kind: 'flags', repr: t.repr, flags: (r as typeof t & { kind: 'flags' }).flags };
}

function parseType(e: SExpr): Type {
  if (e.kind === 'id') return { kind: 'ref', name: e.name, loc: e.loc };
  if (e.kind === 'atom') {
    if (e.value === 'string') return { kind: 'string' };
    if (BUILTINS.includes(e.value)) return { kind: 'builtin', name: e.value as Builtin };
    return fail(e, `unknown type ${describe(e)}`);
  }
  if (e.kind !== 'list') return fail(e, `expected a type, found ${describe(e)}`);
  const items = e.items;
  const annotation = witxAnnotation(e);
  if (annotation !== undefined) {
    switch (annotation) {
      case 'pointer':
      case 'const_pointer': {
        const to = items[2];
        if (!to) fail(e, `(@witx ${annotation}) needs a pointee type`);
        noMore(items, 3, `(@witx ${annotation})`);
        return { kind: 'pointer', const: annotation === 'const_pointer', to: parseType(to!) };
      }
      case 'char8':
      case 'usize':
        noMore(items, 2, `(@witx ${annotation})`);
        return { kind: 'builtin', name: annotation };
      default:
        return fail(e, `unknown type annotation (@witx ${annotation})`);
    }
  }
  const h = head(e);
  switch (h) {
    case 'string':
      noMore(items, 1, '(string)');
      return { kind: 'string' };
    case 'handle':
      noMore(items, 1, '(handle)');
      return { kind: 'handle' };
    case 'list': {
      const el = items[1];
      if (!el) fail(e, '(list) needs an element type');
      noMore(items, 2, '(list)');
      return { kind: 'list', element: parseType(el!) };
    }
    case 'tuple':
      return { kind: 'tuple', elements: items.slice(1).map(parseType) };
    case 'enum':
    case 'flags': {
      let i = 1;
      let repr: IntRepr | undefined;
      const ann = items[1] && witxAnnotation(items[1]);
      if (ann === (h === 'enum' ? 'tag' : 'repr')) {
        const r = (items[1] as SList).items[2];
        if (r?.kind !== 'atom' || !INT_REPRS.includes(r.value)) fail(r ?? items[1]!, `(@witx ${ann}) needs one of ${INT_REPRS.join(', ')}`);
        repr = (r as { value: IntRepr }).value;
        noMore((items[1] as SList).items, 3, `(@witx ${ann})`);
        i = 2;
      } else if (ann !== undefined) {
        fail(items[1]!, `unexpected (@witx ${ann}) in ${h}`);
      }
      const members = uniqueNames(items.slice(i).map((m) => expectId(m, e, `a ${h} member`)), h);
      if (members.length === 0) fail(e, `${h} has no members`);
      if (h === 'enum') {
        const r = repr ?? smallestRepr(members.length);
        if (members.length > 2 ** REPR_BITS[r]) fail(e, `enum has ${members.length} cases, more than ${r} can number`);
        return { kind: 'enum', repr: r, cases: members };
      }
      const r = repr ?? (members.length <= 8 ? 'u8' : members.length <= 16 ? 'u16' : members.length <= 32 ? 'u32' : 'u64');
      if (members.length > REPR_BITS[r]) fail(e, `flags has ${members.length} members, more than the ${REPR_BITS[r]} bits of ${r}`);
      return { kind: 'flags', repr: r, flags: members };
    }
    case 'record': {
      const fields: Field[] = items.slice(1).map((f) => {
        const l = expectList(f, e, '(field $name type)');
        if (head(l) !== 'field') fail(l, `expected (field $name type), found ${describe(l)}`);
        const id = expectId(l.items[1], l, 'a field name');
        if (!l.items[2]) fail(l, `field $${id.name} has no type`);
        noMore(l.items, 3, `field $${id.name}`);
        return { name: id.name, docs: l.docs, type: parseType(l.items[2]!) };
      });
      uniqueNames(fields.map((f, i) => ({ ...f, loc: (items[i + 1] as SList).loc })), 'record');
      return { kind: 'record', fields };
    }
    case 'union':
    case 'variant': {
      let i = 1;
      let tag: string | undefined;
      let tagRepr: IntRepr | undefined;
      const ann = items[1] && witxAnnotation(items[1]);
      if (ann === 'tag') {
        const t = (items[1] as SList).items[2];
        if (t?.kind === 'id') tag = t.name;
        else if (t?.kind === 'atom' && INT_REPRS.includes(t.value)) tagRepr = t.value as IntRepr;
        else fail(t ?? items[1]!, '(@witx tag) needs an enum type name or an integer type');
        i = 2;
      } else if (ann !== undefined) {
        fail(items[1]!, `unexpected (@witx ${ann}) in ${h}`);
      }
      const cases =
        h === 'union'
          ? items.slice(i).map((t, n) => ({ name: String(n), discriminant: n, type: parseType(t) as Type | undefined, docs: '', loc: t.loc }))
          : items.slice(i).map((c) => {
              const l = expectList(c, e, '(case $name type?)');
              if (head(l) !== 'case') fail(l, `expected (case $name type?), found ${describe(l)}`);
              const id = expectId(l.items[1], l, 'a case name');
              noMore(l.items, 3, `case $${id.name}`);
              return { name: id.name, discriminant: -1, type: l.items[2] ? parseType(l.items[2]) : undefined, docs: l.docs, loc: l.loc };
            });
      if (tag === undefined) cases.forEach((c, n) => (c.discriminant = n));
      if (cases.length === 0) fail(e, `${h} has no cases`);
      if (h === 'variant') uniqueNames(cases, 'variant');
      // Tag names are filled in by checkType, once the tag enum is known.
      return { kind: 'variant', tag, tagRepr: tagRepr ?? smallestRepr(cases.length), cases: cases.map(({ loc: _, ...c }) => c) };
    }
    case 'expected': {
      let ok: Type | undefined;
      let err: Type | undefined;
      for (const part of items.slice(1)) {
        if (head(part) === 'error') {
          const l = part as SList;
          if (!l.items[1]) fail(l, '(error) needs a type');
          noMore(l.items, 2, '(error)');
          err = parseType(l.items[1]!);
        } else if (ok === undefined && err === undefined) {
          ok = parseType(part);
        } else {
          fail(part, `unexpected ${describe(part)} in (expected)`);
        }
      }
      return { kind: 'expected', ok, err };
    }
    default:
      return fail(e, `unknown type ${describe(e)}`);
  }
}

function uniqueNames<T extends { name: string; loc: Location }>(items: T[], where: string): T[] {
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.name)) fail(it, `duplicate name $${it.name} in ${where}`);
    seen.add(it.name);
  }
  return items;
}

/** Checks references and, for tagged variants, that the tag enum's cases match; fills in case names. */
function checkType(t: Type, types: ReadonlyMap<string, TypeDef>, at: Location): void {
  const where = { loc: at };
  switch (t.kind) {
    case 'ref':
      if (!types.has(t.name)) fail(t.loc ? { loc: t.loc } : where, `unknown type $${t.name}`);
      return;
    case 'pointer':
      return checkType(t.to, types, at);
    case 'list':
      return checkType(t.element, types, at);
    case 'tuple':
      return t.elements.forEach((x) => checkType(x, types, at));
    case 'record':
      return t.fields.forEach((f) => checkType(f.type, types, at));
    case 'expected':
      if (t.ok) checkType(t.ok, types, at);
      if (t.err) checkType(t.err, types, at);
      return;
    case 'variant': {
      for (const c of t.cases) if (c.type) checkType(c.type, types, at);
      if (t.tag === undefined) return;
      const tagDef = types.get(t.tag);
      if (!tagDef) return fail(where, `unknown tag type $${t.tag}`);
      const tagType = resolveType(tagDef.type, types);
      if (tagType.kind !== 'enum') return fail(where, `tag type $${t.tag} is not an enum`);
      const mutable = t as unknown as { tagRepr: IntRepr; cases: { name: string; discriminant: number }[] };
      mutable.tagRepr = tagType.repr;
      const numbered = t.cases.every((c, i) => c.name === String(i));
      if (numbered) {
        // A union names its cases after the tag enum, in order.
        if (t.cases.length !== tagType.cases.length) {
          fail(where, `union has ${t.cases.length} types but tag $${t.tag} has ${tagType.cases.length} cases`);
        }
        t.cases.forEach((c, i) => (mutable.cases[i]!.name = tagType.cases[i]!.name));
      } else {
        // A variant names each case after a tag enum case, in any order; every tag case is covered once.
        const names = tagType.cases.map((c) => c.name);
        const got = t.cases.map((c) => c.name);
        if ([...names].sort().join() !== [...got].sort().join()) {
          fail(where, `variant cases (${got.join(', ')}) do not match the cases of tag $${t.tag} (${names.join(', ')})`);
        }
        t.cases.forEach((c, i) => (mutable.cases[i]!.discriminant = names.indexOf(c.name)));
      }
      return;
    }
    default:
      return;
  }
}

/** Follows `ref`s to the type they name. */
export function resolveType(t: Type, types: ReadonlyMap<string, TypeDef>): Exclude<Type, { kind: 'ref' }> {
  let cur = t;
  for (let hops = 0; cur.kind === 'ref'; hops++) {
    const def = types.get(cur.name);
    if (!def || hops > types.size) throw new Error(`unresolvable type $${cur.name}`);
    cur = def.type;
  }
  return cur;
}

/** A type may not contain itself by value (pointers and lists may). */
function checkRecursion(types: ReadonlyMap<string, TypeDef>) {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: Type, def: TypeDef): void => {
    switch (t.kind) {
      case 'ref': {
        const s = state.get(t.name);
        if (s === 'visiting') fail(def, `type $${t.name} contains itself`);
        if (s === 'done') return;
        state.set(t.name, 'visiting');
        const target = types.get(t.name)!;
        visit(target.type, target);
        state.set(t.name, 'done');
        return;
      }
      case 'record':
        return t.fields.forEach((f) => visit(f.type, def));
      case 'tuple':
        return t.elements.forEach((x) => visit(x, def));
      case 'variant':
        return t.cases.forEach((c) => c.type && visit(c.type, def));
      default:
        return;
    }
  };
  for (const def of types.values()) visit({ kind: 'ref', name: def.name }, def);
}

function parseConstant(form: SList, types: ReadonlyMap<string, TypeDef>): Constant {
  const typeId = expectId(form.items[2], form, 'the type of the constant');
  const nameId = expectId(form.items[3], form, 'the name of the constant');
  const v = form.items[4];
  if (v?.kind !== 'atom' || !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v.value)) fail(v ?? form, 'expected an unsigned integer value');
  noMore(form.items, 5, '(@witx const)');
  const def = types.get(typeId.name);
  if (!def) fail(typeId, `unknown type $${typeId.name}`);
  const t = resolveType(def!.type, types);
  const repr = t.kind === 'builtin' && INT_REPRS.includes(t.name) ? (t.name as IntRepr) : t.kind === 'flags' ? t.repr : undefined;
  if (!repr) fail(typeId, `constant of $${typeId.name}: only unsigned integer and flags types have constants`);
  const value = BigInt((v as { value: string }).value);
  if (value >= 1n << BigInt(REPR_BITS[repr!])) fail(v!, `${value} does not fit in ${repr}`);
  return { type: typeId.name, name: nameId.name, value, docs: form.docs, loc: nameId.loc };
}

function parseModule(form: SList): Module {
  const id = expectId(form.items[1], form, 'a module name');
  const funcs: Func[] = [];
  const names = new Set<string>();
  for (const item of form.items.slice(2)) {
    const h = head(item);
    if (h === 'import') continue; // `(import "memory" (memory))`: the guest's memory, given by the host
    if (h !== '@interface') fail(item, `unexpected ${describe(item)} in module $${id.name}`);
    const f = parseFunc(item as SList);
    if (names.has(f.name)) fail(item, `duplicate function "${f.name}" in module $${id.name}`);
    names.add(f.name);
    funcs.push(f);
  }
  return { name: id.name, funcs, docs: form.docs, loc: id.loc };
}

function parseFunc(form: SList): Func {
  const kind = form.items[1];
  if (kind?.kind !== 'atom' || kind.value !== 'func') fail(kind ?? form, 'expected (@interface func ...)');
  const exp = expectList(form.items[2], form, '(export "name")');
  const name = exp.items[1];
  if (head(exp) !== 'export' || name?.kind !== 'string') fail(exp, 'expected (export "name")');
  const params: Param[] = [];
  const results: Param[] = [];
  let noreturn = false;
  for (const item of form.items.slice(3)) {
    const h = head(item);
    if (h === 'param' || h === 'result') {
      const l = item as SList;
      const pid = expectId(l.items[1], l, `a ${h} name`);
      if (!l.items[2]) fail(l, `${h} $${pid.name} has no type`);
      noMore(l.items, 3, `${h} $${pid.name}`);
      (h === 'param' ? params : results).push({ name: pid.name, type: parseType(l.items[2]!), docs: l.docs });
    } else if (witxAnnotation(item) === 'noreturn') {
      noreturn = true;
    } else {
      fail(item, `unexpected ${describe(item)} in function "${(name as { value: string }).value}"`);
    }
  }
  uniqueNames([...params, ...results].map((p) => ({ ...p, loc: form.loc })), `function "${(name as { value: string }).value}"`);
  if (noreturn && results.length) fail(form, 'a noreturn function cannot have results');
  return { name: (name as { value: string }).value, params, results, noreturn, docs: form.docs, loc: form.loc };
}

export type { Named };

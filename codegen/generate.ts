import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { VERSIONS, preview1Name, verifiedRoots, type VersionId } from '../witx/versions.js';
import type { EmitContext } from './emit/context.js';
import { createFile, finish, type GeneratedFile } from './emit/file.js';
import { emitAdapter } from './emit/adapter.js';
import { emitHandlers } from './emit/handlers.js';
import { emitImports } from './emit/imports.js';
import { emitLayout } from './emit/layout.js';
import { emitMetadata } from './emit/metadata.js';
import { emitTypes } from './emit/types.js';
import type { Document } from './ir.js';
import { Layout } from './layout.js';
import { loadWitx } from './load.js';
import { validate } from './validate.js';

/** Reads and validates one version's WITX from the root (hashes checked). */
export function readVersion(id: VersionId, witxRoot: string): { doc: Document; files: string[] } {
  const spec = VERSIONS[id];
  const roots = verifiedRoots(spec, witxRoot);
  const forms = loadWitx(roots, (p) => readFileSync(p, 'utf8'));
  const doc = validate(forms, { hiddenFrom: spec.hiddenFrom && readVersion(spec.hiddenFrom, witxRoot).doc.types });
  const files = [...new Set(forms.map((f) => relative(witxRoot, f.file)))];
  for (const m of doc.modules) {
    if (!(m.name in spec.modules)) throw new Error(`${id}: WITX module $${m.name} is not listed in witx/versions.ts`);
  }
  return { doc, files };
}

/** Every generated file of one version, formatted, paths relative to generated/. */
export async function generateVersion(id: VersionId, witxRoot: string): Promise<GeneratedFile[]> {
  const { doc, files } = readVersion(id, witxRoot);
  const ctx: EmitContext = {
    version: id,
    doc,
    layout: new Layout(doc, VERSIONS[id].pointerSize),
    modules: VERSIONS[id].modules,
    files,
    rel: (p) => relative(witxRoot, p),
  };
  const out = [
    await emitTypes(ctx),
    await emitLayout(ctx),
    await emitHandlers(ctx),
    await emitImports(ctx),
    ...(await emitMetadata(ctx)),
  ];
  const spec = VERSIONS[id];
  if (spec.renames !== undefined) {
    const { file } = await emitAdapter(ctx, {
      preview1: readVersion('preview1', witxRoot).doc,
      preview1Name: (module, func) => preview1Name(id, module, func),
      renames: spec.renames,
      handWritten: spec.handWritten ?? [],
    });
    out.push(file);
  }
  const index = createFile(`${id}/index.ts`, files.join(', '));
  index.addStatements(`export * from './types.js';
    export * as layout from './layout.js';
    export type * from './handlers.js';
    export * from './imports.js';
    export { abi } from './metadata.js';${spec.renames !== undefined ? "\nexport * from './adapter.js';" : ''}`);
  out.push(await finish(`${id}/index.ts`, index));
  return out;
}

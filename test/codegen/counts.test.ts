import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AbiJson } from '../../src/abi/abi-json.js';
import { VERSIONS, VERSION_IDS } from '../../witx/versions.js';

// Function and module counts of generated/<version>/abi.json against the WITX text itself, read
// with plain regexes (comments stripped), independently of the codegen reader.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WITX = process.env.WITX_DIR ? resolve(process.env.WITX_DIR) : resolve(REPO, '..', 'shared', 'witx');

const stripComments = (text: string) => text.replace(/\(;[\s\S]*?;\)/g, ' ').replace(/;;[^\n]*/g, ' ');

/** Module name -> exported function names, from every .witx file of a version folder. */
function modulesInWitx(folder: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of readdirSync(join(WITX, folder)).filter((f) => f.endsWith('.witx'))) {
    const text = stripComments(readFileSync(join(WITX, folder, file), 'utf8'));
    const modules = [...text.matchAll(/\(module\s+\$(\w+)/g)];
    const funcCount = (text.match(/\(@interface\s+func\b/g) ?? []).length;
    if (modules.length === 0) {
      expect(funcCount, `${folder}/${file} has functions outside a module`).toBe(0);
      continue;
    }
    expect(modules, `${folder}/${file}: one module per file`).toHaveLength(1);
    const names = [...text.matchAll(/\(@interface\s+func\s+\(export\s+"([^"]+)"\)/g)].map((m) => m[1]!);
    expect(names, `${folder}/${file}: every (@interface func has an (export "...")`).toHaveLength(funcCount);
    out.set(modules[0]![1]!, names);
  }
  return out;
}

describe.each(VERSION_IDS)('%s: abi.json against the WITX text', (id) => {
  const abi = JSON.parse(readFileSync(join(REPO, 'generated', id, 'abi.json'), 'utf8')) as AbiJson;
  const spec = modulesInWitx(VERSIONS[id].folder);

  it('has at least one module with functions', () => {
    expect(spec.size).toBeGreaterThan(0);
    expect([...spec.values()].flat().length).toBeGreaterThan(0);
  });

  const importName = (witxName: string) => VERSIONS[id].modules[witxName] ?? `(unlisted ${witxName})`;

  it('module names equal the WITX modules and the import names in witx/versions.ts', () => {
    const ours = new Set(abi.functions.map((f) => f.module));
    expect([...ours].sort()).toEqual([...spec.keys()].map(importName).sort());
    expect(Object.keys(VERSIONS[id].modules).sort()).toEqual([...spec.keys()].sort());
    // Every version imports its modules under their WITX names, except WASIX's `$wasix_module_name`:
    // `wasix_32v1` at pointer size 4, `wasix_64v1` at 8.
    for (const [witxName, name] of Object.entries(VERSIONS[id].modules)) {
      expect(name).toBe(witxName === 'wasix_module_name' ? `wasix_${VERSIONS[id].pointerSize * 8}v1` : witxName);
    }
  });

  it('each module has as many functions as (@interface func forms, with the same names in order', () => {
    for (const [module, names] of spec) {
      const ours = abi.functions.filter((f) => f.module === importName(module)).map((f) => f.name);
      expect(ours.length, module).toBe(names.length);
      expect(ours, module).toEqual(names);
    }
    expect(abi.functions.length).toBe([...spec.values()].flat().length);
  });
});

it('generated/ holds exactly the versions of witx/versions.ts (and preview1 again where one asks for it)', () => {
  const dirs = readdirSync(join(REPO, 'generated'), { withFileTypes: true }).filter((d) => d.isDirectory());
  const expected = VERSION_IDS.flatMap((id) => (VERSIONS[id].preview1At === undefined ? [id] : [id, `${id}-preview1`]));
  expect(dirs.map((d) => d.name).filter((n) => n !== 'compat').sort()).toEqual(expected.sort());
});

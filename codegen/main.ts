import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION_IDS, witxRoot } from '../witx/versions.js';
import { generateVersion } from './generate.js';

// `npm run codegen` writes generated/; `--check` regenerates in memory and fails on any difference.

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [join(dir, e.name).slice(base.length + 1)],
  );
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? resolve(argv[outIdx + 1] ?? '') : join(repo, 'generated');
  const root = witxRoot();
  const files = new Map<string, string>();
  for (const id of VERSION_IDS) for (const f of await generateVersion(id, root)) files.set(f.path, f.text);

  const existing = new Set(listFiles(out));
  if (check) {
    const problems: string[] = [];
    for (const [path, text] of files) {
      if (!existing.has(path)) problems.push(`missing: ${path}`);
      else if (readFileSync(join(out, path), 'utf8') !== text) problems.push(`changed: ${path}`);
    }
    for (const path of existing) if (!files.has(path)) problems.push(`extra: ${path}`);
    if (problems.length) {
      console.error(`generated/ is stale (run \`npm run codegen\`):\n  ${problems.join('\n  ')}`);
      return 1;
    }
    console.log(`generated/ is up to date (${files.size} files)`);
    return 0;
  }
  for (const path of existing) if (!files.has(path)) rmSync(join(out, path));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), text);
  }
  console.log(`wrote ${files.size} files to ${out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error && 'code' in err ? err.message : err);
    process.exit(1);
  },
);

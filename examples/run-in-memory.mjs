// Runs a WASI program with an in-memory filesystem preopened at /sandbox, then lists what the
// guest left there. Usage: node examples/run-in-memory.mjs [file.wasm] [args...]
// (default: test/programs/files.wasm, which exercises files, directories and links in /sandbox).
import { readFileSync } from 'node:fs';
import { MemoryFileSystem, WASI } from '../dist/index.js';

const [file = new URL('../test/programs/files.wasm', import.meta.url).pathname, ...rest] = process.argv.slice(2);
const args = rest.length ? [file, ...rest] : [file, '/sandbox'];
const fs = new MemoryFileSystem({ '/README.txt': 'seeded from JavaScript\n' });

const wasi = new WASI({ version: 'preview1', args, env: { HOME: '/sandbox' }, preopens: { '/sandbox': fs } });
const module = new WebAssembly.Module(readFileSync(file));
const instance = new WebAssembly.Instance(module, wasi.getImportObject());
const code = wasi.start(instance);

console.log(`\nexit code ${code}; files in /sandbox afterwards:`);
for (const [path, bytes] of Object.entries(fs.toFiles())) console.log(`  ${path} (${bytes.length} bytes)`);

// `npm run build`: dist/ as published. One esbuild bundle (ES module, with its source map) per entry:
// the Node entry (index.js), the browser entry (browser.js), the CLI (cli.js) and the worker each of
// them starts beside itself (guest-worker-node.js, guest-worker-browser.js: new URL(..., import.meta.url)).
// One file each, because Node's loader costs about a quarter of a millisecond per module. memfs stays
// outside: the Node entry requires it on the first MemoryFileSystem, a browser bundler places it.
// Whitespace and syntax are minified (identifiers kept, for readable stacks; the maps give the source):
// Node parses the whole bundle at import, and fewer bytes and tokens are a shorter parse (issue 18).
// The generated ABI metadata (about 260 KB of JSON text, read only by tracing and the thread workers)
// is not in the Node bundles: they read dist/abi/<version>.json on its first use (abiBeside below).
// Declarations come from tsc, complete, under dist/types/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

/**
 * Serves each `generated/<version>/metadata.ts` as a module whose `abi()` reads `abi/<version>.json`
 * beside the bundle (written here from the generated abi.json, the same data) on the first call: even
 * as a string the metadata cost about 2 ms of every import to scan. Browsers cannot read a file
 * synchronously, so their bundles keep the string.
 */
const abiBeside = {
  name: 'abi-beside',
  setup(b) {
    b.onLoad({ filter: /[\\/]generated[\\/][^\\/]+[\\/]metadata\.ts$/ }, (a) => {
      const version = basename(dirname(a.path));
      mkdirSync('dist/abi', { recursive: true });
      writeFileSync(`dist/abi/${version}.json`, JSON.stringify(JSON.parse(readFileSync(join(dirname(a.path), 'abi.json'), 'utf8'))));
      return {
        loader: 'ts',
        contents: `import { readFileSync } from 'node:fs';
          import type { AbiJson } from '../../src/abi/abi-json.js';
          let parsed: AbiJson | undefined;
          /** The ABI of ${version}, read from abi/${version}.json beside the bundle on the first call (scripts/build.mjs). */
          export function abi(): AbiJson {
            return (parsed ??= JSON.parse(readFileSync(new URL('./abi/${version}.json', import.meta.url), 'utf8')) as AbiJson);
          }`,
      };
    });
  },
};

const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', outdir: 'dist', external: ['memfs'], minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };
await build({
  ...common,
  platform: 'node',
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts', 'guest-worker-node': 'src/threads/guest-worker-node.ts' },
  plugins: [abiBeside],
});
await build({
  ...common,
  platform: 'browser',
  entryPoints: { browser: 'src/browser.ts', 'guest-worker-browser': 'src/threads/guest-worker-browser.ts' },
  // The browser entry must not name a Node built-in (test/package checks the output too).
  plugins: [{ name: 'no-node-builtins', setup: (b) => b.onResolve({ filter: /^node:/ }, (a) => ({ errors: [{ text: `${a.path} imported by ${a.importer}: the browser build has no Node built-ins` }] })) }],
});

// `npm run build`: dist/ as published. One esbuild bundle (ES module, with its source map) per entry:
// the Node entry (index.js), the browser entry (browser.js), the CLI (cli.js) and the worker each of
// them starts beside itself (guest-worker-node.js, guest-worker-browser.js: new URL(..., import.meta.url)).
// One file each, because Node's loader costs about a quarter of a millisecond per module. memfs stays
// outside: the Node entry requires it on the first MemoryFileSystem, a browser bundler places it.
// Whitespace and syntax are minified (identifiers kept, for readable stacks; the maps give the source):
// Node parses the whole bundle at import, and fewer bytes and tokens are a shorter parse (issue 18).
// Declarations come from tsc, complete, under dist/types/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', outdir: 'dist', external: ['memfs'], minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };
await build({
  ...common,
  platform: 'node',
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts', 'guest-worker-node': 'src/threads/guest-worker-node.ts' },
});
await build({
  ...common,
  platform: 'browser',
  entryPoints: { browser: 'src/browser.ts', 'guest-worker-browser': 'src/threads/guest-worker-browser.ts' },
  // The browser entry must not name a Node built-in (test/package checks the output too).
  plugins: [{ name: 'no-node-builtins', setup: (b) => b.onResolve({ filter: /^node:/ }, (a) => ({ errors: [{ text: `${a.path} imported by ${a.importer}: the browser build has no Node built-ins` }] })) }],
});

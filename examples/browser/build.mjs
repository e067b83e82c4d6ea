// Bundles wasi-kit's browser entry (src/browser.ts) into one ES module for the demo page and the browser
// tests. memfs, under the in-memory filesystem, loads a few Node built-ins; ./node-shims stands in for
// them (a Uint8Array Buffer, an EventEmitter, POSIX paths), so the bundle imports no `node:` module.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const nodeShims = {
  name: 'node-shims',
  setup(b) {
    // Only dependencies get shims: wasi-kit's own browser code must not name a built-in at all.
    b.onResolve({ filter: /^(node:)?(buffer|events|stream|url|path)$/ }, (args) =>
      args.importer.includes('/node_modules/') ? { path: here(`./node-shims/${args.path.replace(/^node:/, '')}.js`) } : undefined,
    );
    b.onResolve({ filter: /^node:/ }, (args) => ({ errors: [{ text: `${args.path} is a Node built-in, imported from ${args.importer}; the browser build has none` }] }));
  },
};

/** Node built-ins the bundle still names: what a browser could not load (must be empty). */
export function nodeImportsIn(code) {
  return [...code.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](node:[^"']+|(?:fs|os|child_process|crypto|tty|worker_threads)(?:\/[^"']*)?)["']/g)].map((m) => m[1]);
}

/** The browser entry as one ES module (source text). Throws when anything Node-only would end up in it. */
export function buildBrowserBundle({ minify = false } = {}) {
  return bundle(here('../../src/browser.ts'), minify);
}

/**
 * The worker that runs a guest thread of a threaded program (src/threads/guest-worker-browser.ts). wasi-kit
 * starts it from `guest-worker-browser.js` beside the bundle (new URL(..., import.meta.url)): serve it there.
 */
export function buildGuestWorkerBundle({ minify = false } = {}) {
  return bundle(here('../../src/threads/guest-worker-browser.ts'), minify);
}

async function bundle(entry, minify) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    write: false,
    logLevel: 'silent',
    plugins: [nodeShims],
    define: { global: 'globalThis' },
    sourcemap: 'inline',
  });
  const code = result.outputFiles[0].text;
  const found = nodeImportsIn(code);
  if (found.length > 0) throw new Error(`the browser bundle imports Node built-ins: ${[...new Set(found)].join(', ')}`);
  return code;
}

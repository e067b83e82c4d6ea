// Bundles a module of test/browser/opfs for a page (esbuild, as the demo's build does): the behaviour
// suite's `vitest` is the shim there, and its helpers the OPFS backend.
import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/run-program.js';

const OPFS = join(REPO_ROOT, 'test/browser/opfs');

export async function bundleForPage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(OPFS, entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'behaviour-suite-in-a-page',
        setup(b) {
          b.onResolve({ filter: /^vitest$/ }, () => ({ path: join(OPFS, 'vitest-shim.ts') }));
          b.onResolve({ filter: /^\.\/helpers\.js$/ }, (args) => (args.importer.endsWith('filesystem-behaviour.test.ts') ? { path: join(OPFS, 'backend.ts') } : undefined));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

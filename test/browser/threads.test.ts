// Threaded programs in Chromium: the page's kernel with a worker per guest thread over one shared
// memory (the page is cross-origin isolated), the demo running one, and the clear refusal on a page
// that is not isolated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { useDemo, type PageWindow } from './chromium.js';

const demo = useDemo();

/** Runs test/programs/<path>.wasm with WASI.run in the page; stdout as text, or the error. */
function runThreadedInPage(path: string, args: string[], version = 'preview1') {
  return demo().page.evaluate(
    async ({ path, args, version }) => {
      const { WASI } = (window as unknown as PageWindow).wasiKit;
      const out: number[] = [];
      try {
        const bytes = await (await fetch(`/programs/${path}.wasm`)).arrayBuffer();
        const wasi = new WASI({ version: version as 'preview1', args, stdout: (b) => out.push(...b) });
        const exitCode = await wasi.run(bytes);
        return { exitCode, stdout: new TextDecoder().decode(new Uint8Array(out)), isolated: crossOriginIsolated };
      } catch (err) {
        return { error: `${(err as Error).name}: ${(err as Error).message}`, isolated: crossOriginIsolated };
      }
    },
    { path, args, version },
  );
}

async function runInNode(path: string, args: string[], version: 'preview1' | 'wasix' = 'preview1') {
  const chunks: Uint8Array[] = [];
  const wasi = new WASI({ version, args, stdout: (b) => void chunks.push(b) });
  const exitCode = await wasi.run(readFileSync(join(REPO_ROOT, 'test/programs', `${path}.wasm`)));
  return { exitCode, stdout: Buffer.concat(chunks).toString() };
}

describe('threaded programs in a cross-origin isolated page', () => {
  it('work over 4 wasi-threads gives what it gives in Node', async () => {
    const args = ['work', '4', '3000'];
    const page = await runThreadedInPage('threads/work', args);
    expect(page, demo().log.join('\n')).toEqual({ ...(await runInNode('threads/work', args)), isolated: true });
    expect(page.stdout).toMatch(/^sum \d+\n$/);
  });

  it('wasix-mutex: WASIX threads and futexes keep the counter exact', async () => {
    const page = await runThreadedInPage('threads/wasix-mutex', ['wasix-mutex', '3', '2000'], 'wasix');
    expect(page.exitCode, JSON.stringify(page)).toBe(0);
    expect(page.stdout).toMatch(/counter 6000\n$/);
  });

  it('the demo runs a threaded sample', async () => {
    const { page } = demo();
    await page.selectOption('#sample', 'threads/work');
    await page.fill('#args', '2 5000');
    await page.click('#run');
    await page.waitForFunction(() => /exit code|failed/.test(document.getElementById('status')!.textContent ?? ''));
    expect(await page.textContent('#status')).toMatch(/^exit code 0 /);
    expect(await page.textContent('#stdout')).toBe((await runInNode('threads/work', ['work', '2', '5000'])).stdout);
  });
});

describe('a page that is not cross-origin isolated', () => {
  it('refuses a threaded program with an error that says why', async () => {
    await demo().page.goto(`${demo().url}?isolation=off`);
    await demo().page.addScriptTag({ type: 'module', content: "import * as wasiKit from '/wasi-kit.js'; window.wasiKit = wasiKit;" });
    await demo().page.waitForFunction(() => 'wasiKit' in window);
    const r = await runThreadedInPage('threads/work', ['work', '2', '10']);
    expect(r.isolated).toBe(false);
    expect(r.error).toMatch(/^WasiStateError: .*cross-origin isolated.*Cross-Origin-Opener-Policy/);
  });
});

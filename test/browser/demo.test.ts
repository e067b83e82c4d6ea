// Clicks through the demo page (examples/browser) in chromium and checks what it shows; leaves a
// screenshot in test-results/demo.png.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, programPath } from '../helpers/run-program.js';
import { useDemo } from './chromium.js';

const demo = useDemo();

const finished = async () => {
  await demo().page.waitForFunction(() => /exit code|failed/.test(document.getElementById('status')!.textContent ?? ''));
  return (await demo().page.textContent('#status'))!;
};
const run = async () => {
  await demo().page.click('#run');
  return finished();
};
const fileRow = (path: string) => demo().page.locator(`#files tr[data-path="${path}"]`);

describe('the demo page', () => {
  it('runs the chosen sample and shows its output and syscalls', async () => {
    const { page } = demo();
    expect(await page.inputValue('#sample')).toBe('wc');
    expect(await run()).toMatch(/^exit code 0 · [\d.]+ ms · \d+ syscalls$/);
    expect(await page.textContent('#stdout')).toBe('3 17 84 /sandbox/poem.txt\n2 2 11 /sandbox/notes.txt\n5 19 95 total\n');
    expect(await page.textContent('#stderr')).toBe('');
    const trace = (await page.textContent('#trace'))!.trim().split('\n');
    expect(trace.length).toBeGreaterThan(5);
    expect(trace).toContainEqual(expect.stringMatching(/^path_open\(fd=3, .*path="poem\.txt".*\) → success fd=\d+$/));
    expect(await page.textContent('#trace-count')).toBe(`(${trace.length} calls)`);
  });

  it('edits a file, and the next run sees the change', async () => {
    const { page } = demo();
    await fileRow('/notes.txt').locator('button[data-action="edit"]').click();
    expect(await page.inputValue('#editor-path')).toBe('/sandbox/notes.txt');
    expect(await page.inputValue('#editor-text')).toBe('eggs\nbread\n');
    await page.fill('#editor-text', 'eggs\nbread\nbutter and jam\n');
    await page.click('#save-file');
    expect(await fileRow('/notes.txt').locator('td.size').textContent()).toBe('26');
    await run();
    expect(await page.textContent('#stdout')).toContain('3 5 26 /sandbox/notes.txt\n');
  });

  it('feeds stdin to the line editor and shows the file it changed', async () => {
    const { page } = demo();
    await page.selectOption('#sample', 'lined');
    expect(await page.inputValue('#args')).toBe('/sandbox/notes.txt');
    expect(await run()).toMatch(/^exit code 0 /);
    expect(await page.textContent('#stdout')).toBe('1: eggs\n2: bread\n3: butter and jam\nwrote 43 bytes\n1: eggs\n2: bread (wholemeal)\n3: butter and jam\n4: milk\n');
    await expect.poll(() => fileRow('/notes.txt').getAttribute('class')).toBe('changed');
  });

  it('shows what a program writes to stderr and its exit code', async () => {
    const { page } = demo();
    await page.fill('#stdin', 'p\nzap\n');
    expect(await run()).toMatch(/^exit code 1 /);
    expect(await page.textContent('#stderr')).toBe('?: zap\n');
    await expect.poll(() => page.locator('#status.fail').count()).toBe(1);
  });

  it('writes a new file that can be downloaded', async () => {
    const { page } = demo();
    await page.selectOption('#sample', 'write-file');
    expect(await run()).toMatch(/^exit code 0 /);
    expect(await page.textContent('#stdout')).toBe('wrote 60 bytes to /sandbox/hello.txt\n');
    const [download] = await Promise.all([page.waitForEvent('download'), fileRow('/hello.txt').locator('button[data-action="download"]').click()]);
    expect(download.suggestedFilename()).toBe('hello.txt');
    expect(readFileSync((await download.path())!, 'utf8')).toBe('Hello from WASI\nwritten in your browser\nsaved by write-file\n');
  });

  it('passes the arguments and environment as typed, and nothing else', async () => {
    const { page } = demo();
    await page.selectOption('#sample', 'args-env');
    await page.fill('#args', `one "two words" 'it''s'`);
    await page.fill('#env', 'A=1\nB=x=y');
    await run();
    expect(await page.textContent('#stdout')).toBe('argc=5\nargv[0]=args-env\nargv[1]=one\nargv[2]=two words\nargv[3]=it\nargv[4]=s\nenv: A=1\nenv: B=x=y\n');
  });

  it('runs a .wasm of your own', async () => {
    const { page } = demo();
    await page.setInputFiles('#wasm-file', programPath('hello'));
    await expect.poll(() => page.textContent('#program-name')).toMatch(/^hello\.wasm \(\d+ bytes, yours\)$/);
    await page.fill('#args', '');
    expect(await run()).toMatch(/^exit code 0 /);
    expect(await page.textContent('#stdout')).toBe('hello, world\n');
  });

  it('says so when a file is not a WASI program', async () => {
    const { page } = demo();
    await page.setInputFiles('#wasm-file', { name: 'junk.wasm', mimeType: 'application/wasm', buffer: Buffer.from('not wasm') });
    await expect.poll(() => page.textContent('#program-name')).toMatch(/^junk\.wasm/);
    expect(await run()).toMatch(/^failed: CompileError: /);
  });

  it('looks right (screenshot in test-results/demo.png)', async () => {
    const { page } = demo();
    await page.selectOption('#sample', 'wc');
    await run();
    await fileRow('/hello.txt').locator('button[data-action="edit"]').click();
    const dir = join(REPO_ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'demo.png'), fullPage: true });
    expect(demo().log.filter((l) => l.startsWith('pageerror') || l.startsWith('console.error'))).toEqual([]);
  });
});

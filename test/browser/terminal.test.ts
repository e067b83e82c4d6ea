// The demo's terminal page (examples/browser/terminal.*): xterm.js, the line discipline on the page, and
// tty-keys (test/programs/tty-keys.c, WASIX tty_get/tty_set) in a worker. A script types; the screen's
// text is asserted (each line as the screen shows it, trailing blanks dropped: a prompt is "$"); a
// screenshot is kept in test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-program.js';
import { startDemo, type Demo } from './chromium.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
  await demo.page.goto(`${demo.url}terminal.html`);
  await demo.page.waitForSelector('body[data-ready]');
}, 60_000);
afterAll(async () => {
  await demo?.close();
}, 30_000);

type TermWindow = Window & { terminal: { text(): string; term: { cols: number; rows: number } } };
const screenText = () => demo.page.evaluate(() => (window as unknown as TermWindow).terminal.text());
/** Waits until the screen's text matches. */
async function waitFor(pattern: RegExp): Promise<string> {
  try {
    await demo.page.waitForFunction((source) => new RegExp(source).test((window as unknown as TermWindow).terminal.text()), pattern.source, { timeout: 15_000 });
  } catch (err) {
    throw new Error(`the screen never matched ${pattern}:\n${await screenText()}\n${demo.log.join('\n')}`, { cause: err });
  }
  return screenText();
}
const lines = async () => (await screenText()).split('\n');

describe('the terminal page', () => {
  it('runs tty-keys with echo, backspace, tty sizes that follow a resize, raw mode, Ctrl-C and Ctrl-D', async () => {
    const { page } = demo;
    const size = await page.evaluate(() => ({ cols: (window as unknown as TermWindow).terminal.term.cols, rows: (window as unknown as TermWindow).terminal.term.rows }));
    await waitFor(/\$$/);
    expect((await lines())[0]).toBe(`tty ${size.cols}x${size.rows}`);

    // Echo and backspace: the program gets the edited line.
    await page.keyboard.type('helo');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('llo world');
    await page.keyboard.press('Enter');
    await waitFor(/> hello world\n\$$/);
    expect(await lines()).toContain('$ hello world');

    // A resize: tty_get reports the new size.
    await page.setViewportSize({ width: 900, height: 600 });
    await page.waitForFunction((cols) => (window as unknown as TermWindow).terminal.term.cols !== cols, size.cols);
    const resized = await page.evaluate(() => ({ cols: (window as unknown as TermWindow).terminal.term.cols, rows: (window as unknown as TermWindow).terminal.term.rows }));
    await page.keyboard.type('size');
    await page.keyboard.press('Enter');
    await waitFor(new RegExp(`tty ${resized.cols}x${resized.rows}\\n\\$$`));

    // Raw mode: keys reach the program one by one, unechoed, until q.
    await page.keyboard.type('raw');
    await page.keyboard.press('Enter');
    await waitFor(/press keys, q to stop$/);
    await page.keyboard.type('ab');
    await waitFor(/key 97\nkey 98$/);
    await page.keyboard.type('q');
    await waitFor(/cooked\n\$$/);

    // Ctrl-C on a program that loops: SIGINT ends it (128 + 2).
    await page.keyboard.type('loop');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+C');
    await waitFor(/\$ loop\n\^C\n\[exit 130: SIGINT\] press Enter to start tty-keys again$/);

    // Enter starts it again; Ctrl-D on an empty line is end of input.
    await page.keyboard.press('Enter');
    await waitFor(/again\ntty \d+x\d+\n\$$/);
    await page.keyboard.type('bye soon');
    await page.keyboard.press('Enter');
    await waitFor(/> bye soon\n\$$/);
    await page.keyboard.press('Control+D');
    const end = await waitFor(/\[exit 0\] press Enter/);
    expect(end).toMatch(/> bye soon\n\$ bye\n\n\[exit 0\] press Enter to start tty-keys again$/);

    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'terminal.png') });
  }, 60_000);
});

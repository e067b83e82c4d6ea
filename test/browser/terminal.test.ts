// The demo's terminal page (examples/browser/terminal.*): xterm.js, the line discipline on the page,
// and our shell (test/programs/proc/sh.c) forking and execing our programs as processes in workers,
// with /home on OPFS. A script types; the screen's text is asserted (each line as the screen shows it, trailing
// blanks dropped: a prompt is "$"); a screenshot is kept in test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-program.js';
import { genBytes } from '../processes/helpers.js';
import { startDemo, type Demo } from './chromium.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
  await openTerminal();
}, 60_000);
afterAll(async () => {
  await demo?.close();
}, 30_000);

type TermWindow = Window & {
  terminal: { text(): string; term: { cols: number; rows: number; buffer: { active: { cursorX: number } } }; mountFolder(h: FileSystemDirectoryHandle): Promise<string> };
};
async function openTerminal() {
  await demo.page.goto(`${demo.url}terminal.html`);
  await demo.page.waitForSelector('body[data-ready]');
  await waitFor(/\$$/);
}
const screenText = () => demo.page.evaluate(() => (window as unknown as TermWindow).terminal.text());
/** Waits until the screen's text matches. */
async function waitFor(pattern: RegExp, timeout = 20_000): Promise<string> {
  try {
    await demo.page.waitForFunction((source) => new RegExp(source).test((window as unknown as TermWindow).terminal.text()), pattern.source, { timeout });
  } catch (err) {
    throw new Error(`the screen never matched ${pattern}:\n${await screenText()}\n${demo.log.join('\n')}`, { cause: err });
  }
  return screenText();
}
/** Types a command line and waits for the next prompt; the screen's text after the line as `shown` (what was typed). */
async function command(line: string, shown = line): Promise<string> {
  const before = (await screenText()).length;
  await demo.page.keyboard.type(line);
  await demo.page.keyboard.press('Enter');
  await demo.page.waitForFunction(
    ({ before }) => {
      const t = (window as unknown as TermWindow).terminal.text();
      return t.length > before && /\n\$$/.test(t);
    },
    { before },
    { timeout: 20_000 },
  ).catch(async (err: unknown) => {
    throw new Error(`no prompt after ${line}:\n${await screenText()}\n${demo.log.join('\n')}`, { cause: err });
  });
  const t = await screenText();
  const at = t.lastIndexOf(`$ ${shown}\n`);
  if (at < 0) throw new Error(`no line "$ ${shown}" on the screen:\n${t}`);
  return t.slice(at + shown.length + 3, -1);
}

/** What POSIX wc (test/programs/wc.c) says of gen.c's first `n` bytes, computed here. */
function wcOfGen(n: number): string {
  let lines = 0;
  let words = 0;
  let inWord = false;
  for (const b of genBytes(n)) {
    if (b === 10) lines++;
    const space = b === 32 || (b >= 9 && b <= 13);
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return `${lines} ${words} ${n}\n`;
}

const keys = (k: string) => demo.page.keyboard.press(k);

describe('the terminal page', () => {
  it('runs the shell: ls, a redirection to /home, cat | wc, a pipeline of our programs', async () => {
    expect(await command('ls /')).toBe('bin\nhome\nmnt\ntmp\n');
    expect(await command('pwd')).toBe('/home\n');
    // Backspace takes typed characters back before the shell sees the line.
    await demo.page.keyboard.type('echo helx');
    await keys('Backspace');
    expect(await command('lo  world', 'echo hello  world')).toBe('hello world\n');
    expect(await command('echo hi > /home/f')).toBe('');
    expect(await command('cat /home/f | wc')).toBe('1 1 3\n');
    expect(await command('ls -l /home')).toMatch(/^- +3 f\n/m);
    expect(await command('gen 300000 | cat | cat | wc')).toBe(wcOfGen(300_000));
    expect(await command('cat /home/nope; echo $?')).toBe('cat: /home/nope: No such file or directory\n1\n');
    expect(await command('nosuch')).toMatch(/nosuch: .*not found\n$/);
    // A program that forks, run by the shell that forked to run it.
    expect(await command('fork memory')).toMatch(/^child: pid (\d+) counter 2 big p\nparent: child \1 code 7 counter 2 big pp\n$/);
  }, 60_000);

  it('Ctrl-C ends the program that loops (128 + SIGINT) and the shell prompts again; Ctrl-D ends cat\'s input once', async () => {
    await demo.page.keyboard.type('loop');
    await keys('Enter');
    // The loop starts in a worker of its own at some point after Enter: Ctrl-C until the shell is back.
    // A Ctrl-C that came while the shell was alone ends the line at once ("^C" and a new line: press again);
    // one that reached the job leaves "^C" open until the shell, seeing its job ended, starts the new line
    // and prompts (under load, seconds: loop and other tests' browsers share two cores with this page).
    const back = /\$ loop\n(\^C\n?)+\n?\$$/;
    // The screen's text (trailing blanks dropped) and whether the cursor still stands after that "^C".
    const state = () =>
      demo.page.evaluate(() => {
        const { terminal } = window as unknown as TermWindow;
        const t = terminal.text();
        return { text: t, open: t.endsWith('^C') && terminal.term.buffer.active.cursorX > 0 };
      });
    for (let i = 0; i < 60; i++) {
      await keys('Control+C');
      await demo.page.waitForFunction((source) => new RegExp(source).test((window as unknown as TermWindow).terminal.text()), back.source, { timeout: 1000 }).catch(() => {});
      const s = await state();
      if (back.test(s.text) || s.open) break;
    }
    await waitFor(back);
    expect(await command('echo $?')).toBe('130\n');

    // cat reads the terminal: a line comes back; Ctrl-D on an empty line is its end of input, and
    // the shell, reading the same terminal, goes on.
    await demo.page.keyboard.type('cat');
    await keys('Enter');
    await demo.page.keyboard.type('typed line');
    await keys('Enter');
    await waitFor(/\$ cat\ntyped line\ntyped line$/);
    await keys('Control+D');
    await waitFor(/typed line\ntyped line\n\$$/);
    expect(await command('echo still here')).toBe('still here\n');
  }, 120_000);

  it('tty-keys as a command: tty_get follows a resize, raw mode takes keys one by one', async () => {
    const { page } = demo;
    const size = () => page.evaluate(() => ({ cols: (window as unknown as TermWindow).terminal.term.cols, rows: (window as unknown as TermWindow).terminal.term.rows }));
    const before = await size();
    await page.keyboard.type('tty-keys');
    await keys('Enter');
    await waitFor(new RegExp(`tty-keys\\ntty ${before.cols}x${before.rows}\\n\\$$`));
    await page.setViewportSize({ width: 900, height: 600 });
    await page.waitForFunction((cols) => (window as unknown as TermWindow).terminal.term.cols !== cols, before.cols);
    const after = await size();
    await page.keyboard.type('size');
    await keys('Enter');
    await waitFor(new RegExp(`tty ${after.cols}x${after.rows}\\n\\$$`));
    await page.keyboard.type('raw');
    await keys('Enter');
    await waitFor(/press keys, q to stop$/);
    await page.keyboard.type('ab');
    await waitFor(/key 97\nkey 98$/);
    await page.keyboard.type('q');
    await waitFor(/cooked\n\$$/);
    await keys('Control+D');
    await waitFor(/bye\n\$$/);
    await page.setViewportSize({ width: 1280, height: 1000 });
  }, 60_000);

  it('a mounted folder (an OPFS handle through the picker\'s code) is at /mnt/<name>; a dropped .wasm is a command', async () => {
    const { page } = demo;
    const at = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('Holiday Pics', { create: true });
      const w = await (await dir.getFileHandle('notes.txt', { create: true })).createWritable();
      await w.write('sunny\nwarm\n');
      await w.close();
      return (window as unknown as TermWindow).terminal.mountFolder(dir);
    });
    expect(at).toBe('/mnt/Holiday_Pics');
    expect(await command('ls /mnt')).toBe('Holiday_Pics\n');
    expect(await command('cat /mnt/Holiday_Pics/notes.txt | wc')).toBe('2 2 11\n');
    expect(await command('echo more >> /mnt/Holiday_Pics/notes.txt; wc /mnt/Holiday_Pics/notes.txt')).toBe('3 3 16 /mnt/Holiday_Pics/notes.txt\n');

    // A drop of hello.wasm (a File in a DataTransfer, as a drag from the desktop gives it).
    await page.evaluate(async () => {
      const bytes = await (await fetch('/programs/hello.wasm')).arrayBuffer();
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'hello.wasm', { type: 'application/wasm' }));
      document.getElementById('screen')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.getElementById('status')!.textContent === 'added command hello');
    expect(await command('hello')).toBe('hello, world\n');
    expect(await command('ls /bin')).toBe('hello\n');
    expect(await command('hello | wc')).toBe('1 2 13\n');
  }, 60_000);

  it('after a reload, /home/f is still there; screenshots of the session and of the reload are kept', async () => {
    mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
    await demo.page.screenshot({ path: join(REPO_ROOT, 'test-results', 'terminal.png') });
    await openTerminal();
    expect(await command('cat /home/f')).toBe('hi\n');
    expect(await command('ls /home')).toBe('f\n');
    await demo.page.screenshot({ path: join(REPO_ROOT, 'test-results', 'terminal-reload.png') });
  }, 60_000);
});

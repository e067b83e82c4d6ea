// Processes in Chromium: run() starts proc_spawn2/proc_join/proc_exec3 children and forks (proc_fork,
// asyncify'd test/programs/proc/fork.c), each in workers of its own over its own shared memory, on the
// cross-origin isolated demo page, with the project's programs given as `commands`; what the page
// prints is what the same run prints in Node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { useDemo, type PageWindow } from './chromium.js';

const demo = useDemo();

const COMMANDS = ['echo', 'cat', 'wc', 'gen', 'status', 'pipes'];

/** Runs test/programs/proc/<program>.wasm with `args` in the page, the proc programs as commands. */
function spawnerInPage(args: string[], opts: { maxProcesses?: number } = {}, program = 'spawner') {
  return demo().page.evaluate(
    async ({ args, names, opts, program }) => {
      const { WASI } = (window as unknown as PageWindow).wasiKit;
      const load = async (name: string) => (await fetch(`/programs/proc/${name}.wasm`)).arrayBuffer();
      const out: number[] = [];
      const err: number[] = [];
      try {
        const commands = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await load(n)] as const)));
        const wasi = new WASI({ args: [program, ...args], commands, stdout: (b) => out.push(...b), stderr: (b) => err.push(...b), ...opts });
        const code = await wasi.run(await load(program));
        const text = (b: number[]) => new TextDecoder().decode(new Uint8Array(b));
        return { code, out: text(out), err: text(err) };
      } catch (e) {
        return { error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    },
    { args, names: COMMANDS, opts, program },
  );
}

async function spawnerInNode(args: string[], opts: { maxProcesses?: number } = {}, program = 'spawner') {
  const bytes = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`));
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const commands = Object.fromEntries(COMMANDS.map((n) => [n, bytes(n)]));
  const code = await new WASI({ args: [program, ...args], commands, stdout: (b) => void out.push(b), stderr: (b) => void err.push(b), ...opts }).run(bytes(program));
  return { code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() };
}

describe('processes in a cross-origin isolated page', () => {
  for (const mode of ['ids', 'capture', 'wait', 'kill', 'sigchld', 'exec']) {
    it(`spawner ${mode} gives what it gives in Node`, async () => {
      const page = await spawnerInPage([mode]);
      expect(page, demo().log.join('\n')).toEqual(await spawnerInNode([mode]));
    }, 30_000);
  }

  // Pipes between processes, served by their workers from a growable SharedArrayBuffer (src/threads/fast-pipes.ts).
  for (const mode of ['capacity', 'killed-writer', 'reader-leaves', 'forks', 'signal-reader']) {
    it(`pipes ${mode} gives what it gives in Node`, async () => {
      const page = await spawnerInPage([mode], {}, 'pipes');
      expect(page, demo().log.join('\n')).toEqual(await spawnerInNode([mode], {}, 'pipes'));
    }, 30_000);
  }

  it('a spawn storm is stopped by maxProcesses with again, every child reaped, no worker left', async () => {
    // Counts the page's workers: every one made during the run is terminated by the time run() resolves.
    await demo().page.evaluate(() => {
      const w = window as unknown as { Worker: typeof Worker; workers: { made: number; alive: number } };
      const counts = (w.workers = { made: 0, alive: 0 });
      const Original = w.Worker;
      w.Worker = class extends Original {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          counts.made++;
          counts.alive++;
        }
        override terminate() {
          counts.alive--;
          super.terminate();
        }
      };
    });
    expect(await spawnerInPage(['storm'], { maxProcesses: 8 })).toEqual({ code: 0, out: 'spawned 7 then errno 6\njoin errno 12\n', err: '' });
    const counts = await demo().page.evaluate(() => (window as unknown as { workers: { made: number; alive: number } }).workers);
    expect(counts.made).toBeGreaterThanOrEqual(8);
    expect(counts.alive).toBe(0);
  }, 30_000);

  it('a .wasm on an OPFS directory runs as a command; a file that is not wasm is noexec', async () => {
    const r = await demo().page.evaluate(async () => {
      const { WASI, DirectoryHandleFileSystem } = (window as unknown as PageWindow).wasiKit;
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('spawn-data', { create: true });
      const put = async (name: string, data: BufferSource | string) => {
        const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
        await w.write(data);
        await w.close();
      };
      await put('notwasm.wasm', 'not a module');
      await put('status.wasm', await (await fetch('/programs/proc/status.wasm')).arrayBuffer());
      let out = '';
      const wasi = new WASI({ args: ['spawner', 'missing'], preopens: { '/data': new DirectoryHandleFileSystem(dir) }, stdout: (b) => void (out += new TextDecoder().decode(b)) });
      const code = await wasi.run(await (await fetch('/programs/proc/spawner.wasm')).arrayBuffer());
      return { code, out };
    });
    expect(r).toEqual({ code: 0, out: 'missing 44\nnot wasm 45\nexec missing 44\nfrom fs 0\njoin given code 7\n' });
  }, 30_000);

  it('a 3-stage pipeline (gen | cat | wc) moves 4 MiB byte-exactly, as in Node', async () => {
    const args = ['pipeline', String(4 * 1024 * 1024)];
    // wc's line and the three joins come in the order the processes happen to end: compared apart.
    const digestOf = (r: { out?: string }) => r.out?.split('\n').filter((l) => !l.startsWith('join'));
    const page = await spawnerInPage(args);
    const node = await spawnerInNode(args);
    expect(digestOf(page)).toEqual(digestOf(node));
    expect(digestOf(page)).toHaveLength(2);
    expect(page).toMatchObject({ code: 0, err: '' });
    expect((page as { out: string }).out.match(/join any code 0/g)).toHaveLength(3);
  }, 60_000);

  it('WASI.kill ends a process tree blocked in a wait with 128 + the signal', async () => {
    const r = await demo().page.evaluate(async () => {
      const { WASI } = (window as unknown as PageWindow).wasiKit;
      const load = async (name: string) => (await fetch(`/programs/proc/${name}.wasm`)).arrayBuffer();
      let out = '';
      const wasi: InstanceType<typeof WASI> = new WASI({
        args: ['spawner', 'hold'],
        commands: { status: await load('status') },
        stdout: (b) => {
          out += new TextDecoder().decode(b);
          if (out === 'ready\n') setTimeout(() => wasi.kill('SIGINT'), 10);
        },
      });
      const code = await wasi.run(await load('spawner'));
      return { code, out, again: wasi.kill('SIGINT') };
    });
    expect(r).toEqual({ code: 130, out: 'ready\n', again: false });
  }, 30_000);
});

describe('fork in a cross-origin isolated page', () => {
  for (const mode of [['memory'], ['pipe'], ['exec'], ['sigchld'], ['setjmp'], ['chain', '4']]) {
    it(`fork ${mode.join(' ')} gives what it gives in Node`, async () => {
      const page = await spawnerInPage(mode, {}, 'fork');
      expect(page, demo().log.join('\n')).toEqual(await spawnerInNode(mode, {}, 'fork'));
      if (mode[0] === 'memory') expect(page).toEqual({ code: 0, out: 'child: pid 2 counter 2 big p\nparent: child 2 code 7 counter 2 big pp\n', err: '' });
    }, 30_000);
  }

  it('a fork bomb is stopped by maxProcesses, as in Node', async () => {
    const page = await spawnerInPage(['bomb'], { maxProcesses: 6 }, 'fork');
    expect(page).toEqual(await spawnerInNode(['bomb'], { maxProcesses: 6 }, 'fork'));
  }, 30_000);

  it('the demo runs a program that forks', async () => {
    const { page } = demo();
    await page.goto(demo().url);
    await page.waitForSelector('body[data-ready]');
    await page.selectOption('#sample', 'proc/fork');
    await page.fill('#args', 'memory');
    await page.click('#run');
    await page.waitForFunction(() => /exit code|failed/.test(document.getElementById('status')!.textContent ?? ''));
    expect(await page.textContent('#status')).toMatch(/^exit code 0 /);
    expect(await page.textContent('#stdout')).toBe('child: pid 2 counter 2 big p\nparent: child 2 code 7 counter 2 big pp\n');
  }, 30_000);
});

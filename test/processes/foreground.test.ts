// WASI.signalForeground, a terminal's Ctrl-C: the signal goes to every process still running that
// shares the terminal (one foreground group, as under a shell without job control).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SharedStdin, WASI, type HostTerminal } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';
import { trackedPlatform, withPlatform } from '../threads/tracked-platform.js';

const bytes = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`));
const terminal: HostTerminal = { size: () => ({ cols: 80, rows: 24 }), setRawMode: () => true };

describe('signalForeground', () => {
  it('reaches the waiting parent and its child: both end by SIGINT (no handler), no worker left', async () => {
    const tp = trackedPlatform();
    const out = textSink();
    const reached: number[] = [];
    const code = await withPlatform(tp, async () => {
      const wasi = new WASI({
        args: ['spawner', 'hold'],
        commands: { status: bytes('status') },
        terminal,
        stdout: (b) => {
          out.write(b);
          if (out.text() === 'ready\n') setTimeout(() => reached.push(wasi.signalForeground()), 10);
        },
      });
      expect(wasi.signalForeground()).toBe(0);
      const c = await wasi.run(bytes('spawner'));
      expect(wasi.signalForeground('SIGINT')).toBe(0);
      return c;
    });
    expect(reached).toEqual([2]);
    expect(out.text()).toBe('ready\n');
    expect(code).toBe(128 + 2);
    expect(tp.alive()).toEqual([]);
  });

  it('on our shell: Ctrl-C ends a command that loops without a syscall (130), the shell prompts again and goes on', async () => {
    const stdin = new SharedStdin(1024);
    const out = textSink();
    const err = textSink();
    const wasi = new WASI({ args: ['sh'], commands: { loop: bytes('loop'), echo: bytes('echo') }, stdin, stdout: out.write, stderr: err.write, terminal });
    const done = wasi.run(bytes('sh'));
    await until(() => err.text() === '$ ');
    await stdin.writeAll('loop\n');
    // Until the command runs, the group is the shell alone, which ignores SIGINT; then the shell and
    // the command (loop, or the shell's fork of itself that is about to exec it, which passes it on and exits).
    await until(() => wasi.signalForeground() === 2);
    // The shell starts a new line after the job Ctrl-C ended, then prompts.
    await until(() => err.text() === '$ \n$ ');
    await stdin.writeAll('echo $?\n');
    await until(() => out.text() === '130\n' && err.text() === '$ \n$ $ ');
    // At the prompt the shell is the group: it is reached, and ignores it.
    expect(wasi.signalForeground()).toBe(1);
    await stdin.writeAll('echo still here\n');
    stdin.end();
    expect(await done).toBe(0);
    expect(out.text()).toBe('130\nstill here\n');
  }, 60_000);

  it('names an unknown signal in a typed error', () => {
    expect(() => new WASI({}).signalForeground('SIGNOPE')).toThrow(/signal/);
  });
});

/** Resolves once `ready()` holds, checking every few milliseconds (a condition, never a time, is awaited). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setTimeout(r, 5));
}

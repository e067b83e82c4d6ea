// WASI.signalForeground, a terminal's Ctrl-C: the signal goes to the most recently started process
// still running that shares the terminal (the command a shell waits for), not to the one waiting.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI, type HostTerminal } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';
import { trackedPlatform, withPlatform } from '../threads/tracked-platform.js';

const bytes = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`));
const terminal: HostTerminal = { size: () => ({ cols: 80, rows: 24 }), setRawMode: () => true };

describe('signalForeground', () => {
  it('interrupts the child a process waits for; the waiting parent sees it end by SIGINT and goes on', async () => {
    const tp = trackedPlatform();
    const out = textSink();
    const sent: boolean[] = [];
    const code = await withPlatform(tp, async () => {
      const wasi = new WASI({
        args: ['spawner', 'hold'],
        commands: { status: bytes('status') },
        terminal,
        stdout: (b) => {
          out.write(b);
          if (out.text() === 'ready\n') setTimeout(() => sent.push(wasi.signalForeground()), 10);
        },
      });
      expect(wasi.signalForeground()).toBe(false);
      const c = await wasi.run(bytes('spawner'));
      expect(wasi.signalForeground('SIGINT')).toBe(false);
      return c;
    });
    expect(sent).toEqual([true]);
    expect(out.text()).toBe('ready\njoin given signal 2\n');
    expect(code).toBe(0);
    expect(tp.alive()).toEqual([]);
  });

  it('names an unknown signal in a typed error', () => {
    expect(() => new WASI({}).signalForeground('SIGNOPE')).toThrow(/signal/);
  });
});

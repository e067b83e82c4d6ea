// WASI.signalForeground, a terminal's Ctrl-C: the signal goes to every process still running that
// shares the terminal (one foreground group, as under a shell without job control).
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

  it('names an unknown signal in a typed error', () => {
    expect(() => new WASI({}).signalForeground('SIGNOPE')).toThrow(/signal/);
  });
});

// A person's session, in a real terminal (tmux): `wasi-kit run sh.wasm` is an interactive shell; a
// pipeline typed at its prompt runs; Ctrl-C (the terminal's SIGINT to the CLI, forwarded to the shell)
// ends the job and not the shell; Ctrl-D ends the shell. The screen is read with capture-pane.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-program.js';

const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const proc = (name: string) => join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`);
const session = `wasi-kit-sh-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);

afterAll(() => {
  spawnSync('tmux', ['kill-session', '-t', session]);
});

/** Resolves once `ready()` holds (checked every 50 ms): a condition, never a time, is awaited. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; !ready(); i++) {
    if (i > 2400) throw new Error(`tmux: no ${what} on the screen:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('wasi-kit run sh.wasm in a terminal (tmux)', () => {
  it('prompts, runs a typed pipeline, survives Ctrl-C, which ends its job, and ends at Ctrl-D', async () => {
    if (spawnSync('tmux', ['-V']).error) throw new Error('tmux is not installed (apt-get install tmux): this test drives a terminal with it');
    const commands = ['echo', 'cat', 'wc'].flatMap((n) => ['--command', `${n}=${proc(n)}`]);
    const cli = ['node', '--no-warnings', '--import', TSX, join(REPO_ROOT, 'src/cli.ts'), 'run', ...commands, proc('sh')];
    const quoted = cli.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // The pane stays after the CLI ends, showing how it ended.
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${quoted}; echo "ended $?"; sleep 600`);
    const lines = () => screen().split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');

    await until(() => lines().at(-1) === '$', 'prompt');
    tmux('send-keys', '-t', session, 'echo hello world | cat | wc', 'Enter');
    await until(() => lines().length >= 3 && lines().at(-1) === '$', 'second prompt');
    expect(lines()).toEqual(['$ echo hello world | cat | wc', '1 12 782e1488cd5a68b7', '$']);

    // cat copies what is typed: once a typed line comes back, the job is running, reading the terminal.
    tmux('send-keys', '-t', session, 'cat', 'Enter');
    await until(() => lines().at(-1) === '$ cat', 'cat typed');
    tmux('send-keys', '-t', session, 'ping', 'Enter');
    await until(() => lines().filter((l) => l === 'ping').length === 2, 'ping copied by cat');
    tmux('send-keys', '-t', session, 'C-c');
    await until(() => lines().at(-1) === '$', 'prompt after Ctrl-C');
    tmux('send-keys', '-t', session, 'echo $?', 'Enter');
    await until(() => lines().includes('130') && lines().at(-1) === '$', 'status 130');
    tmux('send-keys', '-t', session, 'C-d');
    await until(() => lines().at(-1)?.startsWith('ended') === true, 'end of the CLI');
    expect(lines().slice(2)).toEqual(['$ cat', 'ping', 'ping', '^C', '$ echo $?', '130', '$', 'ended 0']);
  }, 150_000);
});

// Our own shell (test/programs/proc/sh.c) running our own echo, cat, wc, gen and status: pipelines,
// $(...) capture, redirections, exit statuses, cd/pwd on the root filesystem, not-found, PATH search
// in the guest's filesystem, stdin mode, Ctrl-C on a terminal. Each case runs twice: as POSIX shells
// run commands (fork, then exec in the child), and with -S (proc_spawn2 with file actions).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileSystem, SharedStdin, WASI, type TraceEvent, type WasiOptions } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';
import { genDigest } from './helpers.js';

const bytes = (name: string) => readFileSync(join(REPO_ROOT, 'test/programs/proc', `${name}.wasm`));
const PROGRAMS = ['echo', 'cat', 'wc', 'gen', 'status'];
const sh = bytes('sh');
const commands = { ...Object.fromEntries(PROGRAMS.map((n) => [n, bytes(n)])), sh };

interface ShellRun {
  code: number;
  out: string;
  err: string;
}

async function shell(args: string[], options: WasiOptions = {}): Promise<ShellRun> {
  const out = textSink();
  const err = textSink();
  const code = await new WASI({ args: ['sh', ...args], stdout: out.write, stderr: err.write, commands, ...options }).run(sh);
  return { code, out: out.text(), err: err.text() };
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-kit-sh-'));
  temps.push(dir);
  return dir;
}

describe.each([
  ['fork', [] as string[]],
  ['spawn (-S)', ['-S']],
])('sh, %s', (mode, flags) => {
  const run = (cmdline: string, options: WasiOptions = {}) => shell([...flags, '-c', cmdline], options);

  it(mode === 'fork' ? 'runs each command in a forked copy of itself that execs it' : 'spawns each command with file actions, never forking', async () => {
    const calls: string[] = [];
    const r = await run('echo a | cat; echo [$(echo b)]', { trace: (e) => void calls.push(`${e.thread?.pid}:${e.name}:${e.errno ?? ''}`) });
    expect(r).toEqual({ code: 0, out: 'a\n[b]\n', err: '' });
    const shell = calls.filter((c) => c.startsWith('1:'));
    if (mode === 'fork') {
      // The shell forks three stages and a $(...) subshell, which forks echo b; each stage execs its program.
      expect(calls.filter((c) => c.endsWith(':proc_fork:success'))).toHaveLength(5);
      expect(shell.filter((c) => c.includes(':proc_fork:'))).toHaveLength(4);
      expect(calls.filter((c) => c.includes(':proc_exec3:'))).toHaveLength(4);
      expect(calls.some((c) => c.includes(':proc_spawn'))).toBe(false);
    } else {
      expect(shell.filter((c) => c.endsWith(':proc_spawn2:success'))).toHaveLength(4);
      expect(calls.some((c) => c.includes(':proc_fork:') || c.includes(':proc_exec'))).toBe(false);
    }
  });

  it('runs a command with its arguments as quoting and expansion make them', async () => {
    const r = await run(`X='a  b'; echo 'one  two' "three $X" four\\ five $X "" end`);
    // The empty "" is an argument WASIX's \n-joined arguments cannot carry: it is dropped.
    expect(r).toEqual({ code: 0, out: 'one  two three a  b four five a b end\n', err: '' });
  });

  it('a 3-stage pipeline (gen | cat | wc) moves 10 MiB byte-exactly', async () => {
    const n = 10 * 1024 * 1024;
    const r = await run(`gen ${n} | cat | wc`);
    expect(r).toEqual({ code: 0, out: genDigest(n), err: '' });
  });

  it('cat < a 10 MiB file | cat > another: the bytes arrive exactly', async () => {
    const root = tempRoot();
    const data = randomBytes(10 * 1024 * 1024);
    writeFileSync(join(root, 'in.bin'), data);
    const r = await run('cat < /in.bin | cat > /out.bin', { root });
    expect(r).toEqual({ code: 0, out: '', err: '' });
    expect(readFileSync(join(root, 'out.bin')).equals(data)).toBe(true);
  });

  it('$(...) captures a command\'s output through a pipe, trailing newlines removed, split unless quoted', async () => {
    const r = await run(`echo [$(echo hello   world)] [$(echo 'a  b')] "[$(echo 'a  b')]"; echo $(echo $(echo nested) | wc)`);
    expect(r.out).toBe(`[hello world] [a b] [a  b]\n1 7 ${fnv('nested\n')}\n`);
    expect(r.code).toBe(0);
  });

  it('redirections: > truncates, >> appends, < reads; a missing input file fails that command only', async () => {
    const root = new MemoryFileSystem({ '/tmp/old': 'old contents that are longer\n' });
    const r = await run('echo one > /tmp/old; echo two >> /tmp/old; cat < /tmp/old; wc < /tmp/old > /tmp/count; cat < /tmp/count; cat < /tmp/none; echo $?; pwd > /tmp/p; echo after; cat < /tmp/p', { root });
    // The last: a builtin's redirection is undone after it (the shell's own stdout comes back).
    expect(r.out).toBe(`one\ntwo\n2 8 ${fnv('one\ntwo\n')}\n1\nafter\n/\n`);
    expect(r.err).toMatch(/^sh: \/tmp\/none: No such file or directory\n$/);
    expect(r.code).toBe(0);
  });

  it('exit statuses: $?, && and ||, a pipeline\'s is its last command\'s, the shell\'s its last command\'s, exit N', async () => {
    const sub = ['sh', ...flags, '-c'].join(' ');
    const r = await run(
      `status 3; echo $?; status 0 && echo and; status 1 && echo not; status 1 || echo or; status 0 || echo not; ` +
        `status 7 | status 0; echo $?; status 0 | status 5; echo $?; ${sub} 'echo x; status 7'; echo $?; ${sub} 'exit 4; echo not here'; echo $?; ${sub} 'status 3; exit'; echo $?; status 9`,
    );
    expect(r).toEqual({ code: 9, out: '3\nand\nor\n0\n5\nx\n7\n4\n3\n', err: '' });
  });

  it('an unknown command is "sh: NAME: not found" with status 127, and the shell goes on', async () => {
    const r = await run('nosuch a b; echo $?; nosuch | wc; echo $?');
    expect(r.err).toBe('sh: nosuch: not found\nsh: nosuch: not found\n');
    expect(r.out).toBe(`127\n0 0 ${fnv('')}\n0\n`);
    expect((await run('echo hi | nosuch')).code).toBe(127);
  });

  it('cd and pwd on the root filesystem: absolute, relative, .., a missing directory; children start there', async () => {
    const root = new MemoryFileSystem({ '/home/user/notes': 'in home\n' });
    const r = await run(`pwd; cd /home/user; pwd; cat < notes; cd ..; pwd; cd ./user/../..; pwd; cd /nope; echo $?; cd /home && pwd | cat; sh ${flags.join(' ')} -c pwd; HOME=/home/user; cd; pwd`, { root });
    expect(r.out).toBe('/\n/home/user\nin home\n/home\n/\n1\n/home\n/home\n/home/user\n');
    expect(r.err).toBe('sh: cd: /nope: No such file or directory\n');
  });

  it('export passes variables to the programs it runs; NAME=value cmd to that program alone', async () => {
    // The child is the shell itself (a command too), which prints what its environment holds.
    const sub = ['sh', ...flags, '-c'].join(' ');
    const r = await run(`A=1; export B=2; echo $A $B; ${sub} 'echo [$A] [$B]'; export A; C=3 ${sub} 'echo [$A] [$C]'; echo [$C]`);
    expect(r).toEqual({ code: 0, out: '1 2\n[] [2]\n[1] [3]\n[]\n', err: '' });
  });

  it('finds programs on PATH in the guest\'s filesystem when there are no commands', async () => {
    const root = new MemoryFileSystem(Object.fromEntries(PROGRAMS.map((n) => [`/usr/bin/${n}`, bytes(n)])));
    const r = await shell([...flags, '-c', 'echo found on path | cat | wc; /usr/bin/echo by path; nothere'], { root, commands: {}, env: { PATH: '/bin:/usr/bin' } });
    expect(r.out).toBe(`1 14 ${fnv('found on path\n')}\nby path\n`);
    expect(r.err).toBe('sh: nothere: not found\n');
    expect(r.code).toBe(127);
  });

  it('reads commands from stdin, line by line, with no prompt when stdin is not a terminal', async () => {
    const r = await shell([...flags], { stdin: 'echo first\nstatus 3\necho $?\ncat\nthis line is cat\'s input\n' });
    expect(r).toEqual({ code: 0, out: 'first\n3\nthis line is cat\'s input\n', err: '' });
  });

  it('interactive on a terminal: prompts, and Ctrl-C (SIGINT to the shell) ends the foreground job, not the shell', async () => {
    const stdin = new SharedStdin(1024);
    const out = textSink();
    const err = textSink();
    const started = new Set<number>(); // processes other than the shell whose program has begun
    const trace = (e: TraceEvent) => void (e.name === 'args_get' && e.thread && e.thread.pid !== 1 && started.add(e.thread.pid));
    const terminal = { size: () => ({ cols: 80, rows: 24 }), setRawMode: () => true };
    const wasi = new WASI({ args: ['sh', ...flags], commands, stdin, stdout: out.write, stderr: err.write, terminal, trace });
    const done = wasi.run(sh);
    await until(() => err.text() === '$ ');
    await stdin.writeAll('echo ready; status wait\n');
    // echo, then `status wait`, which reads the terminal until its end: only the signal the shell passes on ends it.
    await until(() => out.text() === 'ready\n' && started.size === 2);
    expect(wasi.kill('SIGINT')).toBe(true);
    await until(() => err.text() === '$ \n$ ');
    await stdin.writeAll('echo $?\n');
    await until(() => out.text() === 'ready\n130\n' && err.text() === '$ \n$ $ ');
    // Ctrl-C at the prompt, with no job, is ignored.
    expect(wasi.kill('SIGINT')).toBe(true);
    await stdin.writeAll('echo still here\n');
    stdin.end();
    expect(await done).toBe(0);
    expect(out.text()).toBe('ready\n130\nstill here\n');
    expect(err.text()).toBe('$ \n$ $ $ \n');
  });

  it('reads a script file; a syntax error is status 2', async () => {
    const root = new MemoryFileSystem({ '/s.sh': 'echo from script\nstatus 4\n', '/bad.sh': 'echo | | cat\n' });
    expect(await shell([...flags, '/s.sh'], { root })).toEqual({ code: 4, out: 'from script\n', err: '' });
    const bad = await shell([...flags, '/bad.sh'], { root });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^sh: syntax error/);
  });
  // Every command is a process of its own (a worker and an instance); on a busy machine that adds up.
}, 180_000);

/** Resolves once `ready()` holds, checking every few milliseconds (a condition, never a time, is awaited). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setTimeout(r, 5));
}

/** wc.c's FNV-1a 64 hash of `s`. */
function fnv(s: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s)) hash = ((hash ^ BigInt(b)) * 0x100000001b3n) & ((1n << 64n) - 1n);
  return hash.toString(16).padStart(16, '0');
}

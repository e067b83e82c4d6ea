// Pipes between processes (test/programs/proc/pipes.c), as POSIX says of them, through both ways a
// pipe is served: by the processes' workers themselves (src/threads/fast-pipes.ts, the default) and by
// the kernel alone (a traced run: every call must pass the kernel's imports). The same program must
// print the same lines either way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';
import { trackedPlatform, withPlatform } from '../threads/tracked-platform.js';

const pipes = readFileSync(join(REPO_ROOT, 'test/programs/proc/pipes.wasm'));

async function run(mode: string, served: 'workers' | 'kernel') {
  const out = textSink();
  const err = textSink();
  const code = await new WASI({ args: ['pipes', mode], stdout: out.write, stderr: err.write, commands: { pipes }, trace: served === 'kernel' ? () => {} : undefined }).run(pipes);
  return { code, out: out.text(), err: err.text() };
}

describe.each(['workers', 'kernel'] as const)('pipes served by the %s', (served) => {
  it('hold 64 KiB; a write of at most PIPE_BUF (4096) goes in whole or not at all, a larger one as far as there is room; poll sees a full pipe unwritable', async () => {
    const r = await run('capacity', served);
    expect(r.out).toBe(
      [
        'filled 65000 then errno 6', // 65 writes of 1000; the 66th does not fit whole: EAGAIN
        'rest 536',
        'one more errno 6',
        'poll full 0',
        'poll after a read 1 revents 1',
        'big 100', // 5000 bytes with room for 100: a short write
        'big when full errno 6',
        'small when full errno 6',
        'atomic 4096', // room 4900
        'atomic without room errno 6', // room 804 < 4096: none of it
        'read 69732 of 69732 in order',
        'at the end 0',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('a write with no reader left is EPIPE, whatever its size', async () => {
    const r = await run('epipe', served);
    expect(r.out).toBe('no reader errno 64\nno reader, large errno 64\n');
  });

  it('a writer killed while it writes: what it wrote stays readable in order, the pipe still works, and the end comes', async () => {
    const r = await run('killed-writer', served);
    expect(r.out).toBe(['read 200000 in order', 'join signal 9', 'left at most 64 KiB: yes, in order, then errno 6', 'after the kill 10', 'read back 10', 'at the end 0', ''].join('\n'));
    expect(r.code).toBe(0);
  });

  it('a blocked writer whose reader leaves gets EPIPE', async () => {
    const r = await run('reader-leaves', served);
    expect(r.out).toBe("child read 100000 in order\nwrite errno 64 after the reader's 100000: yes\njoin code 0\n");
  });

  it('both ends in two forks: each closes one, bytes go one way and an answer the other, and the end comes when the child has gone', async () => {
    const r = await run('forks', served);
    expect(r.out).toBe('parent read 300000 in order\nchild got ack\njoin code 0\nat the end 0\n');
  });

  it('a signal ends a read waiting on an empty pipe with EINTR once its handler has run; the next read gets the bytes', async () => {
    const r = await run('signal-reader', served);
    expect(r.out).toBe('read -1 errno 27 after signal 10\nsignal 0\nthen read 5 [hello]\njoin code 0\n');
  });
});

describe('pipes in workers', () => {
  it('leave no worker behind when a writer is killed in the middle of its writes', async () => {
    const tracked = trackedPlatform();
    const r = await withPlatform(tracked, () => run('killed-writer', 'workers'));
    expect(r.code).toBe(0);
    expect(tracked.alive()).toHaveLength(0);
  });
});

// wasi-kit's own benchmarks, added to the shared suite's table by bench/run.mjs (same fields as
// BENCHES and FIXTURES in ../shared/bench/run.mjs). Programs are bench/src/*.c, built by build.sh.
import fs from 'node:fs';
import path from 'node:path';

const MiB = 1 << 20;

export const BENCHES = {
  'write-file-256': {
    what: '256 MiB to a new file in a preopen, 64 KiB fd_write calls (with write-file: linear in size?)',
    wasm: 'write-big', args: [`${256 * MiB}`, '65536', '/out/big.txt'], out: '/out', expect: `ok bytes=${256 * MiB}`,
  },
  'read-small': {
    what: '16 MiB of a file in 16-byte fd_read calls (1M reads), checked against 1 MiB reads',
    wasm: 'read-small', args: ['/data/big.bin', `${16 * MiB}`, '16'], data: ['/data', 'file64m'],
    expect: `ok bytes=${16 * MiB} reads=${MiB}`,
  },
  'poll-clock': {
    what: '200,000 x poll_oneoff on one relative monotonic clock of 0 ns',
    wasm: 'poll-clock', args: ['200000', '0'], expect: 'ok polls=200000',
  },
  'poll-sleep': {
    what: '200 x poll_oneoff on one relative monotonic clock of 1 ms (sleep overshoot)',
    wasm: 'poll-clock', args: ['200', '1000000'], expect: 'ok polls=200',
  },
  'cli-startup': {
    what: "a CLI's startup: env, isatty, stat + read a config file, list its directory, a page of printf",
    wasm: 'cli-startup', args: ['/data'], data: ['/data', 'cli'],
    env: { HOME: '/home/user', TERM: 'xterm-256color', COLUMNS: '100', LANG: 'C.UTF-8', PATH: '/usr/bin:/bin' },
    expect: 'ok keys=30 entries=11',
  },
};

export const FIXTURES = {
  cli(dir) {
    const lines = ['# settings'];
    for (let s = 0; s < 3; s++) {
      lines.push(`[section${s}]`, '# ten keys');
      for (let k = 0; k < 10; k++) lines.push(`key${s}_${k} = value ${k}`);
    }
    fs.writeFileSync(path.join(dir, 'config.ini'), lines.join('\n') + '\n');
    for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(dir, `file-${i}.txt`), `file ${i}\n`);
  },
};

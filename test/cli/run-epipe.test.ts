import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { tempDir } from '../helpers/run-program.js';

// A reader that goes away (`| head -c 10`) is the guest's to handle: its write fails with EPIPE
// (errno `pipe`), it reports it and exits 1; wasi-kit adds no host error of its own.
it('a closed stdout pipe reaches the guest as EPIPE, not as a host failure', () => {
  const dir = tempDir('wasi-kit-epipe-');
  onTestFinished(dir.cleanup);
  const input = join(dir.path, 'input.bin');
  writeFileSync(input, Buffer.alloc(4 << 20, 'x'));
  const r = spawnSync(
    'bash',
    ['-c', `node --import tsx src/cli.ts run test/programs/stdin-echo.wasm < ${input} | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(r.stderr).not.toContain('failed inside the host');
  expect(r.stderr).toMatch(/write: Broken pipe/);
  expect(r.stderr).toContain('status=1');
});

import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/run-program.js';
import { textSink } from '../threads/helpers.js';

// A threaded guest (every thread in a worker, syscalls on this thread's kernel, which must never
// block): its socket calls park until the I/O worker has answered. run() is asynchronous, so the
// Node peer lives on this thread's event loop.
describe('WASIX sockets from guest threads', () => {
  it('three threads each connect, send, shut down writing and read their echo to the end', async () => {
    const server = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const out = textSink();
      const program = readFileSync(join(REPO_ROOT, 'test/programs/threads/net-echo.wasm'));
      const code = await new WASI({ args: ['net-echo', String(port), '3'], stdout: out.write, network: { connect: [`127.0.0.1:${port}`] } }).run(program);
      expect(out.text()).toBe('thread 0: thread 0\nthread 1: thread 1\nthread 2: thread 2\n');
      expect(code).toBe(0);
      // Without the grant, every thread's connect is acces (2).
      const denied = textSink();
      expect(await new WASI({ args: ['net-echo', String(port), '2'], stdout: denied.write }).run(program)).toBe(1);
      expect(denied.text()).toBe('thread 0: errno 2\nthread 1: errno 2\n');
    } finally {
      server.close();
    }
  });
});

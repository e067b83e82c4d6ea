// The C test programs run on a browser page's main thread, through wasi-kit's browser bundle and the
// memory filesystem, give exactly what they give under Node (src/index.ts). Then what differs in a
// browser: default stdio, no host directories, sleeping only in a worker.
import { beforeAll, describe, expect, it } from 'vitest';
import { SUBSCRIPTION, writeSubscription } from '../../generated/preview1/layout.js';
import { Clockid, Errno } from '../../generated/preview1/types.js';
import { MemoryFileSystem } from '../../src/index.js';
import { runWasiKit, type RunOptions } from '../helpers/run-program.js';
import { runInPage, useDemo, type PageRunOptions, type PageWindow } from './chromium.js';

const demo = useDemo();

interface Case {
  name: string;
  args?: string[];
  env?: Record<string, string>;
  stdin?: Uint8Array;
  /** Seeds a MemoryFileSystem preopened at /sandbox. */
  files?: Record<string, string>;
}

/** Runs in Node and in the page; returns both, bytes as arrays. */
async function both(c: Case) {
  const nodeFs = c.files ? new MemoryFileSystem(c.files) : undefined;
  const options: RunOptions = { args: c.args, env: c.env, stdin: c.stdin ?? new Uint8Array(0), preopens: nodeFs ? { '/sandbox': nodeFs } : {} };
  const n = runWasiKit(c.name, options);
  const pageOptions: PageRunOptions = { args: c.args, env: c.env, stdin: [...(c.stdin ?? [])], files: c.files };
  const b = await runInPage(demo().page, c.name, pageOptions);
  const node = {
    stdout: [...n.stdout],
    stderr: [...n.stderr],
    exitCode: n.exitCode,
    error: n.error === undefined ? undefined : (n.error as Error).name,
    files: Object.fromEntries(Object.entries(nodeFs?.toFiles() ?? {}).map(([p, v]) => [p, [...v]])),
  };
  const browser = { stdout: b.stdout, stderr: b.stderr, exitCode: b.exitCode, error: b.error?.split(':')[0], files: b.files };
  return { node, browser };
}

const text = (bytes: number[]) => new TextDecoder().decode(new Uint8Array(bytes));

describe('the test programs give the same results on a page as in Node', () => {
  const cases: [string, Case, (r: Awaited<ReturnType<typeof both>>['node']) => void][] = [
    ['hello', { name: 'hello' }, (r) => expect(text(r.stdout)).toBe('hello, world\n')],
    [
      'args-env',
      { name: 'args-env', args: ['a', 'b c', 'héllo wörld ✓', ''], env: { FOO: 'bar', EMPTY: '', EQ: 'x=y', ÜNI: 'çødé' } },
      (r) => expect(text(r.stdout)).toContain('argv[3]=héllo wörld ✓\n'),
    ],
    ['stdin-echo (bytes)', { name: 'stdin-echo', stdin: new Uint8Array([0, 255, 10, 0xe2, 0x9c, 0x93, 13, 10, 7]) }, (r) => expect(text(r.stderr)).toBe('bytes=9\n')],
    ['stdout-no-newline', { name: 'stdout-no-newline' }, (r) => expect(text(r.stdout)).toBe('no newline at end')],
    ['files (memory filesystem)', { name: 'files', args: ['/sandbox'], files: {} }, (r) => expect(text(r.stdout)).toMatch(/readdir: a-dir b\.txt c\.txt\n[^]*files ok\n$/)],
    ['sandbox-escape (memory filesystem)', { name: 'sandbox-escape', args: ['/sandbox'], files: { '/data.txt': 'x' } }, (r) => expect(text(r.stdout)).toMatch(/sandbox held\n$/)],
    ['fd-stat', { name: 'fd-stat', args: ['/sandbox'], files: {} }, (r) => expect(text(r.stdout)).toContain('preopen 3: /sandbox')],
    ['clock', { name: 'clock' }, (r) => expect(text(r.stdout)).toBe('clock ok\n')],
    ['random', { name: 'random' }, (r) => expect(text(r.stdout)).toBe('random ok\n')],
    ['trap', { name: 'trap' }, (r) => expect([text(r.stdout), r.error]).toEqual(['before trap\n', 'RuntimeError'])],
    [
      'wc',
      { name: 'wc', args: ['/sandbox/a.txt', '/sandbox/b.txt', '/sandbox/missing'], files: { '/a.txt': 'one two\nthree\n', '/b.txt': 'ünï cödé\n' } },
      (r) => expect([text(r.stdout), text(r.stderr), r.exitCode]).toEqual(['2 3 14 /sandbox/a.txt\n1 2 13 /sandbox/b.txt\n3 5 27 total\n', 'wc: /sandbox/missing: No such file or directory\n', 1]),
    ],
    [
      'lined',
      { name: 'lined', args: ['/sandbox/list.txt'], stdin: new TextEncoder().encode('a eggs\na bread\ni 1 milk\nc 3 rye bread\nd 9\nw\np\n'), files: { '/list.txt': '' } },
      (r) => expect([text(r.stdout), text(r.stderr), text(r.files['/list.txt'] ?? [])]).toEqual(['wrote 20 bytes\n1: milk\n2: eggs\n3: rye bread\n', '?: d 9\n', 'milk\neggs\nrye bread\n']),
    ],
    [
      'write-file',
      { name: 'write-file', args: ['/sandbox/out.txt', 'first', 'second line'], env: { NOTE: 'noted' }, files: {} },
      (r) => expect(text(r.files['/out.txt'] ?? [])).toBe('first\nsecond line\nnoted\n'),
    ],
    ...[0, 1, 42, 255, 300].map((code): [string, Case, (r: Awaited<ReturnType<typeof both>>['node']) => void] => [
      `exit-code ${code}`,
      { name: 'exit-code', args: [String(code)] },
      (r) => expect(r.exitCode).toBe(code),
    ]),
  ];

  it.each(cases)('%s', async (_, c, check) => {
    const { node, browser } = await both(c);
    check(node);
    // random and clock print only "ok" lines, so their outputs compare like the rest.
    expect(browser).toEqual(node);
  });
});

describe('in the browser', () => {
  it('serves a bundle that imports no Node built-in', async () => {
    const bundle = await (await fetch(new URL('wasi-kit.js', demo().url))).text();
    expect(bundle).toContain('MemoryFileSystem');
    expect(bundle).not.toMatch(/(from|import\(|require\()\s*["']node:/);
  });

  it('sends stdout and stderr to the console line by line, a partial last line once the run ends', async () => {
    const hello = await runInPage(demo().page, 'hello', { consoleStdio: true });
    expect(hello.console).toEqual(['log: hello, world']);
    const partial = await runInPage(demo().page, 'stdout-no-newline', { consoleStdio: true });
    expect(partial.console).toEqual(['log: no newline at end', 'error: err']);
  });

  it('has an empty stdin by default', async () => {
    const r = await runInPage(demo().page, 'stdin-echo');
    expect([text(r.stdout), text(r.stderr), r.exitCode]).toEqual(['', 'bytes=0\n', 0]);
  });

  it('refuses host directories as preopens, naming the option', async () => {
    const thrown = await demo().page.evaluate(async () => {
      const { WASI } = (window as unknown as PageWindow).wasiKit;
      try {
        new WASI({ preopens: { '/data': '/tmp' } });
        return undefined;
      } catch (e) {
        return { name: (e as Error).name, code: (e as { code: string }).code, option: (e as { option: string }).option };
      }
    });
    expect(thrown).toEqual({ name: 'WasiOptionError', code: 'ERR_INVALID_ARG_VALUE', option: "options.preopens['/data']" });
  });

  describe('sleeping (poll_oneoff on a clock)', () => {
    // A guest that sleeps 2 ms through poll_oneoff; exits with the errno, or on success 100 + the events.
    let sleeper: number[];
    beforeAll(async () => {
      const sub = new DataView(new ArrayBuffer(SUBSCRIPTION.SIZE));
      writeSubscription(sub, 0, { userdata: 7n, u: { tag: 'clock', value: { id: Clockid.monotonic, timeout: 2_000_000n, precision: 0n, flags: 0 } } });
      const data = [...new Uint8Array(sub.buffer)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
      const wabt = await (await import('wabt')).default();
      const parsed = wabt.parseWat(
        'sleep.wat',
        `(module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "${data}")
          (func (export "_start") (local $errno i32)
            (local.set $errno (call $poll (i32.const 0) (i32.const 256) (i32.const 1) (i32.const 512)))
            (if (local.get $errno) (then (call $exit (local.get $errno))))
            (call $exit (i32.add (i32.const 100) (i32.load (i32.const 512))))))`,
      );
      sleeper = [...parsed.toBinary({}).buffer];
      parsed.destroy();
    });

    it('is notsup on the main thread, which may not block', async () => {
      const code = await demo().page.evaluate(async (bytes) => {
        const { WASI } = (window as unknown as PageWindow).wasiKit;
        const wasi = new WASI({ version: 'preview1' });
        return wasi.start(await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(bytes)), wasi.getImportObject()));
      }, sleeper);
      expect(code).toBe(Errno.notsup);
    });

    it('works in a worker of a cross-origin-isolated page', async () => {
      const result = await demo().page.evaluate(async (bytes) => {
        const source = `
          import { WASI } from '${location.origin}/wasi-kit.js';
          self.onmessage = async ({ data }) => {
            const wasi = new WASI({ version: 'preview1' });
            const instance = await WebAssembly.instantiate(await WebAssembly.compile(data), wasi.getImportObject());
            self.postMessage({ code: wasi.start(instance) });
          };`;
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
        const reply = new Promise((resolve, reject) => {
          worker.onmessage = (e) => resolve(e.data);
          worker.onerror = (e) => reject(new Error(e.message));
        });
        worker.postMessage(new Uint8Array(bytes));
        const r = await reply;
        worker.terminate();
        return { isolated: crossOriginIsolated, ...(r as object) };
      }, sleeper);
      expect(result).toEqual({ isolated: true, code: 101 });
    });
  });
});

/**
 * The published package, as a user gets it: `npm run build` and `npm pack` in a copy of the
 * repository, the tarball unpacked as `node_modules/wasi-kit` of a consumer project, and everything
 * below imports `wasi-kit` by name (the exports map picks the file) in a fresh node process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, programPath } from '../helpers/run-program.js';

let copy = '';
let consumer = '';
let packed: string[] = [];
const pkg = () => join(consumer, 'node_modules/wasi-kit');

/** Runs an ES module in the consumer project; its stdout, stderr and status. */
function runInConsumer(source: string, args: string[] = []) {
  const file = join(consumer, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [...args, file], { cwd: consumer, encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

beforeAll(() => {
  // Below node_modules/.cache, so that the build (tsc, esbuild) and the consumer find the repository's
  // dependencies by walking up, as an installed package finds its own.
  const cache = join(REPO_ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  copy = mkdtempSync(join(cache, 'wasi-kit-pkg-'));
  for (const p of ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'generated', 'bin']) cpSync(join(REPO_ROOT, p), join(copy, p), { recursive: true });
  execFileSync('npm', ['run', '-s', 'build'], { cwd: copy, stdio: 'pipe', timeout: 170_000 });
  const out = join(copy, 'pack');
  mkdirSync(out);
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: copy, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  packed = info!.files.map((f) => f.path);
  consumer = join(copy, 'consumer');
  mkdirSync(join(consumer, 'node_modules/wasi-kit'), { recursive: true });
  execFileSync('tar', ['xzf', join(out, info!.filename), '-C', pkg(), '--strip-components=1']);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
}, 200_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

/** Node built-ins a bundle names (static or dynamic import, require): what a browser could not load. */
const nodeImportsIn = (code: string) =>
  [...code.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](node:[^"']+|(?:fs|os|path|child_process|crypto|tty|worker_threads|module|url)(?:\/[^"']*)?)["']/g)].map((m) => m[1]);

/** Every file path the exports map, main, types and bin name (conditions flattened). */
function namedFiles(manifest: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.main);
  walk(manifest.types);
  walk(manifest.bin);
  return [...new Set(out)];
}

describe('the packed package', () => {
  it('contains every file the exports map, main, types and bin name, and what those files load beside them', () => {
    const manifest = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as Record<string, unknown>;
    const named = namedFiles(manifest);
    expect(named).toEqual(expect.arrayContaining(['dist/index.js', 'dist/browser.js', 'dist/types/src/index.d.ts', 'dist/types/src/browser.d.ts', 'bin/wasi-kit.js']));
    expect(packed).toEqual(expect.arrayContaining(named));
    // The workers are started by URL beside the entry that starts them, the CLI bin imports dist/cli.js.
    expect(packed).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/guest-worker-node.js', 'dist/guest-worker-browser.js']));
    for (const js of packed.filter((p) => p.startsWith('dist/') && p.endsWith('.js'))) expect(packed).toContain(`${js}.map`);
    // One bundle per entry: nothing else under dist/ but maps, declarations and each generated version's
    // ABI, which the Node bundles read on first use (scripts/build.mjs).
    const versions = readdirSync(join(REPO_ROOT, 'generated')).filter((v) => existsSync(join(REPO_ROOT, 'generated', v, 'abi.json')));
    expect(versions).toContain('wasix');
    expect(packed.filter((p) => p.startsWith('dist/') && !p.startsWith('dist/types/') && !p.endsWith('.map')).sort()).toEqual(
      [...['dist/browser.js', 'dist/cli.js', 'dist/guest-worker-browser.js', 'dist/guest-worker-node.js', 'dist/index.js'], ...versions.map((v) => `dist/abi/${v}.json`)].sort(),
    );
  });

  it('the browser bundles name no Node built-in, and leave memfs to the page bundler', () => {
    for (const file of ['dist/browser.js', 'dist/guest-worker-browser.js']) {
      const code = readFileSync(join(pkg(), file), 'utf8');
      expect(nodeImportsIn(code), file).toEqual([]);
    }
    expect(readFileSync(join(pkg(), 'dist/browser.js'), 'utf8')).toMatch(/from\s*"memfs"/);
  });
});

describe("import 'wasi-kit' from the installed package", () => {
  const hello = JSON.stringify(programPath('hello'));
  const runHello = `
    import { readFileSync } from 'node:fs';
    import { WASI, MemoryFileSystem } from 'wasi-kit';
    const out = [];
    const wasi = new WASI({ version: 'preview1', args: ['hello'], stdout: (b) => out.push(Buffer.from(b)), preopens: { '/m': new MemoryFileSystem({ '/a': 'x' }) } });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(${hello})), wasi.getImportObject());
    const code = wasi.start(instance);
    process.stdout.write(JSON.stringify({ code, out: Buffer.concat(out).toString() }));`;

  it('runs a program through the Node entry', () => {
    const r = runInConsumer(runHello);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, out: 'hello, world\n' });
  });

  it('runs a program through the browser entry (the `browser` condition)', () => {
    const r = runInConsumer(runHello, ['--conditions=browser']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, out: 'hello, world\n' });
  });

  it('traces through the Node entry, whose ABI metadata is read from beside the bundle on first use', () => {
    const r = runInConsumer(`
      import { readFileSync } from 'node:fs';
      import { WASI } from 'wasi-kit';
      const calls = [];
      const trace = (e) => calls.push({ call: e.module + '.' + e.name, params: e.abi.params.map((p) => p.name), errno: e.errno });
      const wasi = new WASI({ args: ['hello'], stdout: () => {}, trace });
      wasi.start(await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(${hello})), wasi.getImportObject()));
      // A spread reads every module of 'auto' (the default), each traced by its version's ABI.
      const served = Object.entries({ ...wasi.getImportObject() }).map(([m, fns]) => [m, typeof fns.fd_write]);
      process.stdout.write(JSON.stringify({ writes: calls.filter((c) => c.call.endsWith('.fd_write')), served }));`);
    expect(r.stderr).toBe('');
    const { writes, served } = JSON.parse(r.stdout) as { writes: { call: string; params: string[]; errno: string }[]; served: [string, string][] };
    expect(served).toContainEqual(['wasix_32v1', 'function']);
    expect(served).toContainEqual(['wasix_64v1', 'function']);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes[0]).toEqual({ call: 'wasi_snapshot_preview1.fd_write', params: ['fd', 'iovs'], errno: 'success' });
  });

  it('resolves the browser condition to the browser bundle and the default to the Node one', () => {
    const which = `import { createRequire } from 'node:module'; process.stdout.write(import.meta.resolve('wasi-kit'));`;
    expect(runInConsumer(which).stdout).toMatch(/node_modules\/wasi-kit\/dist\/index\.js$/);
    expect(runInConsumer(which, ['--conditions=browser']).stdout).toMatch(/node_modules\/wasi-kit\/dist\/browser\.js$/);
  });

  it('loads memfs (its CommonJS modules, counted) on the first MemoryFileSystem, not at import; worker_threads and tty on first use', () => {
    const r = runInConsumer(`
      import { createRequire } from 'node:module';
      const cache = createRequire(import.meta.url).cache;
      // CommonJS modules loaded: the bundle is ESM, so these are memfs and its dependencies.
      const memfsFiles = () => Object.keys(cache).length;
      const builtins = () => process.moduleLoadList.filter((m) => /^NativeModule (tty|worker_threads)$/.test(m));
      const { MemoryFileSystem, WASI } = await import('wasi-kit');
      const afterImport = { memfs: memfsFiles(), builtins: builtins() };
      new WASI({ version: 'preview1', args: ['x'] });
      const afterWasi = { memfs: memfsFiles(), builtins: builtins() };
      new MemoryFileSystem({ '/a': 'b' });
      process.stdout.write(JSON.stringify({ afterImport, afterWasi, afterMemory: memfsFiles() }));`);
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout) as { afterImport: { memfs: number; builtins: string[] }; afterWasi: { memfs: number; builtins: string[] }; afterMemory: number };
    expect(seen.afterImport).toEqual({ memfs: 0, builtins: [] });
    expect(seen.afterWasi).toEqual({ memfs: 0, builtins: [] });
    expect(seen.afterMemory).toBeGreaterThan(10);
  });

  it('runs a threaded program, whose workers the bundle finds beside itself', () => {
    const r = runInConsumer(`
      import { readFileSync } from 'node:fs';
      import { WASI } from 'wasi-kit';
      const out = [];
      const code = await new WASI({ args: ['work', '4'], stdout: (b) => out.push(Buffer.from(b)) }).run(readFileSync(${JSON.stringify(programPath('threads/work'))}));
      process.stdout.write(JSON.stringify({ code, out: Buffer.concat(out).toString() }));`);
    expect(r.stderr).toBe('');
    const { code, out } = JSON.parse(r.stdout) as { code: number; out: string };
    expect(code).toBe(0);
    expect(out.length).toBeGreaterThan(0);
  });

  it('has complete type declarations: a typed consumer compiles against them', () => {
    writeFileSync(join(consumer, 'use.ts'), `
      import { WASI, MemoryFileSystem, HostFileSystem, WasiOptionError, type WasiOptions, type FileSystem } from 'wasi-kit';
      const fs: FileSystem = new MemoryFileSystem({ '/a': 'b' });
      const options: WasiOptions = { version: 'preview1', args: ['x'], preopens: { '/m': fs, '/h': new HostFileSystem('.') } };
      const wasi = new WASI(options);
      const code: number = wasi.start({} as WebAssembly.Instance);
      const err: string = new WasiOptionError('ERR_INVALID_ARG_VALUE', 'options.x', 'bad').option;
      export { code, err };`);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'], noEmit: true }, files: ['use.ts'] }));
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', consumer], { encoding: 'utf8', timeout: 120_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('the bin runs a program', () => {
    expect(existsSync(join(pkg(), 'bin/wasi-kit.js'))).toBe(true);
    const r = spawnSync(process.execPath, [join(pkg(), 'bin/wasi-kit.js'), 'run', programPath('hello')], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toBe('hello, world\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

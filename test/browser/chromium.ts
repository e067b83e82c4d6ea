/**
 * For the browser tests: starts the demo server (examples/browser/serve.mjs) in a child process and
 * Debian's chromium through playwright-core, with a fresh profile. Never downloads a browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM, requireFile } from '../helpers/dependencies.js';
import { REPO_ROOT } from '../helpers/run-program.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Demo {
  /** The demo page, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  context: BrowserContext;
  /** A page with the demo loaded and ready, and wasi-kit's browser bundle as `window.wasiKit`. */
  page: Page;
  /** What the page logged to the console and threw, for failure messages. */
  log: string[];
  close(): Promise<void>;
}

function startServer(): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(process.execPath, ['examples/browser/serve.mjs', '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`demo server printed no URL in 20 s:\n${out}`)), 20_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      server.kill();
      reject(err);
    };
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ url, server });
      }
    };
    server.stdout!.on('data', read);
    server.stderr!.on('data', read);
    server.once('exit', (code) => fail(new Error(`demo server exited (${code}):\n${out}`)));
  });
}

/** Starts the demo before a test file's tests and closes it after them; call the result for the running demo. */
export function useDemo(): () => Demo {
  let demo: Demo | undefined;
  beforeAll(async () => {
    demo = await startDemo();
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
  }, 30_000);
  return () => demo!;
}

export async function startDemo(): Promise<Demo> {
  requireFile(CHROMIUM, 'chromium');
  const { url, server } = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'wasi-kit-chromium-'));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    server.kill();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
      acceptDownloads: true,
      timeout: 30_000,
    });
    context.setDefaultTimeout(15_000);
    const page = context.pages()[0] ?? (await context.newPage());
    const log: string[] = [];
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForSelector('body[data-ready]');
    // page.evaluate bodies cannot import() (vitest rewrites it), so the bundle is put on the window.
    await page.addScriptTag({ type: 'module', content: "import * as wasiKit from '/wasi-kit.js'; window.wasiKit = wasiKit;" });
    await page.waitForFunction(() => 'wasiKit' in window);
    return { url, context, page, log, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The page's window, for page.evaluate bodies (which run in the page, so can use types only). */
export type PageWindow = Window & { wasiKit: typeof import('../../src/browser.js') };

/** What a run in the page gives back: byte arrays as plain numbers, so they cross the page boundary. */
export interface PageRun {
  stdout: number[];
  stderr: number[];
  exitCode: number | undefined;
  /** `Name: message` of what start() threw. */
  error: string | undefined;
  /** The memory filesystem afterwards, by absolute path. */
  files: Record<string, number[]>;
  /** What the guest's stdio did by default, as the console saw it. */
  console: string[];
}

export interface PageRunOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Bytes for stdin; undefined leaves stdin to the platform default (empty in a browser). */
  stdin?: number[];
  /** Files of a MemoryFileSystem preopened at /sandbox (text by path); none: no preopen. */
  files?: Record<string, string>;
  /** Leave stdout/stderr to the platform (the console) instead of capturing them. */
  consoleStdio?: boolean;
}

/** Runs `test/programs/<name>.wasm` on the page's main thread with wasi-kit's browser bundle. */
export function runInPage(page: Page, name: string, opts: PageRunOptions = {}): Promise<PageRun> {
  return page.evaluate(
    async ({ name, opts }) => {
      const { WASI, MemoryFileSystem } = (window as unknown as PageWindow).wasiKit;
      const fs = opts.files ? new MemoryFileSystem(opts.files) : undefined;
      const stdout: number[] = [];
      const stderr: number[] = [];
      const seen: string[] = [];
      const original = { log: console.log, error: console.error };
      console.log = (line: string) => seen.push(`log: ${line}`);
      console.error = (line: string) => seen.push(`error: ${line}`);
      let exitCode: number | undefined;
      let error: string | undefined;
      try {
        const wasi = new WASI({
          version: 'preview1',
          args: [name, ...(opts.args ?? [])],
          env: opts.env ?? {},
          ...(opts.stdin ? { stdin: new Uint8Array(opts.stdin) } : {}),
          ...(opts.consoleStdio ? {} : { stdout: (b: Uint8Array) => stdout.push(...b), stderr: (b: Uint8Array) => stderr.push(...b) }),
          preopens: fs ? { '/sandbox': fs } : {},
        });
        const bytes = await (await fetch(`/programs/${name}.wasm`)).arrayBuffer();
        const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), wasi.getImportObject());
        exitCode = wasi.start(instance);
      } catch (e) {
        error = `${(e as Error).name}: ${(e as Error).message}`;
      }
      // The console sink logs a partial last line from a microtask once start() has returned.
      await Promise.resolve();
      Object.assign(console, original);
      const files: Record<string, number[]> = {};
      for (const [path, b] of Object.entries((fs?.toFiles() ?? {}) as Record<string, Uint8Array>)) files[path] = [...b];
      return { stdout, stderr, exitCode, error, files, console: seen };
    },
    { name, opts },
  );
}

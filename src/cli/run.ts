import { readFileSync, statSync } from 'node:fs';
import { WASI, WasiHostError, WasiOptionError, WasiStateError, memoryFileSystemFromHostDirectory, type PreopenTarget, type WasiOptions } from '../index.js';
import type { RunConfig } from './args.js';
import { TraceSink } from './trace-sink.js';
import { HostError } from './usage-error.js';
import { memoryFor, memoryImportOf } from '../threads/module-imports.js';

/** The exit status of a guest that traps, as wasmtime gives on Unix (128 + SIGABRT). */
export const TRAP_EXIT = 134;

/** Writes the CLI's own one-line messages (never the guest's output). */
export type Report = (line: string) => void;

/**
 * Runs the module as a WASI command on the host's stdio and returns the process exit status: the
 * guest's exit code (8 bits, as the OS keeps it), or {@link TRAP_EXIT} after a trap. Host failures
 * throw {@link HostError}.
 */
export async function runCommand(config: RunConfig, report: Report): Promise<number> {
  const { module, bytes } = compile(config.wasm);
  const preopens: Record<string, PreopenTarget> = {};
  for (const { host, guest } of config.dirs) {
    checkDirectory(host);
    preopens[guest] = config.fs === 'memory' ? memoryFileSystemFromHostDirectory(host) : host;
  }
  let root: PreopenTarget | undefined;
  if (config.root !== undefined) {
    checkDirectory(config.root, '--root');
    root = config.fs === 'memory' ? memoryFileSystemFromHostDirectory(config.root) : config.root;
  }
  const sink = config.trace ? new TraceSink(config.trace) : undefined;
  let trap: string | undefined;
  try {
    const wasi = makeWasi(config, preopens, root, sink);
    const imports = wasi.getImportObject() as Record<string, Record<string, unknown>>;
    // A memory import is made by run(); wasi-threads' thread-spawn is served by its thread dispatcher.
    const missing = WebAssembly.Module.imports(module)
      .filter((i) => i.kind === 'function' && imports[i.module]?.[i.name] === undefined && !(i.module === 'wasi' && i.name === 'thread-spawn'))
      .map((i) => `${i.module}.${i.name}`);
    if (missing.length > 0) {
      throw new HostError(`${config.wasm} needs imports that wasi-kit does not provide (${missing.length}): ${missing.join(', ')}`);
    }
    if (!WebAssembly.Module.exports(module).some((e) => e.name === '_start' && e.kind === 'function')) {
      throw new HostError(`${config.wasm} is not a WASI command: it exports no _start function`);
    }
    try {
      const limits = memoryImportOf(bytes);
      // A program that starts processes and defines its own memory is rewritten by run(), which needs its bytes.
      const processes = !limits && WebAssembly.Module.imports(module).some((i) => i.module === 'wasix_32v1' && /^proc_(spawn|exec|join)/.test(i.name));
      // A guest in workers leaves this thread free: Ctrl-C and the like reach it as WASIX signals (its
      // handler, or 128 + signo). A guest on this thread keeps Node's default (the host process ends).
      const inWorkers = processes || limits?.shared === true || WebAssembly.Module.imports(module).some((i) => i.kind === 'function' && ((i.module === 'wasi' && i.name === 'thread-spawn') || (i.module === 'wasix_32v1' && /^(thread_spawn|thread_join|futex_)/.test(i.name))));
      const forward = (sig: NodeJS.Signals) => void wasi.kill(sig);
      const forwarded: NodeJS.Signals[] = inWorkers ? ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] : [];
      for (const sig of forwarded) process.on(sig, forward);
      try {
        return (await (processes ? wasi.run(bytes) : wasi.run(module, limits && { memory: memoryFor(limits) }))) & 0xff;
      } finally {
        for (const sig of forwarded) process.off(sig, forward);
      }
    } catch (err) {
      trap = trapMessage(err);
      if (trap !== undefined) return TRAP_EXIT;
      if (err instanceof WebAssembly.LinkError) throw new HostError(`${config.wasm}: ${err.message}`);
      if (err instanceof WasiOptionError) throw new HostError(`${config.wasm}: ${err.message}`);
      if (err instanceof WasiHostError) throw new HostError(err.message.replace(/^wasi-kit: /, ''));
      if (err instanceof WasiStateError) throw new HostError(err.message.replace(/^wasi-kit: /, ''));
      throw err;
    }
  } finally {
    // The trace ends before the CLI's own last word.
    sink?.close();
    if (trap !== undefined) report(`trap: ${trap}`);
  }
}

function makeWasi(config: RunConfig, preopens: Record<string, PreopenTarget>, root: PreopenTarget | undefined, sink: TraceSink | undefined): WASI {
  const options: WasiOptions = {
    version: config.version,
    args: [config.wasm, ...config.guestArgs],
    env: config.env,
    preopens,
    stdin: 0,
    stdout: 1,
    stderr: 2,
    returnOnExit: true,
  };
  if (root !== undefined) options.root = root;
  if (config.cwd !== undefined) options.cwd = config.cwd;
  if (config.network) options.network = config.network;
  if (sink) options.trace = sink.event;
  if (config.commands) {
    // Read when first spawned, so a command that is never run costs nothing (a missing file is that spawn's noent).
    options.commands = Object.fromEntries(Object.entries(config.commands).map(([name, file]) => [name, () => readFileSync(file)]));
  }
  try {
    return new WASI(options);
  } catch (err) {
    if (err instanceof WasiOptionError) throw new HostError(err.message);
    throw err;
  }
}

/** What a trap says, or undefined when `err` is no trap. V8 reports wasm stack exhaustion as a RangeError. */
function trapMessage(err: unknown): string | undefined {
  if (err instanceof WebAssembly.RuntimeError) return err.message;
  if (err instanceof RangeError && /call stack/i.test(err.message)) return 'call stack exhausted';
  return undefined;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

function compile(path: string): { module: WebAssembly.Module; bytes: Uint8Array } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HostError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`);
  }
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) throw new HostError(`${path} is not a WebAssembly module`);
  // A component's header has layer 1 where a core module has 0 (bytes 6-7).
  if (bytes[6] === 1 && bytes[7] === 0) throw new HostError(`${path} is a WebAssembly component; wasi-kit runs core modules (WASI preview1 and older)`);
  try {
    return { module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), bytes };
  } catch (err) {
    throw new HostError(`${path} is not a valid WebAssembly module: ${(err as Error).message}`);
  }
}

function checkDirectory(host: string, flag = '--dir'): void {
  let isDir: boolean;
  try {
    isDir = statSync(host).isDirectory();
  } catch {
    throw new HostError(`${flag} ${host}: no such directory`);
  }
  if (!isDir) throw new HostError(`${flag} ${host}: not a directory`);
}

import type { HostTerminal } from './terminal.js';
import { WasiOptionError } from './errors.js';
import { WASI_VERSION_OPTIONS, type WasiVersion } from './version-ids.js';
import type { FileSystem } from './fs/types.js';
import type { ClockSource } from './kernel/kernel.js';
import type { CommandSource } from './kernel/programs.js';
import type { SocketListener } from './sockets/types.js';
import { isSocketListener } from './sockets/types.js';
import { parseNetworkOptions, type NetworkOptions } from './sockets/grants.js';

export type { NetworkOptions } from './sockets/grants.js';
import { SharedStdin } from './stdin/shared-stdin.js';

/** A Node readable stream, as `options.stdin` takes it (one over a file descriptor: `process.stdin`, a pipe, a tty). */
export interface StdinStream {
  readonly readable: boolean;
}
import type { TraceEvent } from './trace.js';

export type { TraceEvent } from './trace.js';

/** A WASI version by name; `'unstable'` is node:wasi's name for `'snapshot0'`. */
export type { WasiVersion } from './version-ids.js';

/** A preopened directory: a host path (Node), or a filesystem whose root is the directory. */
export type PreopenTarget = string | FileSystem | { fs: FileSystem; readOnly?: boolean } | { path: string; readOnly?: boolean };

/**
 * Output to a host fd with `buffer: true`: the guest's writes gather in 64 KiB and reach the fd in one
 * write, flushed before the guest's next syscall that is not a write to this output (so before any
 * call that waits), when the buffer is full, when the program exits or traps, and at the end of the
 * current JavaScript task. Off by default: a reader of the pipe sees the bytes later than it would
 * without. A write error of a flush that no write waited for is reported by the next write.
 */
export interface CoalescedOutput {
  /** The host fd written to. */
  fd: number;
  /** `true` coalesces small writes; `false` writes each as the guest makes it (as a plain fd). */
  buffer: boolean;
}

/** Options of `new WASI()`: node:wasi's, and more. */
export interface WasiOptions {
  /** Which WASI the module imports. Default `'auto'`: whatever the module imports. */
  version?: WasiVersion;
  /** The guest's argv, exactly as given (argv[0] included). Default `[]`. */
  args?: readonly string[];
  /** The guest's environment, exactly as given; nothing from the host is added. Default `{}`. */
  env?: Readonly<Record<string, string>>;
  /** Guest path -> directory. */
  preopens?: Readonly<Record<string, PreopenTarget>>;
  /**
   * The filesystem of the guest's `/`, with every preopen mounted over it at its guest path (see the
   * README's "The root filesystem"). Given, every program gets `/` as fd 3 and its preopens after it;
   * not given, a WASIX program gets a fresh in-memory `/` (holding the mount points, `/tmp` and `/bin`)
   * the same way, and any other program only its preopens, as before.
   */
  root?: PreopenTarget;
  /** The working directory `getcwd` starts at: an absolute guest path. Default `/`. */
  cwd?: string;
  /** `start()` returns the exit code instead of ending the process. Default `true`. */
  returnOnExit?: boolean;
  /**
   * stdin: a host fd, bytes, a string, a callback giving the next bytes (null at end), a `SharedStdin`
   * fed from another thread, or (Node) a stream over a file descriptor such as `process.stdin`, read
   * by a worker so the guest can block on it. Default: host fd 0.
   */
  stdin?: number | Uint8Array | string | (() => Uint8Array | string | null) | SharedStdin | StdinStream;
  /**
   * stdout: a host fd, a callback receiving every byte written, or `{ fd, buffer: true }`: a host fd
   * whose small writes are coalesced into 64 KiB (see {@link CoalescedOutput}). Default: host fd 1.
   */
  stdout?: number | ((bytes: Uint8Array) => void) | CoalescedOutput;
  /** stderr: as `stdout`. Default: host fd 2. */
  stderr?: number | ((bytes: Uint8Array) => void) | CoalescedOutput;
  /** A time source for deterministic runs. Default: the host's clocks. */
  clock?: ClockSource;
  /** A random source (fills the array). Default: the host's CSPRNG. */
  random?: (into: Uint8Array) => void;
  /**
   * Listening sockets given to the guest as fds, numbered after the preopened directories in this
   * order (Node: from `listenTcp()`). The guest's `sock_accept` takes their connections.
   */
  preopenSockets?: readonly SocketListener[];
  /**
   * What WASIX sockets may reach (Node): none by default. `listen` and `connect` hold `host:port`
   * patterns (`127.0.0.1:8080`, `localhost:8000-8100`, `[::1]:*`, `example.org:443`, `*:*`); a call
   * outside them fails with `acces`, and resolve answers only names a connect pattern covers.
   */
  network?: NetworkOptions;
  /** Most fds open at once, stdio and preopens included (`nfile` beyond). Default 1024. */
  maxOpenFiles?: number;
  /** Called after every syscall with its decoded arguments and result. */
  trace?: (call: TraceEvent) => void;
  /** Threads of a threaded program run by `run()`: see {@link ThreadOptions}. */
  threads?: ThreadOptions;
  /**
   * Programs a WASIX process can spawn or exec by name (or as `/bin/<name>`): the module's bytes, or
   * a function giving them (maybe asynchronously). Other names are `.wasm` files in the guest's
   * filesystem. Each is compiled once.
   */
  commands?: Readonly<Record<string, CommandSource>>;
  /** Processes alive (or ended but not yet waited for) at once, the first included; `again` beyond. Default 64. */
  maxProcesses?: number;
  /**
   * Bytes of memory the processes of a run may hold at once, the first included: a fork (which copies
   * its parent's memory as large as it is), spawn or exec that would go past it gets `nomem`. Default
   * 8 GiB. Counted when a process is made, from the sizes every memory has then (see the README).
   */
  maxMemory?: number;
  /**
   * The terminal the guest's stdio is (a terminal emulator on a page, say): `tty_get` reports its size,
   * `tty_set` turns its raw mode, and stdio that is not a host fd is described as a terminal (a
   * character device, so wasi-libc line-buffers it). Default: the host's, where stdio is one (Node).
   */
  terminal?: HostTerminal;
}

/** How `run()` runs a threaded program: every guest thread in its own worker. */
export interface ThreadOptions {
  /** Workers started before the guest runs, the main thread's included (more are started as needed). Default 4. */
  poolSize?: number;
  /** Guest threads alive at once, the main one included; spawning beyond gives `again`. Default 64. */
  maxThreads?: number;
}

/** Options of `run()`. */
export interface RunOptions {
  /**
   * The memory a module imports, when `run()` is given a compiled module (whose import limits it
   * cannot read); by default it is made from the limits in the module's bytes (shared when declared so).
   */
  memory?: WebAssembly.Memory;
}

const fail = (code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', option: string, message: string): never => {
  throw new WasiOptionError(code, option, message);
};
const received = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `type ${typeof v}`);

const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A host file descriptor given for `options.<name>`, else `ok(v)` or the option is invalid (`what` it must be). */
const fdOr = (name: string, v: unknown, ok: (v: unknown) => boolean, what: string) => {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) fail('ERR_INVALID_ARG_VALUE', `options.${name}`, `The "options.${name}" property must be a file descriptor (an integer >= 0). Received ${v}`);
    return;
  }
  if (!ok(v)) fail('ERR_INVALID_ARG_TYPE', `options.${name}`, `The "options.${name}" property must be ${what}. Received ${received(v)}`);
};

const output = (name: 'stdout' | 'stderr') => (v: unknown) => {
  if (isRecord(v) && typeof v !== 'function') {
    const { fd, buffer } = v as Record<string, unknown>;
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) fail('ERR_INVALID_ARG_VALUE', `options.${name}.fd`, `The "options.${name}.fd" property must be a file descriptor (an integer >= 0). Received ${received(fd)}`);
    if (typeof buffer !== 'boolean') fail('ERR_INVALID_ARG_TYPE', `options.${name}.buffer`, `The "options.${name}.buffer" property must be of type boolean. Received ${received(buffer)}`);
    return;
  }
  fdOr(name, v, (x) => typeof x === 'function', 'a file descriptor, a function or { fd, buffer }');
};

const fn = (name: 'random' | 'trace') => (v: unknown) => {
  if (typeof v !== 'function') fail('ERR_INVALID_ARG_TYPE', `options.${name}`, `The "options.${name}" property must be of type function. Received ${received(v)}`);
};

/**
 * One check per option, in the order they are checked, each run only for an option that is given: a
 * run compiles the checks of its own options only (V8 compiles a function on its first call; issue 18).
 */
const CHECKS: { readonly [K in keyof WasiOptions]?: (v: unknown) => void } = {
  version(v) {
    const versions: readonly string[] = WASI_VERSION_OPTIONS;
    if (typeof v !== 'string') fail('ERR_INVALID_ARG_TYPE', 'options.version', `The "options.version" property must be of type string. Received ${received(v)}`);
    if (!versions.includes(v as string)) fail('ERR_INVALID_ARG_VALUE', 'options.version', `The property 'options.version' must be one of: ${versions.map((x) => `'${x}'`).join(', ')}. Received '${v as string}'`);
  },
  args(v) {
    if (!Array.isArray(v) || v.some((a) => typeof a !== 'string')) fail('ERR_INVALID_ARG_TYPE', 'options.args', `The "options.args" property must be an array of strings. Received ${received(v)}`);
  },
  env(v) {
    if (!isRecord(v)) fail('ERR_INVALID_ARG_TYPE', 'options.env', `The "options.env" property must be of type object. Received ${received(v)}`);
    // Object.keys, not Object.entries: entries took milliseconds over a thousand variables (issue 18).
    const env = v as Record<string, unknown>;
    for (const k of Object.keys(env)) {
      const x = env[k];
      if (typeof x !== 'string') fail('ERR_INVALID_ARG_TYPE', `options.env.${k}`, `The "options.env.${k}" property must be of type string. Received ${received(x)}`);
      if (k.includes('=')) fail('ERR_INVALID_ARG_VALUE', `options.env.${k}`, `The environment variable name "${k}" must not contain "="`);
    }
  },
  preopens(v) {
    if (!isRecord(v)) fail('ERR_INVALID_ARG_TYPE', 'options.preopens', `The "options.preopens" property must be of type object. Received ${received(v)}`);
  },
  cwd(v) {
    if (typeof v !== 'string' || !v.startsWith('/') || v.includes('\0')) {
      fail('ERR_INVALID_ARG_VALUE', 'options.cwd', `The "options.cwd" property must be an absolute guest path. Received ${typeof v === 'string' ? JSON.stringify(v) : received(v)}`);
    }
  },
  returnOnExit(v) {
    if (typeof v !== 'boolean') fail('ERR_INVALID_ARG_TYPE', 'options.returnOnExit', `The "options.returnOnExit" property must be of type boolean. Received ${received(v)}`);
  },
  stdin(v) {
    fdOr('stdin', v, (x) => x instanceof Uint8Array || typeof x === 'string' || typeof x === 'function' || x instanceof SharedStdin || (isRecord(x) && typeof (x as StdinStream).readable === 'boolean'), 'a file descriptor, a Uint8Array, a string, a function, a SharedStdin or a stream');
  },
  preopenSockets(v) {
    if (!Array.isArray(v)) fail('ERR_INVALID_ARG_TYPE', 'options.preopenSockets', `The "options.preopenSockets" property must be an array of socket listeners. Received ${received(v)}`);
    (v as unknown[]).forEach((l, i) => {
      if (!isSocketListener(l)) fail('ERR_INVALID_ARG_TYPE', `options.preopenSockets[${i}]`, `The "options.preopenSockets[${i}]" element must be a socket listener (from listenTcp()). Received ${received(l)}`);
    });
  },
  network: parseNetworkOptions,
  stdout: output('stdout'),
  stderr: output('stderr'),
  maxOpenFiles(v) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 3) fail('ERR_INVALID_ARG_VALUE', 'options.maxOpenFiles', `The "options.maxOpenFiles" property must be an integer >= 3. Received ${String(v)}`);
  },
  random: fn('random'),
  trace: fn('trace'),
  clock(v) {
    if (!isRecord(v) || typeof (v as ClockSource).now !== 'function' || typeof (v as ClockSource).resolution !== 'function') {
      fail('ERR_INVALID_ARG_TYPE', 'options.clock', 'The "options.clock" property must be an object with now() and resolution() methods');
    }
  },
  maxProcesses(v) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail('ERR_INVALID_ARG_VALUE', 'options.maxProcesses', `The "options.maxProcesses" property must be an integer >= 1. Received ${String(v)}`);
  },
  maxMemory(v) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 65536) fail('ERR_INVALID_ARG_VALUE', 'options.maxMemory', `The "options.maxMemory" property must be an integer number of bytes >= 65536. Received ${String(v)}`);
  },
  commands(v) {
    if (!isRecord(v)) fail('ERR_INVALID_ARG_TYPE', 'options.commands', `The "options.commands" property must be of type object. Received ${received(v)}`);
    for (const [name, c] of Object.entries(v as Record<string, unknown>)) {
      const ok = c instanceof WebAssembly.Module || c instanceof ArrayBuffer || ArrayBuffer.isView(c) || typeof c === 'function';
      if (!ok || name === '' || name.includes('/')) {
        fail('ERR_INVALID_ARG_TYPE', `options.commands['${name}']`, `The "options.commands['${name}']" property must be a WebAssembly.Module, bytes, or a function giving them, under a name without '/'`);
      }
    }
  },
  terminal(v) {
    if (!isRecord(v) || typeof (v as HostTerminal).size !== 'function' || typeof (v as HostTerminal).setRawMode !== 'function') {
      fail('ERR_INVALID_ARG_TYPE', 'options.terminal', 'The "options.terminal" property must be an object with size() and setRawMode() methods');
    }
  },
  threads(v) {
    if (!isRecord(v)) fail('ERR_INVALID_ARG_TYPE', 'options.threads', `The "options.threads" property must be of type object. Received ${received(v)}`);
    const t = v as Record<string, unknown>;
    for (const [name, min] of [['poolSize', 1], ['maxThreads', 1]] as const) {
      const x = t[name];
      if (x !== undefined && (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > 0x1fffffff)) {
        fail('ERR_INVALID_ARG_VALUE', `options.threads.${name}`, `The "options.threads.${name}" property must be an integer >= ${min}. Received ${String(x)}`);
      }
    }
  },
};

export function checkOptions(options: unknown): WasiOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) fail('ERR_INVALID_ARG_TYPE', 'options', `The "options" argument must be of type object. Received ${received(options)}`);
  const o = options as Record<string, unknown>;
  for (const name in CHECKS) {
    const v = o[name];
    if (v !== undefined) CHECKS[name as keyof WasiOptions]!(v);
  }
  return o as WasiOptions;
}

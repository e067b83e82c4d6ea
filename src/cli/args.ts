import { VERSION_IDS } from '../version-ids.js';
import { UsageError } from './usage-error.js';

export const WASI_VERSIONS = ['auto', ...VERSION_IDS] as const;
export type CliWasiVersion = (typeof WASI_VERSIONS)[number];

/** A preopened directory: the host path and the name the guest sees. */
export interface DirMapping {
  host: string;
  guest: string;
}

export interface RunConfig {
  command: 'run';
  /** The module's path as given; also the guest's argv[0]. */
  wasm: string;
  /** The guest's argv after argv[0]. */
  guestArgs: string[];
  dirs: DirMapping[];
  env: Record<string, string>;
  fs: 'host' | 'memory';
  version: CliWasiVersion;
  /** `--command NAME=FILE.wasm`: programs a WASIX process can spawn or exec by name. */
  commands?: Record<string, string>;
  /** `--root DIR`: the host directory that is the guest's `/` (its --dir mounts over it). */
  root?: string;
  /** `--cwd PATH`: the guest's working directory at start (absolute). */
  cwd?: string;
  /** Where the syscall trace goes: stderr, a file, or nowhere. */
  trace: { to: 'stderr' } | { to: 'file'; path: string } | undefined;
  /** What the guest's sockets may reach (--net-listen, --net-connect, --net-allow-all); none by default. */
  network?: { listen: string[]; connect: string[] };
}

export type Command = RunConfig | { command: 'help'; topic: 'main' | 'run' } | { command: 'version' };

/** `wasi-kit <argv>` as a command. Options come before the module; everything after it is the guest's. */
export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h' || first === 'help') return { command: 'help', topic: rest[0] === 'run' ? 'run' : 'main' };
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (first === 'run') return parseRun(rest);
  throw new UsageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`);
}

function parseRun(argv: readonly string[]): Command {
  const config: RunConfig = { command: 'run', wasm: '', guestArgs: [], dirs: [], env: {}, fs: 'host', version: 'auto', trace: undefined };
  let i = 0;
  const valueOf = (name: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = name === a ? undefined : a.slice(eq + 1);
    switch (name) {
      case '--help':
      case '-h':
        return { command: 'help', topic: 'run' };
      case '--dir': {
        const v = valueOf(name, inline);
        const sep = v.indexOf('::');
        config.dirs.push(sep < 0 ? { host: v, guest: v } : { host: v.slice(0, sep), guest: v.slice(sep + 2) });
        break;
      }
      case '--mapdir': {
        // wasmer's order, GUEST::HOST (or its older GUEST:HOST).
        const v = valueOf(name, inline);
        const sep = v.includes('::') ? v.indexOf('::') : v.indexOf(':');
        if (sep < 0) throw new UsageError(`--mapdir expects GUEST::HOST, got '${v}'`);
        config.dirs.push({ guest: v.slice(0, sep), host: v.slice(sep + (v.includes('::') ? 2 : 1)) });
        break;
      }
      case '--env': {
        const v = valueOf(name, inline);
        const sep = v.indexOf('=');
        if (sep <= 0) throw new UsageError(`--env expects NAME=VALUE, got '${v}'`);
        config.env[v.slice(0, sep)] = v.slice(sep + 1);
        break;
      }
      case '--command': {
        const v = valueOf(name, inline);
        const sep = v.indexOf('=');
        if (sep <= 0 || v.slice(0, sep).includes('/') || sep === v.length - 1) throw new UsageError(`--command expects NAME=FILE.wasm, got '${v}'`);
        (config.commands ??= {})[v.slice(0, sep)] = v.slice(sep + 1);
        break;
      }
      case '--root':
        config.root = valueOf(name, inline);
        break;
      case '--cwd': {
        const v = valueOf(name, inline);
        if (!v.startsWith('/')) throw new UsageError(`--cwd expects an absolute guest path, got '${v}'`);
        config.cwd = v;
        break;
      }
      case '--fs': {
        const v = valueOf(name, inline);
        if (v !== 'host' && v !== 'memory') throw new UsageError(`--fs expects host or memory, got '${v}'`);
        config.fs = v;
        break;
      }
      case '--version': {
        const v = argv[i + 1];
        const value = inline ?? v;
        if (value === undefined || !(WASI_VERSIONS as readonly string[]).includes(value)) {
          throw new UsageError(`--version expects one of ${WASI_VERSIONS.join(', ')}${value === undefined ? '' : `, got '${value}'`}`);
        }
        if (inline === undefined) i++;
        config.version = value as CliWasiVersion;
        break;
      }
      case '--net-listen':
      case '--net-connect': {
        const v = valueOf(name, inline);
        config.network ??= { listen: [], connect: [] };
        config.network[name === '--net-listen' ? 'listen' : 'connect'].push(v);
        break;
      }
      case '--net-allow-all':
        if (inline !== undefined) throw new UsageError('--net-allow-all takes no value');
        config.network ??= { listen: [], connect: [] };
        config.network.listen.push('*:*');
        config.network.connect.push('*:*');
        break;
      case '--trace':
        if (inline === '') throw new UsageError('--trace=FILE needs a file name');
        config.trace = inline === undefined ? { to: 'stderr' } : { to: 'file', path: inline };
        break;
      default:
        throw new UsageError(`unknown option '${a}'`);
    }
  }
  const wasm = argv[i];
  if (wasm === undefined) throw new UsageError('run needs a .wasm file');
  config.wasm = wasm;
  // An optional `--` between the module and its arguments.
  config.guestArgs = argv.slice(argv[i + 1] === '--' ? i + 2 : i + 1);
  for (const d of config.dirs) {
    if (d.host === '' || d.guest === '') throw new UsageError(`a directory mapping needs a host path and a guest path, got '${d.host}::${d.guest}'`);
  }
  const guests = config.dirs.map((d) => d.guest);
  const twice = guests.find((g, k) => guests.indexOf(g) !== k);
  if (twice !== undefined) throw new UsageError(`the guest directory '${twice}' is given twice`);
  return config;
}

// The `host-floor` adapter: no wasm runs (the module is instantiated, never started). start() makes
// the host calls that wasi-kit makes for the benchmark's syscalls, directly from a JavaScript loop:
// same sizes, same fds, the same lstat/open/fstat/close sequence (`wasi-kit run --trace` and strace
// show it), what any JavaScript host pays for Node's API. A benchmark's run time over this is the
// cost of the WASI layer itself; the suite's `raw` adapter adds one wasm-to-JS call per syscall.
// It does no guest work (sums, counts), so it prints `ok floor`, which bench/run.mjs accepts from it
// alone. bench/run.mjs registers it in the copied adapters.mjs.
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW, O_DIRECTORY } = fs.constants;

/** The host path of a guest path under one of the preopens. */
function hostPath(preopens, guest) {
  for (const [g, h] of Object.entries(preopens)) if (guest === g || guest.startsWith(`${g}/`)) return path.join(h, guest.slice(g.length));
  throw new Error(`host-floor: ${guest} is under no preopen`);
}

/** wasi-kit's path_open on a host directory: lstat of each parent component, open with O_NOFOLLOW, fstat for the type. */
function open(preopens, guest, flags) {
  const host = hostPath(preopens, guest);
  const root = Object.entries(preopens).find(([g]) => guest.startsWith(`${g}/`))[1];
  for (let dir = path.dirname(host); dir.length > root.length; dir = path.dirname(dir)) fs.lstatSync(dir);
  const fd = fs.openSync(host, flags | O_NOFOLLOW, 0o666);
  fs.fstatSync(fd);
  return fd;
}

function writeAll(fd, total, chunk) {
  const buf = Buffer.alloc(chunk, 'x');
  for (let done = 0; done < total; done += chunk) fs.writeSync(fd, buf, 0, Math.min(chunk, total - done), null);
}

const n = (s, d) => (s === undefined ? d : Number(s));

// By program name: (args after argv[0], preopens) => the host calls.
const FLOORS = {
  startup: () => {
    fs.fstatSync(1);
    fs.writeSync(1, 'hello, world\n');
  },
  'write-small': ([count]) => {
    const buf = Buffer.alloc(16, 'x');
    for (let i = 0; i < n(count, 1e6); i++) fs.writeSync(1, buf, 0, 16, null);
  },
  'write-big': ([total, chunk, file], preopens) => {
    if (file === undefined) return writeAll(1, n(total), n(chunk, 65536));
    const fd = open(preopens, file, O_WRONLY | O_CREAT | O_TRUNC);
    writeAll(fd, n(total), n(chunk, 65536));
    fs.closeSync(fd);
  },
  'read-file': ([file, passes, chunk], preopens) => {
    const fd = open(preopens, file, O_RDONLY);
    const buf = Buffer.alloc(n(chunk, 65536));
    for (let p = 0; p < n(passes, 1); p++) for (let at = 0, r; (r = fs.readSync(fd, buf, 0, buf.length, at)) > 0; at += r);
    fs.closeSync(fd);
  },
  'read-small': ([file, total, chunk], preopens) => {
    const fd = open(preopens, file, O_RDONLY);
    const buf = Buffer.alloc(n(chunk, 16));
    for (let at = 0; at < n(total); at += buf.length) fs.readSync(fd, buf, 0, buf.length, at);
    fs.closeSync(fd);
  },
  clock: ([count]) => {
    for (let i = 0; i < n(count, 1e6); i++) process.hrtime.bigint();
  },
  'poll-clock': ([count, ns]) => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    // A relative 0 is due at once: wasi-kit reads no clock for it (handlers/preview1/poll.ts).
    for (let i = 0; i < n(count); i++) {
      if (n(ns) === 0) continue;
      process.hrtime.bigint();
      Atomics.wait(cell, 0, 0, n(ns) / 1e6);
    }
  },
  random: ([total, chunk]) => {
    const buf = new Uint8Array(n(chunk, 4096));
    for (let done = 0; done < n(total); done += buf.length) randomFillSync(buf);
  },
  'stat-tree': ([root, dirs, files, rounds], preopens) => {
    const paths = [];
    for (let d = 0; d < n(dirs, 20); d++) {
      const dir = `${root}/d${String(d).padStart(2, '0')}`;
      fs.mkdirSync(hostPath(preopens, dir));
      for (let f = 0; f < n(files, 100); f++) {
        const p = `${dir}/f${String(f).padStart(4, '0')}`;
        const fd = open(preopens, p, O_WRONLY | O_CREAT | O_EXCL);
        fs.writeSync(fd, '0123456789abcdef');
        fs.closeSync(fd);
        paths.push(p);
      }
    }
    for (let r = 0; r < n(rounds, 25); r++)
      for (const p of paths) {
        const fd = open(preopens, p, O_RDONLY);
        fs.fstatSync(fd, { bigint: true });
        fs.closeSync(fd);
      }
  },
  readdir: ([dir, rounds], preopens) => {
    const host = hostPath(preopens, dir);
    for (let r = 0; r < n(rounds, 20); r++) {
      const fd = fs.openSync(host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      fs.fstatSync(fd);
      // d_ino needs a stat per entry: Node's readdir gives names and types, not inode numbers.
      for (const name of fs.readdirSync(host).sort()) fs.lstatSync(path.join(host, name), { bigint: true });
      fs.closeSync(fd);
    }
  },
  'args-env': () => {},
  'cli-startup': ([dir], preopens) => {
    fs.fstatSync(1);
    fs.lstatSync(hostPath(preopens, `${dir}/config.ini`), { bigint: true });
    const fd = open(preopens, `${dir}/config.ini`, O_RDONLY);
    const buf = Buffer.alloc(1024);
    for (let at = 0, r; (r = fs.readSync(fd, buf, 0, buf.length, at)) > 0; at += r);
    fs.closeSync(fd);
    FLOORS.readdir([dir, 1], preopens);
    for (let i = 0; i < 41; i++) fs.writeSync(1, '   0 ....................|\n');
  },
};

export async function hostFloor() {
  return {
    create(o) {
      const program = path.basename(o.args[0], '.wasm');
      const floor = FLOORS[program];
      if (floor === undefined) throw new Error(`host-floor: no floor for ${program}`);
      // Every import the module asks for exists and throws if called: start() never runs the guest.
      const never = () => {
        throw new Error('host-floor runs no wasm');
      };
      const module = new Proxy({}, { get: () => never });
      return {
        getImportObject: () => new Proxy({}, { get: () => module }),
        start() {
          floor(o.args.slice(1), o.preopens);
          fs.writeSync(2, 'ok floor\n');
          return 0;
        },
      };
    },
  };
}

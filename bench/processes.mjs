// The process benchmarks (issue #14), each beside its floor measured in the same run:
//   fork - test/programs/proc/fork.wasm (`fork bench N`) with 16 MiB of heap in use forks a child that
//          exits at once, and waits for it, N times: the time per round (proc_fork with the memory copy
//          and the child's start, the child's proc_exit, proc_join), against copying 16 MiB into a new
//          shared memory and instantiating the same module once, in this thread (what a fork must do at
//          least). Target: at most 1.5x.
//   spawn - test/programs/proc/spawner.wasm (`spawner spawn-bench N`) spawns `status 0` with proc_spawn2
//          and waits for it with proc_join, N times: the time per spawn-to-exit, against sending the
//          compiled status.wasm to an idle worker that instantiates it and answers (what any spawn must do
//          at least, on workers kept for reuse as wasi-kit keeps them).
//   pipe - `spawner pipe-bench N`: `bytes out N` writing 64 KiB chunks into an fd_pipe that `bytes in`,
//          another process, reads to its end (MB/s from the spawns to the end of both), against two bare
//          workers handing the same chunks through a SharedArrayBuffer ring (a copy in, a copy out, an
//          Atomics.wait/notify hand-off when it is full or empty), of 1 MiB and of 64 KiB (the pipe's capacity,
//          every chunk a hand-off). Target: at least 0.5x.
// Runs wasi-kit's built package (npm run build). Medians of --runs (default 5), alternating order.
//   node bench/processes.mjs [--runs N] [--only fork|spawn|pipe] [--json]
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { WASI } = await import(join(repo, 'dist', 'index.js'));
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || (argv.includes('--runs') ? NaN : 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && !['fork', 'spawn', 'pipe'].includes(only)) throw new Error('--only takes fork, spawn or pipe');
const measures = (name) => only === undefined || only === name;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const FORK = readFileSync(join(repo, 'test/programs/proc/fork.wasm'));
const FORKS = 20;
const MIB = 16;

/** ms per fork round: from the program's "go" (written just before the first fork) to its "done". */
async function forkRound() {
  const marks = [];
  let out = '';
  const code = await new WASI({ args: ['fork', 'bench', String(FORKS), String(MIB)], stdout: (b) => (marks.push(performance.now()), (out += Buffer.from(b).toString())) }).run(FORK);
  if (code !== 0 || out !== 'go\ndone\n') throw new Error(`fork bench: exit ${code}, ${JSON.stringify(out)}`);
  return (marks.at(-1) - marks[0]) / FORKS;
}

const module = await WebAssembly.compile(FORK);
const stubs = {};
for (const i of WebAssembly.Module.imports(module)) if (i.kind === 'function') (stubs[i.module] ??= {})[i.name] = () => 0;
const source = new Uint8Array(new SharedArrayBuffer(MIB << 20)).fill(0x68);

/**
 * ms to copy 16 MiB into a new shared memory (made as a fork makes the child's: shared, 4 GiB maximum)
 * and instantiate the module once: the floor of a fork.
 */
function forkFloor() {
  const t0 = performance.now();
  for (let i = 0; i < FORKS; i++) {
    const memory = new WebAssembly.Memory({ initial: MIB * 16, maximum: 65536, shared: true });
    new Uint8Array(memory.buffer).set(source);
    new WebAssembly.Instance(module, stubs);
  }
  return (performance.now() - t0) / FORKS;
}

const proc = (name) => readFileSync(join(repo, 'test/programs/proc', `${name}.wasm`));
const SPAWNER = proc('spawner');
const STATUS = proc('status');
const BYTES = proc('bytes');
const SPAWNS = 40;

/** Runs `spawner args...` with `commands`; the stdout marks (time of each write) and text. */
async function spawner(args, commands) {
  const marks = [];
  let out = '';
  const texts = [];
  const code = await new WASI({ args: ['spawner', ...args], commands, stdout: (b) => (marks.push(performance.now()), texts.push(Buffer.from(b).toString()), (out += texts.at(-1))) }).run(SPAWNER);
  if (code !== 0) throw new Error(`spawner ${args.join(' ')}: exit ${code}, ${JSON.stringify(out)}`);
  return { marks, out, texts };
}

/** ms per spawn of `status 0` until its exit has been reaped. */
async function spawnRound() {
  const { marks, out } = await spawner(['spawn-bench', String(SPAWNS)], { status: STATUS });
  if (out !== 'go\ndone\n') throw new Error(`spawn bench: ${JSON.stringify(out)}`);
  return (marks.at(-1) - marks[0]) / SPAWNS;
}

const statusModule = await WebAssembly.compile(STATUS);

// The floor of a spawn: an idle worker (as wasi-kit keeps them) is sent the compiled module, makes its
// instance (its memory with it) with stub imports, and answers; the time per round trip.
const INSTANCE_WORKER = `
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', (module) => {
    const stubs = {};
    for (const i of WebAssembly.Module.imports(module)) if (i.kind === 'function') (stubs[i.module] ??= {})[i.name] = () => 0;
    new WebAssembly.Instance(module, stubs);
    parentPort.postMessage('made');
  });`;

/** ms per spawn floor: a message to an idle worker that instantiates status.wasm, and its answer. */
async function spawnFloor() {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(INSTANCE_WORKER, { eval: true });
  const round = () => new Promise((r) => (worker.once('message', r), worker.postMessage(statusModule)));
  await round(); // the worker is up and has compiled its side once
  const t0 = performance.now();
  for (let i = 0; i < SPAWNS; i++) await round();
  const ms = (performance.now() - t0) / SPAWNS;
  await worker.terminate();
  return ms;
}

const PIPE_BYTES = 256 << 20;
const CHUNK = 65536;

/**
 * MB/s through an fd_pipe between two processes, in two rounds of one run: the first (`cold`) starts
 * the workers its two processes run in; the second (`warm`) finds them idle, as a shell's next pipeline
 * does. Each from the spawns to the end of both.
 */
async function pipeRate() {
  const { marks, out, texts } = await spawner(['pipe-bench', String(PIPE_BYTES), '2'], { bytes: BYTES });
  // The reader's count and the writer's join may come in either order.
  const lines = out.split('\n');
  const round = lines.indexOf('round');
  const ok = (part) => part.filter((l) => l === String(PIPE_BYTES) || l === 'join given code 0').length === 3;
  if (lines[0] !== 'go' || lines.at(-2) !== 'done' || round < 0 || !ok(lines.slice(1, round)) || !ok(lines.slice(round + 1, -2))) throw new Error(`pipe bench: ${JSON.stringify(out)}`);
  const between = marks[texts.findIndex((t) => t.includes('round'))];
  const rate = (ms) => PIPE_BYTES / 1e6 / (ms / 1e3);
  return { cold: rate(between - marks[0]), warm: rate(marks.at(-1) - between) };
}

// The floor: a writer worker copies CHUNK-byte chunks from its own buffer into a ring of SLOTS chunks in a
// SharedArrayBuffer, a reader worker copies them out into its own; each waits on the other's counter
// (Atomics.wait/notify) only when the ring is full or empty.
const SLOTS = 16;
const RING_WORKER = `
  const { workerData, parentPort } = require('node:worker_threads');
  const { ring, counters, chunks, chunk, slots, writer } = workerData;
  const c = new Int32Array(counters), data = new Uint8Array(ring), own = new Uint8Array(chunk).fill(120);
  parentPort.postMessage('ready');
  while (Atomics.load(c, 2) === 0) Atomics.wait(c, 2, 0);
  for (let i = 0; i < chunks; i++) {
    if (writer) {
      for (let r; i - (r = Atomics.load(c, 1)) >= slots; ) Atomics.wait(c, 1, r);
      data.set(own, (i % slots) * chunk);
      Atomics.store(c, 0, i + 1);
      Atomics.notify(c, 0);
    } else {
      for (let w; (w = Atomics.load(c, 0)) <= i; ) Atomics.wait(c, 0, w);
      own.set(data.subarray((i % slots) * chunk, (i % slots + 1) * chunk));
      Atomics.store(c, 1, i + 1);
      Atomics.notify(c, 1);
    }
  }`;

/**
 * MB/s of the bare SharedArrayBuffer copy loop between two workers, through a ring of `slots` chunks:
 * 16 (1 MiB: a hand-off wait is rare), or 1 (64 KiB, a pipe's capacity: every chunk is a hand-off).
 */
async function pipeFloor(slots = SLOTS) {
  const { Worker } = await import('node:worker_threads');
  const counters = new SharedArrayBuffer(12); // written, read (in chunks), go
  const ring = new SharedArrayBuffer(slots * CHUNK);
  const start = (writer) => new Worker(RING_WORKER, { eval: true, workerData: { ring, counters, chunks: PIPE_BYTES / CHUNK, chunk: CHUNK, slots, writer } });
  const workers = [start(true), start(false)];
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const exited = Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  const c = new Int32Array(counters);
  const t0 = performance.now();
  Atomics.store(c, 2, 1);
  Atomics.notify(c, 2);
  await exited;
  return PIPE_BYTES / 1e6 / ((performance.now() - t0) / 1e3);
}

const samples = { fork: [], forkFloor: [], spawn: [], spawnFloor: [], pipe: [], pipeCold: [], pipeFloor: [], pipeFloor64k: [] };
for (let r = 0; r < runs; r++) {
  const pair = async (a, b) => (r % 2 ? [await a(), await b()] : [await b(), await a()].reverse());
  if (measures('fork')) {
    const [f, ff] = await pair(forkRound, async () => forkFloor());
    samples.fork.push(f);
    samples.forkFloor.push(ff);
  }
  if (measures('spawn')) {
    const [sp, spf] = await pair(spawnRound, spawnFloor);
    samples.spawn.push(sp);
    samples.spawnFloor.push(spf);
  }
  if (measures('pipe')) {
    const [p, pf] = await pair(pipeRate, pipeFloor);
    samples.pipe.push(p.warm);
    samples.pipeCold.push(p.cold);
    samples.pipeFloor.push(pf);
    samples.pipeFloor64k.push(await pipeFloor(1));
  }
}
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const fmt = (x, d = 2) => x.toFixed(d);
const rows = [
  measures('fork') &&
    `| fork of a program with ${MIB} MiB in use, the child exiting at once, then wait (ms/round) | ${fmt(m.fork)} | ${fmt(m.forkFloor)} (copy ${MIB} MiB into a new shared memory + instantiate the module) | ${fmt(m.fork / m.forkFloor)}x | ≤ 1.5x |`,
  measures('spawn') &&
    `| spawn of a tiny command (\`status 0\`) to its exit, reaped (ms/spawn) | ${fmt(m.spawn)} | ${fmt(m.spawnFloor)} (an idle worker instantiates status.wasm and answers) | ${fmt(m.spawn / m.spawnFloor)}x | — |`,
  measures('pipe') &&
    `| pipe between two processes, 64 KiB writes and reads, spawns included (MB/s; workers idle from a first round, cold: ${fmt(m.pipeCold, 0)}) | ${fmt(m.pipe, 0)} | ${fmt(m.pipeFloor, 0)} (SharedArrayBuffer ring of 1 MiB between two workers; with a 64 KiB ring, a pipe's capacity: ${fmt(m.pipeFloor64k, 0)}) | ${fmt(m.pipe / m.pipeFloor)}x (${fmt(m.pipe / m.pipeFloor64k)}x) | ≥ 0.5x |`,
].filter(Boolean);
const table = `| process benchmark | wasi-kit | floor (same run) | ratio | target |
|---|---:|---:|---:|---|
${rows.join('\n')}
`;
const machine = `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node.js ${process.version}`;
if (argv.includes('--json')) process.stdout.write(JSON.stringify({ runs, machine, medians: m, samples }) + '\n');
else process.stdout.write(`Process benchmarks, medians of ${runs} runs on ${machine}:\n\n${table}`);

// The process benchmarks (issue #14), each beside its floor measured in the same run:
//   fork - test/programs/proc/fork.wasm (`fork bench N`) with 16 MiB of heap in use forks a child that
//          exits at once, and waits for it, N times: the time per round (proc_fork with the memory copy
//          and the child's start, the child's proc_exit, proc_join), against copying 16 MiB into a new
//          shared memory and instantiating the same module once, in this thread (what a fork must do at
//          least). Target: at most 1.5x.
// Runs wasi-kit's built package (npm run build). Medians of --runs (default 5), alternating order.
//   node bench/processes.mjs [--runs N] [--json]
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { WASI } = await import(join(repo, 'dist', 'index.js'));
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || (argv.includes('--runs') ? NaN : 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
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

const samples = { fork: [], forkFloor: [] };
for (let r = 0; r < runs; r++) {
  const pair = async (a, b) => (r % 2 ? [await a(), await b()] : [await b(), await a()].reverse());
  const [f, ff] = await pair(forkRound, async () => forkFloor());
  samples.fork.push(f);
  samples.forkFloor.push(ff);
}
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const fmt = (x, d = 2) => x.toFixed(d);
const table = `| process benchmark | wasi-kit | floor (same run) | ratio | target |
|---|---:|---:|---:|---|
| fork of a program with ${MIB} MiB in use, the child exiting at once, then wait (ms/round) | ${fmt(m.fork)} | ${fmt(m.forkFloor)} (copy ${MIB} MiB into a new shared memory + instantiate the module) | ${fmt(m.fork / m.forkFloor)}x | ≤ 1.5x |
`;
const machine = `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node.js ${process.version}`;
if (argv.includes('--json')) process.stdout.write(JSON.stringify({ runs, machine, medians: m, samples }) + '\n');
else process.stdout.write(`Process benchmarks, medians of ${runs} runs on ${machine}:\n\n${table}`);

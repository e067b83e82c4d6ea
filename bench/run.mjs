// `npm run bench`: runs the shared benchmark suite (../shared/bench, see its README) with wasi-kit's
// built package beside node:wasi and the other JS hosts. shared/ is read-only, so the suite is copied
// to bench/.work/ and its anchor implementations installed there. Into that copy go wasi-kit's own
// programs (bench/wasm, from bench/src by bench/build.sh) and benchmarks (bench/benches.mjs), and the
// `wasi-kit-memory` adapter (bench/memory-adapter.mjs): wasi-kit over a MemoryFileSystem.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(process.env.BENCH_DIR ?? join(repo, '..', 'shared', 'bench'));
const work = join(repo, 'bench', '.work');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

if (!existsSync(join(shared, 'run.mjs'))) throw new Error(`no benchmark suite at ${shared} (set BENCH_DIR)`);
rmSync(join(work, 'wasm'), { recursive: true, force: true });
cpSync(shared, work, { recursive: true, filter: (src) => !src.includes('node_modules') });
if (!existsSync(join(work, 'node_modules'))) run('npm', ['ci', '--no-audit', '--no-fund'], work);
cpSync(join(repo, 'bench', 'wasm'), join(work, 'wasm'), { recursive: true });

// The copied runner and adapters learn ours at their seams; a suite that moved them fails here, loudly.
const patch = (file, marker, insert) => {
  const text = readFileSync(join(work, file), 'utf8');
  if (!text.includes(marker)) throw new Error(`bench: ${file} of the shared suite has no "${marker}" to extend`);
  writeFileSync(join(work, file), text.replace(marker, `${insert}\n${marker}`));
};
patch('run.mjs', '// Read-only fixtures, built once per invocation.', "const ours = await import('../benches.mjs');\nObject.assign(BENCHES, ours.BENCHES);");
patch('run.mjs', '// ---------------------------------------------------------------- options', 'Object.assign(FIXTURES, ours.FIXTURES);');
const replace = (file, from, to) => {
  const text = readFileSync(join(work, file), 'utf8');
  if (!text.includes(from)) throw new Error(`bench: ${file} of the shared suite has no "${from}" to change`);
  writeFileSync(join(work, file), text.replace(from, to));
};
// The host floor runs no guest, so it cannot print the guest's result: its `ok floor` is accepted from it alone.
replace('run.mjs', 'if (expect && okLine !== expect)', "if (expect && okLine !== expect && !(adapter === 'host-floor' && okLine === 'ok floor'))");
appendFileSync(
  join(work, 'adapters.mjs'),
  "\nimport { wasiKitMemory } from '../memory-adapter.mjs';\nimport { hostFloor } from '../host-floor.mjs';\nimport { wasiKitCoalesced } from '../coalesced-adapter.mjs';\nADAPTERS['wasi-kit-memory'] = wasiKitMemory;\nADAPTERS['host-floor'] = hostFloor;\nADAPTERS['wasi-kit-coalesced'] = wasiKitCoalesced;\n",
);
run('npm', ['run', '-s', 'build'], repo);

// --no-threads skips bench/threads.mjs, bench/processes.mjs and bench/net.mjs; everything else goes to the suite's runner.
const noThreads = process.argv.includes('--no-threads');
const args = process.argv.slice(2).filter((a) => a !== '--no-threads');
const ours = `module:${join(repo, 'dist', 'index.js')}`;
const adapters = ['node', 'raw', 'host-floor', 'browser_wasi_shim', 'wasm-util', ours, 'wasi-kit-memory', 'wasi-kit-coalesced'];
const hasAdapter = args.includes('--adapter');
const jsonAt = args.indexOf('--json');
const json = jsonAt >= 0 ? resolve(args[jsonAt + 1]) : join(work, 'results.json');
const runner = spawnSync('node', ['run.mjs', ...(hasAdapter ? [] : ['--adapter', adapters.join(',')]), ...(jsonAt >= 0 ? [] : ['--json', json]), ...args], {
  cwd: work,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 << 20,
});
process.stdout.write(runner.stdout);
if (runner.status !== 0) process.exit(runner.status ?? 1);

// wasi-kit against its limits, from the same runs: node:wasi, the host floor (the same host calls from a
// plain JavaScript loop, bench/host-floor.mjs) and the raw floor (those calls behind wasm imports).
const { results: byBench } = JSON.parse(readFileSync(json, 'utf8'));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => (!Number.isFinite(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const med = (bench, a, key = 'runMs') => (byBench[bench][a] && !byBench[bench][a].error ? median(byBench[bench][a][key]) : NaN);
const ratio = (x, y) => (Number.isFinite(x) && Number.isFinite(y) && y > 0 ? `${(x / y).toFixed(2)}x` : '-');
const limitRows = Object.keys(byBench).map((b) => {
  const [node, raw, floor, kit, mem, co] = ['node', 'raw', 'host-floor', ours, 'wasi-kit-memory', 'wasi-kit-coalesced'].map((a) => med(b, a));
  return `| ${b} | ${fmt(node)} | ${fmt(raw)} | ${fmt(floor)} | ${fmt(kit)} | ${ratio(kit, node)} | ${ratio(kit, floor)} | ${ratio(kit, raw)} | ${fmt(mem)} | ${ratio(mem, node)} | ${fmt(co)} | ${ratio(co, node)} |`;
});
const geomean = (a) => {
  const rs = Object.keys(byBench).filter((b) => !wasiKitOnly.has(b)).map((b) => med(b, a) / med(b, 'node'));
  return rs.every(Number.isFinite) ? Math.exp(rs.reduce((t, r) => t + Math.log(r), 0) / rs.length).toFixed(2) : '-';
};
const importOf = (a) => fmt(median(Object.values(byBench).flatMap((r) => (r[a] && !r[a].error ? r[a].importMs : []))));
const wasiKitOnly = new Set(Object.keys((await import('./benches.mjs')).BENCHES));
const limits = `## wasi-kit against node:wasi and the floors

Medians in ms from the runs above. *host floor*: the host calls wasi-kit makes for the benchmark, from a
plain JavaScript loop without wasm (bench/host-floor.mjs; for args-env, which makes none, what remains is instantiation); *raw*: the
suite's floor, the calls behind wasm imports with no checks. Geomean over the shared suite's benchmarks
(ratio to node:wasi): wasi-kit ${geomean(ours)}, wasi-kit-memory ${geomean('wasi-kit-memory')}, wasi-kit-coalesced ${geomean('wasi-kit-coalesced')}
(wasi-kit with the opt-in \`stdout: { fd: 1, buffer: true }\`).

| benchmark | node | raw | host floor | wasi-kit | / node | / host floor | / raw | wasi-kit-memory | / node | wasi-kit-coalesced | / node |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${limitRows.join('\n')}

Import time in the benchmark's child process (median over every run, ms): node:wasi ${importOf('node')},
wasi-kit ${importOf(ours)}, wasi-kit-memory ${importOf('wasi-kit-memory')} (its MemoryFileSystem is made after the import), raw ${importOf('raw')}.
`;
process.stdout.write(`\n${limits}`);

// The tables, with what they were measured on, go to bench/RESULTS.md.
const version = (dir, name) => JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
const tables = runner.stdout.slice(runner.stdout.indexOf('| benchmark'));
const results = `# Benchmark results

\`npm run bench -- ${args.join(' ')}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'},
${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}; wasi-kit ${JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version}, browser_wasi_shim
${version(work, '@bjorn3/browser_wasi_shim')}, @tybys/wasm-util ${version(work, '@tybys/wasm-util')}. Medians in ms, ratio to
node:wasi in parentheses (lower is better); every adapter ran side by side in one invocation (see
../shared/bench/README.md). \`module:…/dist/index.js\` is wasi-kit on the host filesystem, \`wasi-kit-memory\`
wasi-kit with every preopen a MemoryFileSystem seeded before the timer (as browser_wasi_shim's). The
benchmarks after \`args-env\` are wasi-kit's own (bench/benches.mjs, bench/src).

${tables}

${limits}`;

// The thread benchmarks (bench/threads.mjs) need wasi-kit alone, each beside its floor in the same run.
const runsAt = args.indexOf('--runs');
const threads = noThreads
  ? ''
  : execFileSync('node', [join(repo, 'bench', 'threads.mjs'), ...(runsAt >= 0 ? ['--runs', args[runsAt + 1]] : [])], { encoding: 'utf8' });
process.stdout.write(threads);
// The process benchmarks (bench/processes.mjs): fork latency beside its floor.
const processes = noThreads ? '' : execFileSync('node', [join(repo, 'bench', 'processes.mjs'), ...(runsAt >= 0 ? ['--runs', args[runsAt + 1]] : [])], { encoding: 'utf8' });
process.stdout.write(processes);
// The network benchmarks (bench/net.mjs): a guest's TCP throughput and HTTP requests/s beside Node's.
const network = noThreads ? '' : execFileSync('node', [join(repo, 'bench', 'net.mjs'), ...(runsAt >= 0 ? ['--runs', args[runsAt + 1]] : [])], { encoding: 'utf8', timeout: 600_000 });
process.stdout.write(network);
writeFileSync(
  join(repo, 'bench', 'RESULTS.md'),
  (threads ? `${results}\n## Threads\n\n${threads}` : results) + (processes ? `\n## Processes\n\n${processes}` : '') + (network ? `\n## Network\n\n${network}` : ''),
);
console.log('wrote bench/RESULTS.md');

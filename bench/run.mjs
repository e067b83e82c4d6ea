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
appendFileSync(join(work, 'adapters.mjs'), "\nimport { wasiKitMemory } from '../memory-adapter.mjs';\nADAPTERS['wasi-kit-memory'] = wasiKitMemory;\n");
run('npm', ['run', '-s', 'build'], repo);

// --no-threads skips bench/threads.mjs; everything else goes to the suite's runner.
const noThreads = process.argv.includes('--no-threads');
const args = process.argv.slice(2).filter((a) => a !== '--no-threads');
const adapters = ['node', 'raw', 'browser_wasi_shim', 'wasm-util', `module:${join(repo, 'dist', 'index.js')}`, 'wasi-kit-memory'];
const hasAdapter = args.includes('--adapter');
const runner = spawnSync('node', ['run.mjs', ...(hasAdapter ? [] : ['--adapter', adapters.join(',')]), ...args], {
  cwd: work,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 << 20,
});
process.stdout.write(runner.stdout);
if (runner.status !== 0) process.exit(runner.status ?? 1);

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

${tables}`;

// The thread benchmarks (bench/threads.mjs) need wasi-kit alone, each beside its floor in the same run.
const runsAt = args.indexOf('--runs');
const threads = noThreads
  ? ''
  : execFileSync('node', [join(repo, 'bench', 'threads.mjs'), ...(runsAt >= 0 ? ['--runs', args[runsAt + 1]] : [])], { encoding: 'utf8' });
process.stdout.write(threads);
// The network benchmarks (bench/net.mjs): a guest's TCP throughput and HTTP requests/s beside Node's.
const network = noThreads ? '' : execFileSync('node', [join(repo, 'bench', 'net.mjs'), ...(runsAt >= 0 ? ['--runs', args[runsAt + 1]] : [])], { encoding: 'utf8', timeout: 600_000 });
process.stdout.write(network);
writeFileSync(join(repo, 'bench', 'RESULTS.md'), (threads ? `${results}\n## Threads\n\n${threads}` : results) + (network ? `\n## Network\n\n${network}` : ''));
console.log('wrote bench/RESULTS.md');

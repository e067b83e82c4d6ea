// `npm run bench`: runs the shared benchmark suite (../shared/bench, see its README) with wasi-kit's
// built package beside node:wasi and the other JS hosts. shared/ is read-only, so the suite is copied
// to bench/.work/ and its anchor implementations installed there.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
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
run('npm', ['run', '-s', 'build'], repo);

const args = process.argv.slice(2);
const adapters = ['node', 'raw', 'browser_wasi_shim', 'wasm-util', `module:${join(repo, 'dist', 'index.js')}`];
const hasAdapter = args.includes('--adapter');
run('node', ['run.mjs', ...(hasAdapter ? [] : ['--adapter', adapters.join(',')]), ...args], work);

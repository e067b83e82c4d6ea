/**
 * `wasi-kit run [options] file.wasm [--] [args...]`: runs a WASI command on the host's stdio. Exit
 * status: the guest's exit code; 134 on a trap; 1 when the host fails (unreadable file, not a
 * module, missing imports, a wasi-kit bug); 2 for bad command-line options. Apart from `--help`,
 * `--version` and `--trace`, everything on stdout and stderr is the guest's, except one
 * `wasi-kit: ...` line on stderr when the host fails or the guest traps.
 */
import { realpathSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from './cli/args.js';
import { MAIN_HELP, RUN_HELP } from './cli/help.js';
import { packageVersion } from './cli/package-version.js';
import { runCommand } from './cli/run.js';
import { HostError, UsageError } from './cli/usage-error.js';

const print = (fd: number, text: string) => writeSync(fd, text);

/** Runs the CLI on `argv` (without node and the script) and resolves with the process exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const report = (line: string) => print(2, `wasi-kit: ${line}\n`);
  try {
    const command = parseArgs(argv);
    switch (command.command) {
      case 'help':
        print(1, command.topic === 'run' ? RUN_HELP : MAIN_HELP);
        return 0;
      case 'version':
        print(1, `wasi-kit ${packageVersion()}\n`);
        return 0;
      case 'run':
        return await runCommand(command, report);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      report(`${err.message} (see wasi-kit --help)`);
      return 2;
    }
    if (err instanceof HostError) {
      report(err.message);
      return 1;
    }
    throw err;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));

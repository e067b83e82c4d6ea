export const MAIN_HELP = `Usage: wasi-kit <command> [options]

Commands:
  run [options] FILE.wasm [--] [ARGS...]   run a WASI command module

Options:
  -h, --help      show this help (wasi-kit run --help for run's options)
  -V, --version   print wasi-kit's version
`;

export const RUN_HELP = `Usage: wasi-kit run [options] FILE.wasm [--] [ARGS...]

Runs a WASI command module with stdin, stdout and stderr passed through and exits with its exit
code (134 when it traps, 1 when the host fails, 2 for bad options). The guest's argv is FILE.wasm
then ARGS; it sees only the directories and variables given here.

Options:
  --dir HOST[::GUEST]      preopen the host directory HOST as GUEST (default: HOST as given); repeatable
  --mapdir GUEST::HOST     the same, in wasmer's order
  --root DIR               the host directory DIR is the guest's / (each --dir is mounted in it);
                           without it a WASIX program gets a fresh / in memory, others only their --dir
  --cwd PATH               the guest's working directory at start (absolute; default /)
  --env NAME=VALUE         set an environment variable for the guest; repeatable
  --command NAME=FILE.wasm a program WASIX processes can spawn or exec as NAME (or /bin/NAME),
                           read from FILE.wasm when first used; repeatable
  --fs host|memory         host: the guest works on the host directories (default);
                           memory: each --dir is copied into memory first, the host is left untouched
  --version VERSION        the WASI version to provide: auto (default: what the module imports),
                           preview1, snapshot0, ephemeral, wasix, wasix64
  --net-listen HOST:PORT   let the guest's WASIX sockets bind and listen there; repeatable. HOST is an
                           IP (IPv6 in brackets), localhost or *; PORT a number, LOW-HIGH or *
  --net-connect HOST:PORT  let them connect (and send datagrams) there, and resolve HOST; repeatable
  --net-allow-all          any address, both ways (without these flags the guest has no network)
  --trace[=FILE]           print one line per syscall to stderr, or to FILE
  -h, --help               show this help
`;

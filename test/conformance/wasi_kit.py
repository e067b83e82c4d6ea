"""wasi-testsuite runtime adapter for wasi-kit (https://github.com/WebAssembly/wasi-testsuite).

    ./run-tests --runtime-adapter /path/to/wasi-kit/test/conformance/wasi_kit.py

The runner imports this file and calls the functions below; run as a script (the runner's
`--version` probe) it prints nothing. By default wasi-kit runs from this checkout's sources (needs
`npm ci`); set WASI_KIT to another command line, e.g. WASI_KIT="node bin/wasi-kit.js" after
`npm run build`, or WASI_KIT=wasi-kit for an installed one. WASI_KIT_FS=memory runs every test on
the memory filesystem (`--fs memory`: the directory is copied into memory, the host left untouched).
"""
import json
import os
import shlex
from pathlib import Path
from typing import Any, List

REPO = Path(__file__).resolve().parent.parent.parent
_TSX = (REPO / "node_modules" / "tsx" / "dist" / "loader.mjs").as_uri()
WASI_KIT = shlex.split(os.getenv("WASI_KIT", "")) or ["node", "--no-warnings", "--import", _TSX, str(REPO / "src" / "cli.ts")]


def get_name() -> str:
    return "wasi-kit"


def get_version() -> str:
    return str(json.loads((REPO / "package.json").read_text(encoding="utf-8"))["version"])


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def get_timeout_seconds() -> int:
    # Starting node (and tsx, from source) takes a good part of a second before the test runs.
    return 60


def compute_argv(test_path: str, *rest: Any) -> List[str]:
    """The command line that runs one test.

    The runner's call has changed over time; every form is accepted:
    (test_path, args, env, dirs[, wasi_version]) and
    (test_path, [args, env, dirs_or_root], proposals[, wasi_world], wasi_version) (the runner of
    this revision passes a list, earlier ones a tuple), where dirs are (host, guest) pairs (or host
    paths, seen as themselves) and a root is one host directory mapped to `/`. The `--` after the
    module keeps the test's own arguments its own.
    """
    if len(rest) >= 2 and isinstance(rest[1], dict):
        args, env, dirs = rest[0], rest[1], rest[2]
    else:
        args, env, dirs = rest[0]
    pairs: List[Any] = [] if dirs is None else [(dirs, "/")] if isinstance(dirs, (str, Path)) else list(dirs)
    argv = WASI_KIT + ["run"] + (["--fs", os.environ["WASI_KIT_FS"]] if os.getenv("WASI_KIT_FS") else [])
    for key, value in dict(env).items():
        argv += ["--env", f"{key}={value}"]
    for pair in pairs:
        host, guest = (pair, pair) if isinstance(pair, (str, Path)) else pair
        argv += ["--dir", f"{host}::{guest}"]
    return argv + [str(test_path), "--"] + [str(a) for a in args]

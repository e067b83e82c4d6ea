import type { WasiSnapshotPreview1 } from '../../../generated/preview1/handlers.js';
import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { OPTION_PID, PROC_SPAWN_FD_OP, SIGNAL_DISPOSITION, readOptionPid, readProcSpawnFdOp, readSignalDisposition, writeOptionPid } from '../../../generated/wasix/layout.js';
import { Disposition, Errno, type Signal, Fdflagsext, JoinFlags, ProcSpawnFdOpName, StdioMode, type JoinStatus, type ProcessHandles } from '../../../generated/wasix/types.js';
import { WasiError, errnoOf } from '../../abi/errno-of.js';
import { GuestMemory } from '../../abi/memory.js';
import { Blocked, waitForOtherThreads } from '../../kernel/blocking.js';
import { FdTable, closeAll } from '../../kernel/fd-table.js';
import { Process } from '../../kernel/process.js';
import { type ExitStatus } from '../../kernel/process-table.js';
import { ExecImage, type Program } from '../../kernel/programs.js';
import { StringArray } from '../../string-array.js';
import { joinPath, preopenOf } from './cwd.js';

// Processes: spawn, exec and wait, over the kernel's process table and its launcher (src/processes.ts),
// which runs every process in workers of its own. As in Wasmer (lib/wasix/src/syscalls/wasix/proc_*.rs).

type ProcCalls = 'proc_fork' | 'proc_spawn' | 'proc_spawn2' | 'proc_join' | 'proc_exec' | 'proc_exec2' | 'proc_exec3';

/** The calls a program makes to start or wait for processes: `run()` runs such a program in workers, as a threaded one. */
export const PROCESS_PROGRAM_CALLS: ReadonlySet<ProcCalls> = new Set(['proc_fork', 'proc_spawn', 'proc_spawn2', 'proc_join', 'proc_exec', 'proc_exec2', 'proc_exec3']);

const NO_LAUNCHER = 'processes need the program run by WASI.run() (or the CLI), which runs every process in workers';

/** Bytes in a WebAssembly page: a new image's memory starts at its declared initial pages. */
const PAGE = 65536;

/** `\n`-separated arguments or environment entries, as wasix-libc joins them; empty entries dropped. */
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

/**
 * The program `name` names for process `k`: a `commands` entry (by name, or as `/bin/<name>`), else a
 * `.wasm` file in the guest's filesystem (a path, or with `searchPath` a name looked up in `PATH`).
 * `noent` when there is none, `noexec` when it is not WebAssembly. Parks the call while it compiles.
 */
export function resolveProgram(k: Process, name: string, searchPath: boolean, path: string | undefined): Program {
  const launcher = k.kernel.launcher;
  if (!launcher) throw new WasiError('notsup', NO_LAUNCHER);
  if (name === '') throw new WasiError('noent', 'no program named');
  const commandName = name.includes('/') ? (name.startsWith('/bin/') && !name.slice(5).includes('/') ? name.slice(5) : undefined) : name;
  const command = commandName === undefined ? undefined : launcher.command(commandName);
  if (command !== undefined) return launcher.programs.get(`command:${commandName}`, () => command);
  const dirs = !name.includes('/') && searchPath ? (path ?? k.env.strings.find((e) => e.startsWith('PATH='))?.slice(5) ?? '').split(':').filter(Boolean) : [''];
  for (const dir of dirs) {
    const abs = joinPath(k.cwd, dir === '' ? name : `${dir}/${name}`);
    const found = preopenOf(k.fds, abs);
    if (!found) continue;
    const [d, rest] = found;
    let handle;
    try {
      const st = d.fs.stat(d.handle, rest === '' ? '.' : rest);
      if (st.filetype !== 'regular_file') continue;
      handle = d.fs.open(d.handle, rest, { read: true });
    } catch (err) {
      // A filesystem that answers asynchronously (OPFS) parks the call: it looks again once settled.
      if (err instanceof Blocked) throw err;
      continue;
    }
    try {
      const st = d.fs.fstat(handle);
      const bytes = new Uint8Array(Number(st.size));
      for (let at = 0; at < bytes.length; ) {
        const n = d.fs.read(handle, bytes.subarray(at));
        if (n === 0) break;
        at += n;
      }
      return launcher.programs.get(`file:${abs}:${st.size}:${st.mtim}:${st.ino}`, () => bytes);
    } finally {
      d.fs.close(handle);
    }
  }
  throw new WasiError('noent', `no program ${name}`);
}

/**
 * A join that would wait is a signal point: a signal the process catches ends it with `intr` once its
 * callback has run, as POSIX's waitpid returns EINTR (so a shell waiting for its job hears Ctrl-C and
 * passes it on). A child that has ended is reported first, before any signal.
 */
function interruptible(k: Process): void {
  if (k.signals.deliver()) throw new WasiError('intr', 'interrupted by a signal');
}

/** What a join reports for an ended process. */
const joinStatusOf = (s: ExitStatus): JoinStatus =>
  // Wasmer puts the exit code in the errno field (`JoinStatus::ExitNormal(errno)`), cut to its 16 bits.
  'code' in s ? { tag: 'exit_normal', value: (s.code & 0xffff) as Errno } : { tag: 'exit_signal', value: { exit_code: Errno.success, signal: s.signal as Signal } };

/**
 * `proc_spawn`, `proc_spawn2`, `proc_join` (the WITX form), `proc_exec`, `proc_exec2`, `proc_exec3`.
 * `p1` serves the `open` file action (preview1's path_open, in the parent before the child starts).
 */
export function wasixProcHandlers(k: Process, p1: Pick<WasiSnapshotPreview1, 'path_open'>): Pick<Wasix32v1, ProcCalls> {
  const m = k.memory;

  /** Starts `program` as a child of `k` with `fds`; the child's pid. */
  const spawn = (program: Program, args: string[], env: string[], fds: FdTable, cwd: string, ignored: readonly number[]): number => {
    const launcher = k.kernel.launcher!;
    launcher.admit(program.memory.initial * PAGE);
    const child = new Process(k.kernel, { memory: new GuestMemory(), args: new StringArray(args), env: new StringArray(env), fds, terminal: k.terminal, parent: k.pid });
    child.cwd = cwd;
    for (const sig of ignored) child.signals.ignore(sig);
    launcher.start(child, program);
    return child.pid;
  };

  /** The child's fd table: the parent's fds without close-on-exec (posix_spawn execs the child). */
  const inherited = () => k.fds.clone((_, e) => (e.fdflagsext & Fdflagsext.cloexec) === 0);

  const exec = (name: string, args: string, envs: string | undefined, searchPath: boolean, path: string | undefined): never => {
    // A signal point: one that came before the exec reaches the old image's handler, which the new
    // image will not have (a forked shell that is Ctrl-C'd before it execs a command exits then,
    // rather than leave the signal pending for a program that may never make another call).
    k.signals.deliver();
    const program = resolveProgram(k, name, searchPath, path);
    // The old image's memory is released as the new one is made (a vfork's child holds none of its own).
    k.kernel.launcher!.admit(program.memory.initial * PAGE, k);
    const argv = lines(args);
    throw new ExecImage(program, argv.length > 0 ? argv : [name], envs === undefined ? k.env.strings : lines(envs));
  };

  return {
    proc_fork(copyMemory) {
      // The calling thread's worker has unwound it to its entry and sent its image (src/threads/fork.ts);
      // this is the kernel's half: the child process, and its start from that image.
      const launcher = k.kernel.launcher;
      const tid = k.threads?.currentTid;
      if (!launcher) throw new WasiError('notsup', NO_LAUNCHER);
      // A vfork's child runs on its parent's thread, which is not one of its own.
      if (tid === undefined) throw new WasiError('notsup', "a vfork's child cannot fork before it execs or exits");
      const image = k.threads!.takeForkImage(tid);
      if (!image) return waitForOtherThreads('proc_fork');
      // fork copies the memory as large as it is now (a vfork's child shares it).
      if (copyMemory !== 0) launcher.admit(launcher.memoryBytes(k));
      const child = k.fork();
      // vfork: the thread goes on as the child, in this instance, until it execs or exits; *pid is 0 for it.
      if (copyMemory === 0) {
        launcher.vfork(k, child, tid);
        return 0;
      }
      try {
        launcher.fork(k, child, image);
      } catch (err) {
        // The child never ran: it leaves no zombie and holds no fd.
        k.kernel.processes.forget(child);
        closeAll(child.fds);
        // The host could not make its memory (V8 throws RangeError): fork's ENOMEM.
        if (err instanceof RangeError) throw new WasiError('nomem', `no memory for the child: ${err.message}`);
        throw err;
      }
      return child.pid;
    },

    proc_spawn2(name, args, envs, fdOps, fdOpsLen, dispositions, dispositionsLen, searchPath, path) {
      // The allowed processes are counted before anything is opened.
      const program = resolveProgram(k, name, searchPath === 1, path);
      const ops = Array.from({ length: fdOpsLen }, (_, i) => readProcSpawnFdOp(m.view, fdOps + i * PROC_SPAWN_FD_OP.SIZE));
      const ignored = Array.from({ length: dispositionsLen }, (_, i) => readSignalDisposition(m.view, dispositions + i * SIGNAL_DISPOSITION.SIZE))
        .filter((d) => d.disp === Disposition.ignore)
        .map((d) => d.sig as number);
      const fds = inherited();
      let cwd = k.cwd;
      try {
        for (const op of ops) {
          if (op.cmd === ProcSpawnFdOpName.close) {
            // posix_spawn_file_actions_addclose of an fd that is not open fails the spawn (EBADF).
            fds.close(op.fd);
          } else if (op.cmd === ProcSpawnFdOpName.dup2) {
            const from = fds.fd(op.src_fd, 0);
            if (op.src_fd !== op.fd) {
              if ([...fds.all()].some(([n]) => n === op.fd)) fds.close(op.fd);
              fds.set(op.fd, { file: from.file, rightsBase: from.rightsBase, rightsInheriting: from.rightsInheriting });
            } else from.fdflagsext &= ~Fdflagsext.cloexec;
          } else if (op.cmd === ProcSpawnFdOpName.open) {
            const path = m.readString(op.path, op.path_len);
            // Opened as the parent would (same namespace), then moved into the child's table.
            const opened = p1.path_open(op.src_fd, op.dirflags, path, op.oflags, op.fs_rights_base, op.fs_rights_inheriting, op.fdflags);
            const e = k.fds.fd(opened, 0);
            if ([...fds.all()].some(([n]) => n === op.fd)) fds.close(op.fd);
            fds.set(op.fd, { file: e.file, rightsBase: e.rightsBase, rightsInheriting: e.rightsInheriting, fdflagsext: op.fdflagsext });
            k.fds.close(opened);
          } else if (op.cmd === ProcSpawnFdOpName.chdir) {
            cwd = joinPath(cwd, m.readString(op.path, op.path_len));
          } else if (op.cmd === ProcSpawnFdOpName.fchdir) {
            const e = fds.fd(op.fd, 0);
            if (e.file.kind !== 'fs' || !e.file.isDir) throw new WasiError('notdir');
            if (e.preopen === undefined) throw new WasiError('notsup', 'fchdir to a directory that is not a preopen: its path is not known');
            cwd = joinPath('/', e.preopen);
          }
        }
        return spawn(program, lines(args).length > 0 ? lines(args) : [name], lines(envs), fds, cwd, ignored);
      } catch (err) {
        for (const [fd] of [...fds.all()]) fds.close(fd);
        throw err;
      }
    },

    proc_spawn(name, chroot, args, preopen, stdin, stdout, stderr, workingDir) {
      if (chroot) throw new WasiError('notsup', 'chroot: a process sees the whole of its parent\'s filesystem');
      const program = resolveProgram(k, name, true, undefined);
      const wanted = lines(preopen);
      const fds = k.fds.clone((fd, e) => (fd <= 2 ? false : e.preopen !== undefined && (wanted.length === 0 || wanted.includes(e.preopen))));
      const handles: ProcessHandles = { pid: 0, stdin: { tag: 'none', value: 0 }, stdout: { tag: 'none', value: 0 }, stderr: { tag: 'none', value: 0 } };
      try {
        [stdin, stdout, stderr].forEach((mode, fd) => {
          if (mode === StdioMode.inherit || mode === StdioMode.log) {
            const e = k.fds.fd(fd, 0);
            fds.set(fd, { file: e.file, rightsBase: e.rightsBase, rightsInheriting: e.rightsInheriting });
          } else if (mode === StdioMode.piped) {
            throw new WasiError('notsup', 'piped stdio of proc_spawn: use fd_pipe and proc_spawn2 file actions');
          }
          // null: the child's fd is left closed, so its reads and writes fail with badf.
        });
        const cwd = workingDir === '' || workingDir === '.' ? k.cwd : joinPath(k.cwd, workingDir);
        handles.pid = spawn(program, lines(args).length > 0 ? lines(args) : [name], k.env.strings.slice(), fds, cwd, []);
        return handles;
      } catch (err) {
        for (const [fd] of [...fds.all()]) fds.close(fd);
        throw err;
      }
    },

    proc_join(pidPtr, flags) {
      m.checkAligned(pidPtr, OPTION_PID.SIZE, OPTION_PID.ALIGN);
      const which = readOptionPid(m.view, pidPtr);
      const done = k.kernel.processes.reap(k.pid, which.tag === 'some' ? which.value : undefined);
      if (!done) {
        if (flags & JoinFlags.non_blocking) return { tag: 'nothing', value: 0 };
        interruptible(k);
        return waitForOtherThreads(`proc_join(${which.tag === 'some' ? which.value : 'any'})`);
      }
      // As the WITX says: the pid is populated with the process that exited.
      writeOptionPid(m.view, pidPtr, { tag: 'some', value: done.pid });
      return joinStatusOf(done.status!);
    },

    proc_exec: (name, args) => exec(name, args, undefined, true, undefined),
    proc_exec2: (name, args, envs) => exec(name, args, envs, true, undefined),
    proc_exec3: (name, args, envs, searchPath, path) => exec(name, args, envs, searchPath === 1, path),
  };
}

/**
 * The 2023 WASIX libc's `proc_join(pid: *mut u32, exit_code: *mut u32) -> errno`: `*pid` in and out
 * (`-1`: any child), blocking, the exit code written raw (128 + signal for a signalled child).
 */
export function procJoin2023(k: Process): (pidPtr: number, exitCodePtr: number) => number {
  const m = k.memory;
  return (pidPtr, exitCodePtr) => {
    try {
      m.checkAligned(pidPtr >>> 0, 4, 4);
      m.checkAligned(exitCodePtr >>> 0, 4, 4);
      const pid = m.view.getInt32(pidPtr >>> 0, true);
      const done = k.kernel.processes.reap(k.pid, pid === -1 ? undefined : pid >>> 0);
      if (!done) {
        interruptible(k);
        return waitForOtherThreads(`proc_join(${pid})`);
      }
      m.view.setUint32(pidPtr >>> 0, done.pid, true);
      const s = done.status!;
      m.view.setUint32(exitCodePtr >>> 0, 'code' in s ? s.code >>> 0 : 128 + s.signal, true);
      return Errno.success;
    } catch (err) {
      return errnoOf(err, 'proc_join', Errno);
    }
  };
}

/**
 * `proc_join` chosen per import by its wasm type, through the number of arguments the call gets: wasm
 * calls a JavaScript import with exactly its declared parameters, and the thread channel carries each
 * import's declared parameters (read from the module's type section), so 2 means the 2023 form and 3
 * the WITX form.
 */
export function procJoinByArity(witx: (...args: number[]) => number, k: Process): (...args: number[]) => number {
  const legacy = procJoin2023(k);
  return (...args) => (args.length === 2 ? legacy(args[0]!, args[1]!) : witx(...args));
}

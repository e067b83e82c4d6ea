import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { TTY, readTty, writeTty } from '../../../generated/wasix/layout.js';
import { Filetype, type Tty } from '../../../generated/wasix/types.js';
import type { Process } from '../../kernel/process.js';

/**
 * `tty_get`/`tty_set` over the process's terminal record (`Process.tty`). With a host terminal (Node, when
 * stdout or stderr is a TTY) tty_get reports its live size, and tty_set turns stdin's terminal raw when
 * line buffering is turned off (back when it is turned on): Node's raw mode takes echo and line
 * buffering off together, so echo alone cannot change. Otherwise the record is 80x24 characters,
 * pixel size unknown (0, as TIOCGWINSZ reports it), echo and line buffering on and line feeds kept
 * (a terminal in canonical mode), until tty_set stores another for tty_get to return. fd 0/1/2 are
 * ttys when they are character devices.
 */
export function wasixTtyHandlers(k: Process): Pick<Wasix32v1, 'tty_get' | 'tty_set'> {
  const { fds, memory: m, terminal } = k;
  const isTty = (fd: number) => {
    const e = [...fds.all()].find(([n]) => n === fd)?.[1];
    return e?.file.filetype === Filetype.character_device ? 1 : 0;
  };
  const initial = (): Tty => ({
    cols: 80,
    rows: 24,
    width: 0,
    height: 0,
    stdin_tty: isTty(0),
    stdout_tty: isTty(1),
    stderr_tty: isTty(2),
    echo: 1,
    line_buffered: 1,
    line_feeds: 0,
  });
  return {
    tty_get(state) {
      m.checkAligned(state, TTY.SIZE, TTY.ALIGN);
      const record = k.tty ?? initial();
      // A real terminal's size is what the user sees now, whatever tty_set stored.
      const size = terminal?.size();
      writeTty(m.view, state, size ? { ...record, cols: size.cols, rows: size.rows } : record);
    },
    tty_set(state) {
      m.checkAligned(state, TTY.SIZE, TTY.ALIGN);
      const next = readTty(m.view, state);
      if (terminal && next.line_buffered !== (k.tty ?? initial()).line_buffered) terminal.setRawMode(next.line_buffered === 0);
      k.tty = next;
    },
  };
}

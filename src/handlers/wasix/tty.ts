import type { Wasix32v1 } from '../../../generated/wasix/handlers.js';
import { TTY, readTty, writeTty } from '../../../generated/wasix/layout.js';
import { Filetype, type Tty } from '../../../generated/wasix/types.js';
import type { Kernel } from '../../kernel.js';

/**
 * `tty_get`/`tty_set` over a terminal record kept per instance. No terminal is driven: `tty_set`
 * stores the record for `tty_get` to return. Until then the record is 80x24 characters, pixel size
 * unknown (0, as TIOCGWINSZ reports it), fd 0/1/2 a tty when they are character devices, echo and
 * line buffering on and line feeds kept (a terminal in canonical mode).
 */
export function wasixTtyHandlers(k: Kernel): Pick<Wasix32v1, 'tty_get' | 'tty_set'> {
  const { fds, memory: m } = k;
  let stored: Tty | undefined;
  const isTty = (fd: number) => {
    const e = [...fds.all()].find(([n]) => n === fd)?.[1];
    return e?.filetype === Filetype.character_device ? 1 : 0;
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
      writeTty(m.view, state, stored ?? initial());
    },
    tty_set(state) {
      m.checkAligned(state, TTY.SIZE, TTY.ALIGN);
      stored = readTty(m.view, state);
    },
  };
}

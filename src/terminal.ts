/** The host's terminal, where the guest's stdio is one (Node with a TTY); see tty_get/tty_set. */
export interface HostTerminal {
  /** The terminal's size in characters, or undefined when stdout and stderr are no terminal. */
  size(): { cols: number; rows: number } | undefined;
  /** Turns stdin's terminal raw (no line buffering, no echo) or back; false when stdin is no terminal. */
  setRawMode(raw: boolean): boolean;
}

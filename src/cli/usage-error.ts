/** Bad command-line input: printed as `wasi-kit: <message>` with a pointer to `--help`, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure of the host around the guest (unreadable file, not a module, missing imports): exit 1. */
export class HostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostError';
  }
}

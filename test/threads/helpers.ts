// WAT guests for the thread tests, compiled with wabt's threads feature (shared memory, atomics).
let wabt: Awaited<ReturnType<typeof import('wabt')>> | undefined;

/** The bytes of a module written in WAT (threads and bulk memory enabled). */
export async function watBytes(text: string): Promise<Uint8Array> {
  wabt ??= await (await import('wabt')).default();
  const parsed = wabt.parseWat('thread-test.wat', text, { threads: true, bulk_memory: true });
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** Collects bytes written to a stream callback as text. */
export function textSink(): { write: (b: Uint8Array) => void; text: () => string } {
  const chunks: Uint8Array[] = [];
  return { write: (b) => chunks.push(b), text: () => Buffer.concat(chunks).toString('utf8') };
}

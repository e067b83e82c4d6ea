import { describe, expect, it } from 'vitest';
import { backends, readN, preadN } from './helpers.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe.each(backends)('append mode changed after open: $name', (backend) => {
  it('turned on, a write goes to the end whatever the position, and the position follows', () => {
    const { fs, cleanup } = backend.make();
    try {
      const root = fs.openRoot();
      const h = fs.open(root, 'f.txt', { read: true, write: true, create: true });
      fs.write(h, bytes('abcd'));
      fs.seek(h, 1n, 'set');
      fs.setAppend!(h, true);
      fs.write(h, bytes('E'));
      expect(fs.seek(h, 0n, 'cur')).toBe(5n);
      fs.seek(h, 0n, 'set');
      expect(text(readN(fs, h, 100))).toBe('abcdE');
      // pwrite on an append handle also goes to the end (as Linux does with O_APPEND).
      fs.pwrite(h, bytes('F'), 0n);
      expect(text(preadN(fs, h, 100, 0n))).toBe('abcdEF');
      fs.close(h);
    } finally {
      cleanup();
    }
  });

  it('opened with append and turned off: writes go to the position again', () => {
    const { fs, cleanup } = backend.make();
    try {
      const root = fs.openRoot();
      const h = fs.open(root, 'g.txt', { read: true, write: true, create: true, append: true });
      fs.write(h, bytes('xyz'));
      fs.seek(h, 0n, 'set');
      fs.write(h, bytes('w'));
      expect(text(preadN(fs, h, 100, 0n))).toBe('xyzw');
      fs.setAppend!(h, false);
      fs.seek(h, 0n, 'set');
      fs.write(h, bytes('Q'));
      fs.pwrite(h, bytes('R'), 1n);
      expect(text(preadN(fs, h, 100, 0n))).toBe('QRzw');
      fs.close(h);
    } finally {
      cleanup();
    }
  });
});

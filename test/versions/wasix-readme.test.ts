// The README's WASIX table is the support statement: it must name each of the 86 extensions once,
// as `notsup` exactly when the runtime answers notsup (WASIX_NOTSUP), with the runtime's reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi } from '../../generated/wasix/metadata.js';
import { WASIX_NOTSUP } from '../../src/handlers/wasix.js';
import { REPO_ROOT } from '../helpers/run-program.js';

describe('README: the WASIX table', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## WASIX (`wasix_32v1`)'));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| ((?:`\w+`(?:, )?)+) \| (.+) \|$/gm)) {
    for (const name of m[1]!.split(', ')) {
      const key = name.replaceAll('`', '');
      expect(rows.has(key), `${key} listed twice`).toBe(false);
      rows.set(key, m[2]!);
    }
  }

  it('lists every extension once, and nothing else', () => {
    expect([...rows.keys()].sort()).toEqual(abi().functions.map((f) => f.name).sort());
  });

  it('says notsup, with the runtime reason, exactly for the notsup ones', () => {
    for (const [name, status] of rows) {
      const why = (WASIX_NOTSUP as Record<string, string>)[name];
      if (why === undefined) expect(status, name).not.toMatch(/^notsup/);
      else expect(status, name).toBe(`notsup: ${why}`);
    }
  });
});

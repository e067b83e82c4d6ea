// The README's preview1 table is the support statement: it must name each preview1 function once, and
// the errnos and behaviours it states where a call can check them must be what the runtime does.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi } from '../../generated/preview1/metadata.js';
import { MemoryFileSystem } from '../../src/index.js';
import { REPO_ROOT, tempDir } from '../helpers/run-program.js';
import { ERRNO, FDFLAGS, boundWasi } from './harness.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Support: preview1');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const rows = new Map<string, string>();
for (const m of section.matchAll(/^\| ((?:`\w+`(?:, )?)+) \| (.+) \|$/gm)) {
  for (const name of m[1]!.split(', ')) rows.set(name.replaceAll('`', ''), m[2]!);
}
const errnoName = (n: number) => Object.entries(ERRNO).find(([, v]) => v === n)![0];

describe('README: the preview1 table', () => {
  it('lists every preview1 function once, and none as notsup', () => {
    const listed = [...section.matchAll(/^\| ((?:`\w+`(?:, )?)+) \|/gm)].flatMap((m) => m[1]!.split(', ').map((n) => n.replaceAll('`', '')));
    expect(listed.sort()).toEqual(abi().functions.map((f) => f.name).sort());
    for (const [name, status] of rows) expect(status, name).not.toMatch(/^notsup/);
  });

  it('fd_prestat_dir_name: the errno it names for a short buffer', async () => {
    const { call } = await boundWasi({ preopens: { '/sandbox': new MemoryFileSystem() } });
    const errno = errnoName(call('fd_prestat_dir_name', 3, 0, 3));
    expect(rows.get('fd_prestat_dir_name')).toContain(`\`${errno}\` for a short buffer`);
  });

  it('fd_fdstat_set_flags: append turned off on a host file opened with append', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.path, 'f'), 'abc');
      const { call, open, write } = await boundWasi({ preopens: { '/sandbox': t.path } });
      const [e, fd] = open(3, 'f', { fdflags: FDFLAGS.append });
      expect(e).toBe(ERRNO.success);
      expect(call('fd_fdstat_set_flags', fd, 0)).toBe(ERRNO.success);
      expect(call('fd_seek', fd, 0n, 0, 200)).toBe(ERRNO.success);
      expect(write(fd, 'X')[0]).toBe(ERRNO.success);
      expect(readFileSync(join(t.path, 'f'), 'utf8')).toBe('Xbc');
      expect(rows.get('fd_fdstat_set_flags')).toContain('`append` can be turned on or off');
    } finally {
      t.cleanup();
    }
  });

  it('path_symlink and path_link: what the path row says of absolute targets and symlink_follow', async () => {
    const t = tempDir();
    try {
      mkdirSync(join(t.path, 'd'));
      const { call, put } = await boundWasi({ preopens: { '/sandbox': t.path } });
      const abs = put(1024, '/');
      const name = put(1100, 'abs');
      expect(errnoName(call('path_symlink', 1024, abs, 3, 1100, name))).toBe('perm');
      expect(rows.get('path_symlink')).toContain('refuses an absolute target (`perm`)');
      const target = put(1024, 'missing');
      const link = put(1100, 'dangling');
      expect(call('path_symlink', 1024, target, 3, 1100, link)).toBe(ERRNO.success);
      const hard = put(1200, 'hard');
      // symlink_follow through a dangling symlink: nothing to link.
      expect(errnoName(call('path_link', 3, 1, 1100, link, 3, 1200, hard))).toBe('noent');
      expect(rows.get('path_link')).toContain('`path_link` with `symlink_follow` links what the symlink names');
    } finally {
      t.cleanup();
    }
  });
});

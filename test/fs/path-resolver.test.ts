import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasiError } from '../../src/abi/wasi-error.js';
import { MAX_SYMLINK_EXPANSIONS, resolvePath, type PathLookup } from '../../src/fs/path-resolver.js';
import type { FileType } from '../../src/fs/types.js';
import { errnoOf } from './helpers.js';

type ModelNode = { type: 'dir' } | { type: 'file' } | { type: 'symlink'; target: string };

/** A whole host tree as absolute paths ('' is '/'); the sandbox root is /root. */
type Model = Map<string, ModelNode>;

const TYPE_NAMES: Record<ModelNode['type'], FileType> = {
  dir: 'directory',
  file: 'regular_file',
  symlink: 'symbolic_link',
};

function lookupIn(model: Model, root = '/root'): PathLookup & { calls: string[] } {
  const calls: string[] = [];
  const at = (parts: readonly string[]) => [root, ...parts].join('/');
  return {
    calls,
    lstatType(parts) {
      calls.push(at(parts));
      const node = model.get(at(parts));
      return node && TYPE_NAMES[node.type];
    },
    readlink(parts) {
      const node = model.get(at(parts));
      if (node?.type !== 'symlink') throw new Error(`readlink of ${at(parts)} in the model`);
      return node.target;
    },
  };
}

function baseModel(symlinks: Record<string, string> = {}): Model {
  const model: Model = new Map<string, ModelNode>([
    ['', { type: 'dir' }],
    ['/root', { type: 'dir' }],
    ['/root/a', { type: 'dir' }],
    ['/root/a/b', { type: 'dir' }],
    ['/root/f', { type: 'file' }],
    ['/secret', { type: 'dir' }],
    ['/secret/x', { type: 'file' }],
  ]);
  for (const [at, target] of Object.entries(symlinks)) model.set(at, { type: 'symlink', target });
  return model;
}

const resolve = (model: Model, path: string, followFinal = true) => resolvePath(lookupIn(model), path, { followFinal });

describe('resolvePath', () => {
  const model = baseModel({
    '/root/up': '..',
    '/root/abs': '/root/a',
    '/root/to-a': 'a',
    '/root/a/to-b': 'b',
    '/root/a/back': '../f',
    '/root/a/out': '../../secret',
    '/root/chain1': 'chain2',
    '/root/chain2': 'a/to-b',
    '/root/loop1': 'loop2',
    '/root/loop2': 'loop1',
    '/root/self': 'self',
    '/root/dangling': 'nothing/here',
    '/root/dangling-in': 'new-file',
    '/root/to-f': 'f',
    '/root/empty': '',
  });

  it('walks plain, dotted and doubled-slash paths', () => {
    expect(resolve(model, 'a/b').parts).toEqual(['a', 'b']);
    expect(resolve(model, 'a/./b/../b').parts).toEqual(['a', 'b']);
    expect(resolve(model, 'a//b').parts).toEqual(['a', 'b']);
    expect(resolve(model, '.')).toMatchObject({ parts: [], type: 'directory', endsInDot: true });
    expect(resolve(model, 'a/..')).toMatchObject({ parts: [], endsInDot: true });
    expect(resolve(model, 'a/b/')).toMatchObject({ parts: ['a', 'b'], mustBeDir: true, endsInDot: false });
    expect(resolve(model, 'new')).toEqual({ parts: ['new'], type: undefined, mustBeDir: false, endsInDot: false });
    expect(resolve(model, 'a/new/')).toMatchObject({ parts: ['a', 'new'], type: undefined, mustBeDir: true });
  });

  it('refuses what the reference runtime refuses, with its errnos', () => {
    expect(errnoOf(() => resolve(model, ''))).toBe('noent');
    expect(errnoOf(() => resolve(model, '/root/a'))).toBe('perm');
    expect(errnoOf(() => resolve(model, '..'))).toBe('perm');
    expect(errnoOf(() => resolve(model, 'a/../..'))).toBe('perm');
    expect(errnoOf(() => resolve(model, 'a/../../root/a'))).toBe('perm');
    expect(errnoOf(() => resolve(model, 'a\0'))).toBe('inval');
    expect(errnoOf(() => resolve(model, 'missing/x'))).toBe('noent');
    expect(errnoOf(() => resolve(model, 'f/x'))).toBe('notdir');
    expect(errnoOf(() => resolve(model, 'f/'))).toBe('notdir');
    expect(errnoOf(() => resolve(model, 'f/..'))).toBe('notdir');
    expect(errnoOf(() => resolve(model, `${'n'.repeat(256)}`))).toBe('nametoolong');
    expect(resolve(model, 'n'.repeat(255)).parts).toEqual(['n'.repeat(255)]);
    // 85 three-byte characters are 255 bytes; one more is too long.
    expect(errnoOf(() => resolve(model, '€'.repeat(86)))).toBe('nametoolong');
    expect(resolve(model, '€'.repeat(85)).type).toBeUndefined();
  });

  it('follows symlinks inside the root and refuses those that lead out', () => {
    expect(resolve(model, 'to-a/b').parts).toEqual(['a', 'b']);
    expect(resolve(model, 'chain1')).toMatchObject({ parts: ['a', 'b'], type: 'directory' });
    expect(resolve(model, 'a/back')).toMatchObject({ parts: ['f'], type: 'regular_file' });
    expect(resolve(model, 'to-a/to-b/../to-b').parts).toEqual(['a', 'b']);
    expect(errnoOf(() => resolve(model, 'up'))).toBe('perm');
    expect(errnoOf(() => resolve(model, 'up/root/a'))).toBe('perm');
    expect(errnoOf(() => resolve(model, 'abs'))).toBe('perm');
    expect(errnoOf(() => resolve(model, 'a/out/x'))).toBe('perm');
    expect(errnoOf(() => resolve(model, 'empty'))).toBe('noent');
  });

  it('does not follow a final symlink unless asked, but a trailing slash forces it', () => {
    expect(resolve(model, 'up', false)).toMatchObject({ parts: ['up'], type: 'symbolic_link' });
    expect(resolve(model, 'abs', false)).toMatchObject({ parts: ['abs'], type: 'symbolic_link' });
    expect(resolve(model, 'to-a/', false)).toMatchObject({ parts: ['a'], type: 'directory' });
    expect(errnoOf(() => resolve(model, 'to-f/', false))).toBe('notdir');
    expect(errnoOf(() => resolve(model, 'up/', false))).toBe('perm');
    // A symlink in the middle is always followed.
    expect(resolve(model, 'to-a/to-b', false)).toMatchObject({ parts: ['a', 'to-b'], type: 'symbolic_link' });
  });

  it('gives loop after a bounded number of expansions', () => {
    expect(errnoOf(() => resolve(model, 'loop1'))).toBe('loop');
    expect(errnoOf(() => resolve(model, 'self/x', false))).toBe('loop');
    expect(resolve(model, 'loop1', false).type).toBe('symbolic_link');
    // A chain of exactly the limit resolves; one more link does not.
    const chain = (n: number) => {
      const links: Record<string, string> = {};
      for (let i = 0; i < n; i++) links[`/root/c${i}`] = i === n - 1 ? 'f' : `c${i + 1}`;
      return baseModel(links);
    };
    expect(resolve(chain(MAX_SYMLINK_EXPANSIONS), 'c0').parts).toEqual(['f']);
    expect(errnoOf(() => resolve(chain(MAX_SYMLINK_EXPANSIONS + 1), 'c0'))).toBe('loop');
  });

  it('resolves a dangling symlink to its target when following, for creation', () => {
    expect(resolve(model, 'dangling-in')).toMatchObject({ parts: ['new-file'], type: undefined });
    expect(errnoOf(() => resolve(model, 'dangling'))).toBe('noent');
  });

  it('never looks at anything outside the root', () => {
    const lookup = lookupIn(model);
    for (const p of ['up/root/a', 'a/out/x', 'a/../../secret/x', 'abs/b', '/secret/x', '../secret']) {
      expect(() => resolvePath(lookup, p, { followFinal: true })).toThrow(WasiError);
    }
    expect(lookup.calls.length).toBeGreaterThan(0);
    expect(lookup.calls.filter((c) => !c.startsWith('/root/'))).toEqual([]);
  });
});

// The oracle resolves the same path the way an unconfined POSIX kernel would, on absolute paths
// of the whole model, and only afterwards asks whether any step went outside /root (or used an
// absolute path or target, which the reference runtime refuses outright). The first event wins:
// an error met before leaving is reported as that error.
type OracleResult = { parts: string[]; type: FileType | undefined } | { errno: string };

function oracle(model: Model, path: string, followFinal: boolean): OracleResult {
  if (path === '') return { errno: 'noent' };
  if (path.startsWith('/')) return { errno: 'perm' };
  let expansions = 0;
  const inside = (dir: string[]) => dir[0] === 'root';
  const typeAt = (dir: string[]) => model.get(dir.length === 0 ? '' : `/${dir.join('/')}`);

  // Resolve `components` starting in directory `dir` (absolute, as a list). `final` says whether
  // these components end the whole path, so their last one obeys followFinal.
  function walk(dir: string[], components: string[], final: boolean): OracleResult {
    let cur = dir;
    const names = components;
    // (kept as a plain loop over an array, unlike the implementation's stack)
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const rest = names.slice(i + 1);
      const last = final && rest.every((c) => c === '');
      const slash = last && rest.length > 0;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        cur = cur.slice(0, -1);
        if (!inside(cur)) return { errno: 'perm' };
        continue;
      }
      const next = [...cur, name];
      const node = typeAt(next);
      if (node === undefined) {
        if (last) return { parts: next.slice(1), type: undefined };
        return { errno: 'noent' };
      }
      if (node.type === 'symlink' && (!last || followFinal || slash)) {
        if (++expansions > MAX_SYMLINK_EXPANSIONS) return { errno: 'loop' };
        if (node.target === '') return { errno: 'noent' };
        if (node.target.startsWith('/')) return { errno: 'perm' };
        return walk(cur, [...node.target.split('/'), ...rest], final);
      }
      if (last) {
        if (slash && node.type !== 'dir') return { errno: 'notdir' };
        return { parts: next.slice(1), type: TYPE_NAMES[node.type] };
      }
      if (node.type !== 'dir') return { errno: 'notdir' };
      cur = next;
    }
    return { parts: cur.slice(1), type: 'directory' };
  }
  return walk(['root'], path.split('/'), true);
}

function ours(model: Model, path: string, followFinal: boolean): OracleResult {
  try {
    const { parts, type } = resolvePath(lookupIn(model), path, { followFinal });
    return { parts, type };
  } catch (error) {
    if (error instanceof WasiError) return { errno: error.errno };
    throw error;
  }
}

describe('resolvePath property', () => {
  const component = fc.constantFrom('a', 'b', '..', '.', '', 's1', 's2', 's3', 'f', 'new');
  const target = fc.constantFrom(
    '..', '../..', '../secret', '../../secret/x', 'a', 'a/b', 'a/b/..', '/secret', '/root/a', 'f', 's1', 's2',
    'a/s3', '.', 'a/../..', 'missing', 'b', '../s1', 's2/b', '../root/a',
  );
  const pathArb = fc.array(component, { minLength: 1, maxLength: 9 }).map((cs) => cs.join('/'));
  const world = fc.record({ s1: target, s2: target, s3: target });

  it('agrees with an unconfined resolver that reports the first step outside, and never leaves', () => {
    let escapesRefused = 0;
    let resolved = 0;
    fc.assert(
      fc.property(world, pathArb, fc.boolean(), (links, path, followFinal) => {
        const model = baseModel({ '/root/s1': links.s1, '/root/s2': links.s2, '/root/a/s3': links.s3 });
        const got = ours(model, path, followFinal);
        expect(got).toEqual(oracle(model, path, followFinal));
        if ('parts' in got) {
          resolved += 1;
          expect(got.parts).not.toContain('..');
          expect(got.parts).not.toContain('.');
          // Every proper prefix is a real directory under /root.
          for (let i = 0; i < got.parts.length - 1; i++) {
            expect(model.get(`/root/${got.parts.slice(0, i + 1).join('/')}`)?.type).toBe('dir');
          }
        } else if (got.errno === 'perm') escapesRefused += 1;
      }),
      { numRuns: 3000 },
    );
    // The generators must exercise both sides, or the property says little.
    expect(escapesRefused).toBeGreaterThan(100);
    expect(resolved).toBeGreaterThan(100);
  });
});

// POSIX path functions for memfs (its in-memory tree uses '/'-separated paths only).
export const sep = '/';

export function normalize(path) {
  const absolute = path.startsWith('/');
  const out = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

export const isAbsolute = (path) => path.startsWith('/');
export const join = (...parts) => normalize(parts.filter((p) => p !== '').join('/') || '.');
export const resolve = (...parts) => {
  let path = '';
  for (let i = parts.length - 1; i >= 0 && !path.startsWith('/'); i--) path = parts[i] + (path ? `/${path}` : '');
  return normalize(path.startsWith('/') ? path : `/${path}`);
};

export function dirname(path) {
  const n = normalize(path);
  const at = n.lastIndexOf('/');
  return at < 0 ? '.' : at === 0 ? '/' : n.slice(0, at);
}

export function basename(path, ext) {
  const base = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return ext && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
}

export function relative(from, to) {
  const a = resolve(from).split('/').filter(Boolean);
  const b = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export const posix = { sep, normalize, isAbsolute, join, resolve, dirname, basename, relative };
export default posix;

// What the filesystem behaviour suite (test/fs/filesystem-behaviour.test.ts) takes from vitest, for its
// run in a page (suite-entry.ts): describe/it/beforeEach/afterEach collect the tests; expect has the
// matchers the suite uses. Test bodies stay synchronous, as they are in Node.

type Body = () => void;

export interface CollectedTest {
  name: string;
  before: Body[];
  after: Body[];
  body: Body;
}

export const collected: CollectedTest[] = [];
const stack: { name: string; before: Body[]; after: Body[] }[] = [];

export function describe(name: string, fn: () => void): void {
  stack.push({ name, before: [], after: [] });
  try {
    fn();
  } finally {
    stack.pop();
  }
}

describe.each =
  <T extends { name: string }>(cases: readonly T[]) =>
  (name: string, fn: (c: T) => void): void => {
    for (const c of cases) describe(name.replace('$name', c.name), () => fn(c));
  };

export function it(name: string, body: Body): void {
  collected.push({
    name: [...stack.map((s) => s.name), name].join(' > '),
    before: stack.flatMap((s) => s.before),
    after: stack.flatMap((s) => s.after).reverse(),
    body,
  });
}

export function beforeEach(fn: Body): void {
  stack[stack.length - 1]!.before.push(fn);
}

export function afterEach(fn: Body): void {
  stack[stack.length - 1]!.after.push(fn);
}

const show = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** An expectation that did not hold. */
export class ExpectationError extends Error {
  override readonly name = 'ExpectationError';
}

export function expect(actual: unknown, message?: string) {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new ExpectationError(`${message ? `${message}: ` : ''}expected ${show(actual)} ${what}`);
  };
  return {
    toBe: (expected: unknown) => check(Object.is(actual, expected), `to be ${show(expected)}`),
    toEqual: (expected: unknown) => check(equal(actual, expected), `to equal ${show(expected)}`),
    toBeGreaterThan: (n: number | bigint) => check((actual as number) > n, `to be greater than ${show(n)}`),
  };
}

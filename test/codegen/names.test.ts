import { describe, expect, it } from 'vitest';
import { param } from '../../codegen/names.js';

// Parameter names become identifiers of generated functions in strict-mode modules.

describe('param', () => {
  it('suffixes words a strict-mode module cannot bind (WASIX names a parameter `interface`)', () => {
    for (const w of ['interface', 'package', 'private', 'protected', 'public', 'static', 'implements', 'yield', 'let']) {
      expect(param(w)).toBe(`${w}_`);
    }
    for (const w of ['in', 'new', 'default', 'function', 'delete', 'class', 'enum', 'await', 'arguments', 'eval']) {
      expect(param(w)).toBe(`${w}_`);
    }
  });

  it('keeps `out` reserved and leaves ordinary names alone', () => {
    expect(param('out')).toBe('out_');
    for (const w of ['fd', 'buf', 'flags', 'type', 'signal', 'stdin', 'futex']) expect(param(w)).toBe(w);
  });

  it('strict-mode words really are rejected as parameters (`await` only in modules, so not checked here)', () => {
    for (const w of ['interface', 'yield', 'let', 'static', 'eval', 'arguments', 'enum']) {
      expect(() => new Function(`"use strict"; return function (${w}) {};`)()).toThrow(SyntaxError);
    }
  });
});

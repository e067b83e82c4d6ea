// The runtime's list of versions (src/version-ids.ts) and codegen's (witx/versions.ts) name the same
// ids, and every one has a generated folder: a version added to one list alone fails here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION_IDS } from '../../src/version-ids.js';
import { VERSION_IDS as CODEGEN_IDS } from '../../witx/versions.js';
import { REPO_ROOT } from '../helpers/run-program.js';

describe('the list of versions', () => {
  it('is the same for the runtime and for codegen, each with its generated code', () => {
    expect([...VERSION_IDS].sort()).toEqual([...CODEGEN_IDS].sort());
    for (const v of VERSION_IDS) expect(existsSync(join(REPO_ROOT, 'generated', v, 'index.ts')), v).toBe(true);
  });
});

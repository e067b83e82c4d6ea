// Tests that import src/fs/memory-fs.ts without an entry point get memfs as the Node entry loads it.
import { createRequire } from 'node:module';
import { setMemfsLoader, type MemfsModule } from '../../src/fs/memfs-loader.js';

setMemfsLoader(() => createRequire(import.meta.url)('memfs') as MemfsModule);

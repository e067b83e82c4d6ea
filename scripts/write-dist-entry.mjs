// tsc keeps the source tree under dist/ (dist/src, dist/generated); the package entry is dist/index.js.
import { writeFileSync } from 'node:fs';

writeFileSync('dist/index.js', "export * from './src/index.js';\n");
writeFileSync('dist/index.d.ts', "export * from './src/index.js';\n");

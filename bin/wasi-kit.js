#!/usr/bin/env node
// Node's own compile cache (22.1+) keeps V8's code for our bundle between runs, in Node's cache
// directory, checked against the source; older Nodes go without.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));

import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/.work/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // One-way data flow: WITX -> codegen -> generated -> src. Generated code reaches only src/abi.
    files: ['generated/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../src/*', '!../../src/abi'], message: 'generated code may import only src/abi' }] }],
      // Every module's shim factory takes the memory, whether or not its functions touch it.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    files: ['codegen/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/**', '**/generated/**'], message: 'codegen never imports the runtime' }] }] },
  },
  {
    // The core must run in browsers: only the Node entry and Node-only modules import node: builtins.
    files: ['src/**/*.ts'],
    ignores: ['src/index.ts', 'src/cli.ts', 'src/cli/**', 'src/platform/node.ts', 'src/sockets/node-bridge.ts', 'src/platform/node-workers.ts', 'src/fs/host-fs.ts', 'src/fs/memory-fs-from-host.ts', 'src/fs/errno-from-node.ts', 'src/threads/guest-worker-node.ts', 'src/platform/node-builtins.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'the core is platform-neutral' }] }] },
  },
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports that would give the pure core I/O: Node built-ins, storage, network and adapters (STYLE.md §1). */
const impure = {
  patterns: [
    { group: ['node:*'], message: 'The pure core takes no Node built-in: pass a port instead.' },
    {
      group: [
        'fs',
        'path',
        'crypto',
        'os',
        'net',
        'dgram',
        'http',
        'https',
        'child_process',
        'worker_threads',
      ],
      message: 'The pure core takes no Node built-in: pass a port instead.',
    },
    {
      group: [
        'kysely',
        'better-sqlite3',
        'pg',
        'fastify',
        '@fastify/*',
        'ws',
        '@aws-sdk/*',
        '@nats-io/*',
        'pino',
      ],
      message: 'The pure core takes no database, network or logging library.',
    },
    {
      group: [
        '**/db/**',
        '**/vault/**',
        '**/capture/**',
        '**/api/**',
        '**/jobs/**',
        '**/cli/**',
        '**/config/**',
        '**/log',
      ],
      message: 'The pure core depends on no adapter.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'web/dist/**',
      'web/**',
      'bin/**',
      'eslint.config.js',
      'scripts/**/*.mjs',
      'data/**',
      '.ecoute/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config/ reads process.env (STYLE.md §7).' },
      ],
    },
  },
  {
    files: ['src/config/**', 'test/**', 'bench/**', 'scripts/**', 'examples/**', '**/*.test.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['src/policy/**/*.ts', 'src/calls/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', impure] },
  },
);

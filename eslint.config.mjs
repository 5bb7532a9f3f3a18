// The JavaScript linter (npm test runs it beside prettier --check): ESLint's recommended rules,
// with the globals of where each file runs.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    ignores: [
      'pkg/**',
      'target/**',
      'node_modules/**',
      'bench/results/**',
      'tests/packaging/*/dist/**',
      'tests/packaging/*/node_modules/**',
      'tests/.readme-app/**',
      'tests/.scratch/**',
    ],
  },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      // `catch {}` and `() => {}` are deliberate where they appear (a callback that must not throw).
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none', varsIgnorePattern: '^_' }],
    },
  },
  // The package and the demo run in browsers (the worker in a SharedWorker).
  {
    files: ['src/**/*.js', 'www/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.sharedWorker } },
  },
  // Tools and tests run in Node; test scenarios are serialised into pages, where the harness
  // gives them `H`, `node`, `Pusher`, `Echo` and `E`.
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'tests/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: {
      globals: { ...globals.node, ...globals.browser, H: 'readonly', node: 'readonly', Pusher: 'readonly', Echo: 'readonly', E: 'readonly' },
    },
  },
];

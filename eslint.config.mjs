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
      'tests/.readme-app*/**',
      'tests/.scratch/**',
    ],
  },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      // `catch {}` and `() => {}` are deliberate where they appear (a callback that must not throw).
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Callbacks keep the parameters of the signature they stand for.
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', varsIgnorePattern: '^_' }],
    },
  },
  // The package, the demo and the bench's page scripts run in browsers (workers in a SharedWorker).
  {
    files: ['src/**/*.js', 'www/**/*.js', 'bench/**/*.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.sharedWorker } },
  },
  // Tools and tests run in Node.
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'tests/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  // Test scenarios are functions serialised into pages, where they use what the harness and
  // earlier steps left on `window` (H, node, Pusher, p, log, ...), which no linter can see.
  { files: ['tests/**/*.mjs'], rules: { 'no-undef': 'off' } },
  // The packaging fixtures: apps in a browser, and webpack's CommonJS config.
  { files: ['tests/packaging/*/main.js'], languageOptions: { globals: globals.browser } },
  {
    files: ['tests/packaging/*/webpack.config.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
];

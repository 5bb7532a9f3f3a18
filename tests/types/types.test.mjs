// Type tests of src/package/index.d.ts: compiles code typed against pusher-js 8.6.0 once against
// the real pusher-js types and once against ours, Laravel Echo's declarations against ours, and
// ours-only.ts (checks that ours are real types, not `any`). Each compile is `tsc -p <tsconfig>`
// in strict mode with noEmit; all run in parallel. See tests/types/README.md.
//
//   node --test tests/types/          (needs `npm ci`; not the build)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');
// tsc lists files by their real paths.
const OURS = fs.realpathSync(path.join(ROOT, 'src', 'package', 'index.d.ts'));
const REAL_PUSHER_JS = fs.realpathSync(path.join(ROOT, 'node_modules', 'pusher-js')) + path.sep;
const TIMEOUT_MS = 60000;

/** Runs `tsc -p tests/types/<config> --listFiles`; resolves with its exit code, output and time. */
function compile(config) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(TSC, ['-p', path.join(HERE, config), '--pretty', 'false', '--listFiles'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = output.split('\n').filter(Boolean);
      // --listFiles prints absolute paths; everything else is a diagnostic.
      const files = lines.filter((line) => path.isAbsolute(line));
      const diagnostics = lines.filter((line) => !path.isAbsolute(line)).join('\n');
      resolve({ code, signal, files, diagnostics, ms: Date.now() - started });
    });
  });
}

// Started at once so they run in parallel; each test awaits its own.
const CONFIGS = {
  'pusher-js': 'tsconfig.pusher-js.json',
  ours: 'tsconfig.ours.json',
  'loose-pusher-js': 'tsconfig.loose-pusher-js.json',
  'loose-ours': 'tsconfig.loose-ours.json',
  echo: 'tsconfig.echo.json',
  'echo-pusher-js': 'tsconfig.echo-pusher-js.json',
  'ours-only': 'tsconfig.ours-only.json',
  'echo-ours': 'tsconfig.echo-ours.json',
  implementation: 'tsconfig.implementation.json',
};
const runs = Object.fromEntries(
  Object.entries(CONFIGS).map(([name, config]) => {
    const run = compile(config);
    run.catch(() => {}); // reported by its test
    return [name, run];
  }),
);

/** Asserts a clean compile, showing the compiler's output otherwise. */
async function passes(name, t) {
  const result = await runs[name];
  t.diagnostic(`${CONFIGS[name]}: ${result.ms} ms`);
  assert.equal(
    result.code,
    0,
    `tsc -p tests/types/${CONFIGS[name]} failed (exit ${result.code}${result.signal ? `, ${result.signal}` : ''}):\n${result.diagnostics}`,
  );
  return result;
}

const usesOurs = (files) => files.includes(OURS);
const usesRealPusherJs = (files) => files.some((file) => file.startsWith(REAL_PUSHER_JS));

test('usage.ts compiles against the real pusher-js types', async (t) => {
  const { files } = await passes('pusher-js', t);
  assert.ok(usesRealPusherJs(files) && !usesOurs(files), 'pusher-js must resolve to node_modules/pusher-js');
});

test('usage.ts compiles against ours (`pusher-js` mapped to src/package/index.d.ts)', async (t) => {
  const { files } = await passes('ours', t);
  assert.ok(usesOurs(files) && !usesRealPusherJs(files), 'pusher-js must resolve to ours only');
});

test('loose-usage.ts (strict: false) compiles against the real pusher-js types', async (t) => {
  const { files } = await passes('loose-pusher-js', t);
  assert.ok(usesRealPusherJs(files) && !usesOurs(files));
});

test('loose-usage.ts (strict: false) compiles against ours', async (t) => {
  const { files } = await passes('loose-ours', t);
  assert.ok(usesOurs(files) && !usesRealPusherJs(files));
});

test("laravel-echo's dist/echo.d.ts and echo-usage.ts compile against ours", async (t) => {
  const { files } = await passes('echo', t);
  assert.ok(usesOurs(files) && !usesRealPusherJs(files), 'echo.d.ts must get its pusher-js types from ours');
  assert.ok(
    files.some((file) => file.endsWith(path.join('laravel-echo', 'dist', 'echo.d.ts'))),
    'laravel-echo/dist/echo.d.ts must be part of the program',
  );
});

test('echo-usage.ts compiles against the real pusher-js types too', async (t) => {
  const { files } = await passes('echo-pusher-js', t);
  assert.ok(usesRealPusherJs(files) && !usesOurs(files));
});

test('ours-only.ts: our types are not `any` (every @ts-expect-error fails to compile)', async (t) => {
  const { files } = await passes('ours-only', t);
  assert.ok(usesOurs(files));
});

test("echo-ours.ts: pusher-wasm's own Echo and X-Socket-ID helpers are typed", async (t) => {
  const { files } = await passes('echo-ours', t);
  assert.ok(usesOurs(files), 'pusher-wasm must resolve to src/package/index.d.ts');
});

test("the package's JavaScript type-checks (checkJs), and each export is what index.d.ts declares", async (t) => {
  const { files } = await passes('implementation', t);
  const implementation = fs.realpathSync(path.join(ROOT, 'src', 'package', 'pusher.js'));
  assert.ok(files.includes(implementation), 'src/package/pusher.js must be part of the program');
  assert.ok(usesOurs(files), 'the declarations it is checked against');
});

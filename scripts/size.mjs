// Prints what the package costs a page, next to pusher-js: every file `import 'pusher-wasm'`
// loads (here one: pkg/index.js, wasm inlined), raw, gzip -9 and brotli, plus the breakdown of
// the wasm module and the JavaScript around it. A measurement, not a test: it asserts nothing.
//
//   npm run size            (after scripts/build.sh)
//   npm run size -- --floor also builds bench/size-floor (the core alone behind a C ABI: the
//                           least wasm any client on this core could ship) and adds its row
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const measure = (bytes) => ({
  raw: bytes.length,
  gzip: zlib.gzipSync(bytes, { level: 9 }).length,
  brotli: zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length,
});
const read = (p) => fs.readFileSync(path.join(root, p));

const rows = [
  ['pusher-wasm pkg/index.js (all of it)', measure(read('pkg/index.js'))],
  ['  of which the wasm module (binary)', measure(read('target/wasm-pack/pusher_wasm_bg.min.wasm'))],
  ['pusher-js 8.6.0 pusher.min.js', measure(read('node_modules/pusher-js/dist/web/pusher.min.js'))],
  [
    'pusher-js 8.6.0 pusher-with-encryption.min.js',
    measure(read('node_modules/pusher-js/dist/web/pusher-with-encryption.min.js')),
  ],
];
if (process.argv.includes('--floor')) rows.splice(2, 0, ['size floor: the core alone (wasm)', measure(buildFloor())]);

/** bench/size-floor built like the package's wasm: release profile, then wasm-opt -Oz, stripped. */
function buildFloor() {
  const target = path.join(root, 'target');
  execFileSync(
    'cargo',
    ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--target-dir', target],
    { cwd: path.join(root, 'bench/size-floor'), stdio: 'inherit' },
  );
  const cargoToml = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  const wasmOpt = JSON.parse(cargoToml.match(/^wasm-opt = (\[.*\])$/m)[1]);
  const built = path.join(target, 'wasm32-unknown-unknown/release/pusher_wasm_size_floor.wasm');
  const optimized = path.join(target, 'size-floor.wasm');
  execFileSync(path.join(root, 'node_modules/.bin/wasm-opt'), [...wasmOpt, '--strip-debug', '--strip-producers', '--minify-imports-and-exports-and-modules', built, '-o', optimized]);
  return fs.readFileSync(optimized);
}

const width = Math.max(...rows.map(([name]) => name.length));
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(8)}  ${'gzip'.padStart(8)}  ${'brotli'.padStart(8)}`);
for (const [name, m] of rows) {
  console.log(
    `${name.padEnd(width)}  ${String(m.raw).padStart(8)}  ${String(m.gzip).padStart(8)}  ${String(m.brotli).padStart(8)}`,
  );
}
const ours = rows[0][1];
const theirs = rows.find(([name]) => name.endsWith('pusher.min.js'))[1];
console.log(
  `\npusher-wasm / pusher.min.js: raw ${(ours.raw / theirs.raw).toFixed(2)}×, gzip ${(ours.gzip / theirs.gzip).toFixed(2)}×, brotli ${(ours.brotli / theirs.brotli).toFixed(2)}×`,
);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(Object.fromEntries(rows.map(([n, m]) => [n.trim(), m]))));
}

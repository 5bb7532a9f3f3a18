// Prints what the package costs a page, next to pusher-js: every file `import 'pusher-wasm'`
// loads (here one: pkg/index.js, wasm inlined), raw, gzip -9 and brotli, plus the breakdown of
// the wasm module and the JavaScript around it. A measurement, not a test: it asserts nothing.
//
//   npm run size            (after scripts/build.sh)
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
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(8)}  ${'gzip'.padStart(8)}  ${'brotli'.padStart(8)}`);
for (const [name, m] of rows) {
  console.log(
    `${name.padEnd(width)}  ${String(m.raw).padStart(8)}  ${String(m.gzip).padStart(8)}  ${String(m.brotli).padStart(8)}`,
  );
}
const ours = rows[0][1];
const theirs = rows[2][1];
console.log(
  `\npusher-wasm / pusher.min.js: raw ${(ours.raw / theirs.raw).toFixed(2)}×, gzip ${(ours.gzip / theirs.gzip).toFixed(2)}×, brotli ${(ours.brotli / theirs.brotli).toFixed(2)}×`,
);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(Object.fromEntries(rows.map(([n, m]) => [n.trim(), m]))));
}

// Prints what the package costs a page, next to pusher-js, raw, gzip -9 and brotli:
// - what a page loads and runs before `new Pusher()` returns: the facade, `pkg/index.js` (all of
//   it, as a <script type="module"> loads it), and what a bundler keeps of it for
//   `import Pusher from 'pusher-wasm'` alone (esbuild, minified, Echo and the helpers dropped);
// - what loads afterwards, asynchronously: the engine (`pkg/engine.js`, the wasm inlined) and the
//   SharedWorker's script (`pkg/worker.js`), and the wasm module alone;
// - the whole package.
// A measurement, not a test: it asserts nothing.
//
//   npm run size            (after scripts/build.sh)
//   npm run size -- --json  also prints the rows as JSON
import { build } from 'esbuild';
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
const sum = (...ms) => ({
  raw: ms.reduce((n, m) => n + m.raw, 0),
  gzip: ms.reduce((n, m) => n + m.gzip, 0),
  brotli: ms.reduce((n, m) => n + m.brotli, 0),
});

/** What a bundler keeps of the facade for `import Pusher from 'pusher-wasm'` alone. */
async function pusherAlone() {
  const result = await build({
    stdin: {
      contents: "import Pusher from './pkg/index.js'; window.MadeBy = new Pusher('key', { cluster: 'eu' });",
      resolveDir: root,
    },
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    external: ['./engine.js', './worker.js'],
    logLevel: 'silent',
  });
  return Buffer.from(result.outputFiles[0].contents);
}

const facade = measure(read('pkg/index.js'));
const engine = measure(read('pkg/engine.js'));
const worker = measure(read('pkg/worker.js'));
const rows = [
  ['before new Pusher(): pkg/index.js (the facade, all of it)', facade],
  ['before new Pusher(): `import Pusher` alone, bundled', measure(await pusherAlone())],
  ['afterwards: pkg/engine.js (the engine, wasm inlined)', engine],
  ['  of which the wasm module (binary)', measure(read('target/wasm-pack/pusher_wasm_bg.min.wasm'))],
  ['afterwards, shared mode: pkg/worker.js', worker],
  ['the whole package (the three files)', sum(facade, engine, worker)],
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
const theirs = rows.find(([name]) => name.endsWith('pusher.min.js'))[1];
console.log(
  `\nloaded before new Pusher() / pusher.min.js: gzip ${(facade.gzip / theirs.gzip).toFixed(2)}× (all of index.js), ` +
    `${(rows[1][1].gzip / theirs.gzip).toFixed(2)}× (import Pusher, bundled)`,
);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(Object.fromEntries(rows.map(([n, m]) => [n.trim(), m]))));
}

// Assembles the npm package in pkg/ from wasm-pack's raw output in target/wasm-pack/:
// one minified ES module (glue, snippets, entry and the wasm bytes inlined), the TypeScript
// definitions, package.json, README and licence. Run by scripts/build.sh.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const raw = path.join(root, 'target/wasm-pack');
const out = path.join(root, 'pkg');

const wasm = fs.readFileSync(path.join(raw, 'pusher_wasm_bg.wasm'));
// base64 decoded once at start-up; measured against the alternatives in DEVELOPERS.md.
const inlineModule = `const data = ${JSON.stringify(wasm.toString('base64'))};
export function wasmBytes() {
  const text = atob(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}`;

const virtualModules = {
  name: 'pusher-wasm-virtual',
  setup(b) {
    b.onResolve({ filter: /^pusher-wasm:glue$/ }, () => ({ path: path.join(raw, 'pusher_wasm.js') }));
    b.onResolve({ filter: /^pusher-wasm:inline$/ }, () => ({ path: 'inline', namespace: 'pusher-wasm' }));
    b.onLoad({ filter: /.*/, namespace: 'pusher-wasm' }, () => ({ contents: inlineModule, loader: 'js' }));
  },
};

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

await build({
  entryPoints: [path.join(root, 'src/package/index.js')],
  outfile: path.join(out, 'index.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  plugins: [virtualModules],
  logLevel: 'warning',
  // wasm-bindgen lists the snippet module once per import it provides.
  logOverride: { 'duplicate-object-key': 'silent' },
});

const bundled = fs.readFileSync(path.join(out, 'index.js'), 'utf8');
if (bundled.includes('import.meta.url')) {
  // A leftover `new URL('….wasm', import.meta.url)` would make bundlers look for a file we
  // don't ship.
  throw new Error('pkg/index.js still references import.meta.url');
}

const cargo = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
const version = cargo.match(/^version = "([^"]+)"/m)[1];
const description = cargo.match(/^description = "([^"]+)"/m)[1];
const manifest = {
  name: 'pusher-wasm',
  version,
  description,
  license: 'MIT',
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './package.json': './package.json',
  },
  files: ['index.js', 'index.d.ts', 'README.md', 'LICENSE'],
  sideEffects: true,
  keywords: ['pusher', 'pusher-js', 'websocket', 'laravel', 'echo', 'reverb', 'wasm'],
};
fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
for (const [from, to] of [
  ['src/package/index.d.ts', 'index.d.ts'],
  ['README.md', 'README.md'],
  ['LICENSE', 'LICENSE'],
]) {
  const source = path.join(root, from);
  if (fs.existsSync(source)) fs.copyFileSync(source, path.join(out, to));
}
console.log(`pkg/ built: index.js ${fs.statSync(path.join(out, 'index.js')).size} B`);

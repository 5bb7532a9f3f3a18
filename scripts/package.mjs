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

// The wasm bytes are inlined as a string with one character per byte (U+0000–U+00FF), which
// gzip compresses almost as well as the binary itself (+3 %); base64 costs +30 %. esbuild would
// re-escape the string, so the bundle gets a placeholder, replaced afterwards by `byteString`.
const PLACEHOLDER = '__PUSHER_WASM_BYTES__';
const inlineModule = `const data = "${PLACEHOLDER}";
export function wasmBytes() {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i);
  return bytes;
}`;

/** A JS string literal body holding one character per byte; only what must be is escaped. */
function byteString(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    // NUL followed by a digit would read as an octal escape in some printers: spell it out.
    else if (b === 0x00) out += bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 ? '\\x00' : '\\0';
    else out += String.fromCharCode(b);
  }
  return out;
}

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
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  plugins: [virtualModules],
  logLevel: 'warning',
  // wasm-bindgen lists the snippet module once per import it provides.
  logOverride: { 'duplicate-object-key': 'silent' },
});

let bundled = fs.readFileSync(path.join(out, 'index.js'), 'utf8');
if (bundled.split(PLACEHOLDER).length !== 2) throw new Error('the wasm placeholder is not in the bundle once');
bundled = bundled.replace(PLACEHOLDER, () => byteString(wasm));
fs.writeFileSync(path.join(out, 'index.js'), bundled);
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

// Assembles the npm package in pkg/ from wasm-pack's raw output in target/wasm-pack/: three
// minified ES modules (the facade, the engine with its glue and the wasm bytes inlined, the
// SharedWorker), the TypeScript definitions, package.json, README and licence. Run by
// scripts/build.sh.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `node scripts/package.mjs [RAW OUT]`: wasm-pack's output folder and the package's (default
// target/wasm-pack and pkg/).
const raw = path.join(root, process.argv[2] ?? 'target/wasm-pack');
const out = path.join(root, process.argv[3] ?? 'pkg');

const { wasm, glue } = minifyNames(
  path.join(raw, 'pusher_wasm_bg.wasm'),
  fs.readFileSync(path.join(raw, 'pusher_wasm.js'), 'utf8'),
);

/**
 * The module's import and export names shortened to a letter or two (wasm-opt
 * `--minify-imports-and-exports-and-modules`), and wasm-bindgen's glue rewritten to match.
 * wasm-bindgen names every import after its JS function plus a hash
 * (`__wbg_addEventListener_847fd86b8c33ec43`, in a module `./pusher_wasm_bg.js`), and each such
 * name is spelled in the wasm and in the glue: about 1.7 KB gzip of the wasm and more of the JS.
 * Every rename is checked: the build fails if a name is left over or does not match.
 */
function minifyNames(wasmPath, glue) {
  const cargoToml = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  const features = [...cargoToml.matchAll(/"(--enable-[a-z-]+)"/g)].map((m) => m[1]);
  const minPath = path.join(raw, 'pusher_wasm_bg.min.wasm');
  const wasmOpt = path.join(root, 'node_modules/.bin/wasm-opt');
  const mapText = execFileSync(
    wasmOpt,
    [...features, '--minify-imports-and-exports-and-modules', wasmPath, '-o', minPath],
    {
      encoding: 'utf8',
    },
  );
  const map = JSON.parse(mapText);
  const bytes = fs.readFileSync(minPath);
  const compiled = new WebAssembly.Module(bytes);
  const modules = new Set(WebAssembly.Module.imports(compiled).map((i) => i.module));
  if (modules.size !== 1) throw new Error(`minified imports come from ${[...modules].join(', ')}`);
  const [moduleName] = modules;
  const once = (text, pattern, replacement, what) => {
    let n = 0;
    const out = text.replace(pattern, () => (n++, replacement));
    if (n === 0) throw new Error(`minifyNames: ${what} not found in the glue`);
    return [out, n];
  };
  // Imports: those of the glue's own object are renamed where they are defined; those of the
  // snippet modules are added to it under their new names.
  const extra = [];
  for (const [module, name, min] of map.imports) {
    if (module === './pusher_wasm_bg.js') {
      const [out, n] = once(glue, new RegExp(`\\b${name}(?=: function)`, 'g'), min, `import ${name}`);
      if (n !== 1) throw new Error(`minifyNames: import ${name} is defined ${n} times`);
      glue = out;
    } else {
      const binding = glue.match(
        new RegExp(`import \\* as (\\w+) from "${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`),
      );
      if (!binding) throw new Error(`minifyNames: no import of ${module}`);
      extra.push(`${min}: ${binding[1]}.${name}`);
    }
  }
  [glue] = once(
    glue,
    /return \{\s*__proto__: null,\s*"\.\/pusher_wasm_bg\.js": import0,(\s*"[^"]+": import\d+,)*\s*\};/,
    `return { ${JSON.stringify(moduleName)}: Object.assign(import0, { ${extra.join(', ')} }) };`,
    'the imports object',
  );
  // Exports: every `wasm.name`.
  for (const [name, min] of map.exports) {
    glue = glue.replace(new RegExp(`\\bwasm\\.${name}\\b`, 'g'), `wasm.${min}`);
  }
  const exported = new Set(WebAssembly.Module.exports(compiled).map((e) => e.name));
  for (const [, name] of glue.matchAll(/\bwasm\.(\w+)/g)) {
    if (!exported.has(name)) throw new Error(`minifyNames: the glue uses wasm.${name}, which is not exported`);
  }
  for (const [, name] of map.imports.filter(([module]) => module === './pusher_wasm_bg.js')) {
    if (glue.includes(name)) throw new Error(`minifyNames: ${name} left in the glue`);
  }
  return { wasm: bytes, glue };
}

// The wasm bytes are inlined as a string with one character per byte (U+0000–U+00FF), which
// gzip compresses almost as well as the binary itself (+3 %); base64 costs +30 %. esbuild would
// re-escape the string, so the bundle gets a placeholder, replaced afterwards by `byteString`.
const PLACEHOLDER = '__PUSHER_WASM_BYTES__';
// Back to bytes: where the browser has `Uint8Array.fromBase64` (Chrome 140, Firefox 133,
// Safari 18.2), through `btoa` and it, both native: 0.2 ms against 2–4 ms for the loop, measured
// in Chromium 156 on this module. Elsewhere the loop.
const inlineModule = `const data = "${PLACEHOLDER}";
export function wasmBytes() {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(btoa(data));
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
    // The glue, with the minified names, is read from memory; its snippet imports resolve from
    // wasm-pack's output folder.
    b.onResolve({ filter: /^pusher-wasm:glue$/ }, () => ({ path: 'glue', namespace: 'pusher-wasm-glue' }));
    b.onLoad({ filter: /.*/, namespace: 'pusher-wasm-glue' }, () => ({
      contents: glue,
      loader: 'js',
      resolveDir: raw,
    }));
    b.onResolve({ filter: /^pusher-wasm:inline$/ }, () => ({ path: 'inline', namespace: 'pusher-wasm' }));
    b.onLoad({ filter: /.*/, namespace: 'pusher-wasm' }, () => ({ contents: inlineModule, loader: 'js' }));
  },
};

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

// Three modules: the facade (index.js, what `import Pusher` loads), the engine (engine.js: the
// glue and the inlined wasm, loaded by the facade with a dynamic import, or by the worker), and
// the SharedWorker (worker.js). The facade and the worker import the engine by its relative URL.
const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['./engine.js'],
};
for (const entry of ['index', 'worker']) {
  await build({
    ...common,
    entryPoints: [path.join(root, `src/package/${entry}.js`)],
    outfile: path.join(out, `${entry}.js`),
  });
}
await build({
  ...common,
  external: [],
  entryPoints: [path.join(root, 'src/package/engine.js')],
  outfile: path.join(out, 'engine.js'),
  plugins: [virtualModules],
  // wasm-bindgen lists the snippet module once per import it provides.
  logOverride: { 'duplicate-object-key': 'silent' },
});

let bundled = fs.readFileSync(path.join(out, 'engine.js'), 'utf8');
if (bundled.split(PLACEHOLDER).length !== 2) throw new Error('the wasm placeholder is not in the bundle once');
bundled = bundled.replace(PLACEHOLDER, () => byteString(wasm));
fs.writeFileSync(path.join(out, 'engine.js'), bundled);
if (bundled.includes('import.meta.url')) {
  // A leftover `new URL('….wasm', import.meta.url)` would make bundlers look for a file we
  // don't ship.
  throw new Error('pkg/engine.js still references import.meta.url');
}
for (const entry of ['index', 'worker']) {
  const code = fs.readFileSync(path.join(out, `${entry}.js`), 'utf8');
  if (!code.includes('"./engine.js"') && !code.includes("'./engine.js'")) {
    throw new Error(`pkg/${entry}.js does not import ./engine.js by its relative URL`);
  }
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
    './worker.js': './worker.js',
    './engine.js': './engine.js',
    './package.json': './package.json',
  },
  files: ['index.js', 'engine.js', 'worker.js', 'index.d.ts', 'README.md', 'LICENSE'],
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
const sizes = ['index', 'engine', 'worker'].map((e) => `${e}.js ${fs.statSync(path.join(out, `${e}.js`)).size} B`);
console.log(`${path.relative(root, out)}/ built: ${sizes.join(', ')}`);

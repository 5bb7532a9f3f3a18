// Packaging test: the npm package as a user gets it (`npm pack` of pkg/), installed into a real
// Vite project and a real webpack 5 project (no plugin, no bundler config beyond entry/output/mode),
// and copied next to a plain HTML page that imports it with <script type="module"> (no bundler).
// Each is built, served over http on 127.0.0.1 and opened in headless Chromium, where it connects
// to sockudo, subscribes a public channel and receives an event triggered with the `pusher`
// server SDK.
//
//   node --test tests/packaging/          (pkg/ must be built: scripts/build.sh)
//
// See tests/packaging/README.md.

import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import PusherServer from 'pusher';
import {
  launchBrowser,
  closeBrowser,
  observeSharedWorkers,
  sharedWorkerGate,
  withTimeout,
  workerObserver,
} from '../support/browser.mjs';
import { contextIdOf } from '../support/worker-cdp.mjs';
import { startHttpServer, isSharedWorkerScript, REPO_ROOT } from '../support/http-server.mjs';
import { startSockudo } from '../support/sockudo.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PKG_DIR = path.join(REPO_ROOT, 'pkg');
const VITE_APP = path.join(HERE, 'vite-app');
const WEBPACK_APP = path.join(HERE, 'webpack-app');
const SCRIPT_TAG = path.join(HERE, 'script-tag');
const VITE_BIN = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const WEBPACK_BIN = path.join(REPO_ROOT, 'node_modules', 'webpack-cli', 'bin', 'cli.js');

const EVENT = 'greeting';
const EVENT_DATA = { message: 'hello from node', n: 42, nested: { ok: true, list: [1, 'two', null] } };
const WAIT_MS = 15000; // upper bound for one page step (load, subscribe, event): a failure, not a sleep

/** Runs a command; resolves with its output, rejects with it (and the exit status) on failure. */
function run(cmd, args, { cwd, timeout = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        cwd,
        timeout,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', npm_config_update_notifier: 'false' },
      },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim();
        if (err) {
          reject(new Error(`${path.basename(cmd)} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${output}`));
        } else {
          resolve({ stdout, stderr, output });
        }
      },
    );
  });
}

function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath ?? entry.path, entry.name));
  }
  return out.sort();
}

const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);

/** The wasm must be inlined: no `.wasm` file, and no file of any name that is a wasm binary. */
function assertNoWasmAsset(dir) {
  for (const file of filesUnder(dir)) {
    const rel = path.relative(dir, file);
    assert.ok(!/\.wasm$/i.test(file), `separate wasm asset in the build output: ${rel}`);
    const head = Buffer.alloc(4);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
    assert.ok(!head.equals(WASM_MAGIC), `wasm binary in the build output: ${rel}`);
  }
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Logs raw and gzip (-9) sizes of every JS file of a build output. Reported, not asserted. */
function reportSizes(label, dir) {
  for (const file of filesUnder(dir).filter((f) => f.endsWith('.js'))) {
    const raw = fs.readFileSync(file);
    const gz = zlib.gzipSync(raw, { level: 9 }).length;
    console.log(
      `[packaging] ${label}: ${path.relative(dir, file)} ${raw.length} B (${kib(raw.length)}) raw, ` +
        `${gz} B (${kib(gz)}) gzip`,
    );
  }
}

function isAllowedUrl(url) {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  try {
    return new URL(url).hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared state, set up in before() and torn down in after() (which also runs when before() fails).

const state = {
  tmp: null,
  tarball: null,
  packFiles: [],
  sockudo: null,
  sdk: null,
  browser: null,
  servers: [],
  installs: {}, // app -> Promise, npm install of the tarball
  builds: {}, // name -> Promise<{ output }>, started in before(), awaited by each test
};

async function installTarball(appDir) {
  fs.rmSync(path.join(appDir, 'node_modules'), { recursive: true, force: true });
  fs.rmSync(path.join(appDir, 'dist'), { recursive: true, force: true });
  await run(
    'npm',
    [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--offline',
      '--ignore-scripts',
      state.tarball,
    ],
    { cwd: appDir },
  );
  const installed = path.join(appDir, 'node_modules', 'pusher-wasm', 'package.json');
  assert.ok(fs.existsSync(installed), `npm install did not put pusher-wasm into ${appDir}/node_modules`);
}

/** The "build" of the plain page: its HTML plus the package's files copied to /js/pusher-wasm/. */
async function assembleScriptTagSite() {
  const dist = path.join(SCRIPT_TAG, 'dist');
  fs.rmSync(dist, { recursive: true, force: true });
  const target = path.join(dist, 'js', 'pusher-wasm');
  fs.mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', state.tarball, '-C', target, '--strip-components=1'], { cwd: state.tmp });
  fs.copyFileSync(path.join(SCRIPT_TAG, 'index.html'), path.join(dist, 'index.html'));
}

async function buildVite() {
  await state.installs.vite;
  // The root's vite, run in the app directory, which has no vite.config: `vite build` as is.
  return run(process.execPath, [VITE_BIN, 'build', '--logLevel', 'warn'], { cwd: VITE_APP });
}

async function buildWebpack() {
  await state.installs.webpack;
  // The root's webpack-cli, run in the app directory: it picks up the app's webpack.config.js.
  return run(process.execPath, [WEBPACK_BIN, '--no-color'], { cwd: WEBPACK_APP });
}

/**
 * Opens `url` in a fresh browser context and runs the page's protocol: wait for
 * pusher:subscription_succeeded, trigger EVENT from Node, wait for the page to receive it.
 * Records page errors, console errors, every request and WebSocket URL; aborts (and records)
 * requests to any host but 127.0.0.1. `initScript` runs in the page before any of its scripts.
 */
async function receiveEventInPage(url, channel, initScript) {
  const context = await state.browser.newContext();
  if (initScript) await context.addInitScript(initScript);
  const rec = { pageErrors: [], consoleErrors: [], requests: [], websockets: [], blocked: [], workerSockets: [] };
  const detail = () =>
    `\npage errors: ${JSON.stringify(rec.pageErrors, null, 2)}` +
    `\nconsole errors: ${JSON.stringify(rec.consoleErrors, null, 2)}` +
    `\nrequests: ${JSON.stringify(rec.requests, null, 2)}`;
  try {
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (isAllowedUrl(u)) return route.continue();
      rec.blocked.push(u);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    // With `?shared`, the socket is the SharedWorker's, seen over DevTools.
    rec.workerSockets = workerObserver(state.browser).socketsOf(await contextIdOf(context, page));
    page.on('pageerror', (err) => rec.pageErrors.push(String(err?.stack ?? err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') rec.consoleErrors.push(msg.text());
    });
    page.on('request', (req) => rec.requests.push(req.url()));
    page.on('websocket', (ws) => rec.websockets.push(ws.url()));

    let info;
    try {
      await withTimeout(page.goto(url, { waitUntil: 'load' }), WAIT_MS, `load ${url}`);
      info = await page.evaluate(() => {
        const p = window.__packaging;
        if (!p) return null;
        return {
          app: p.app,
          initialState: p.initialState,
          windowPusherIsDefaultExport: p.windowPusherIsDefaultExport,
          fromBase64Calls: window.__fromBase64Calls,
        };
      });
      assert.ok(info, 'the page did not run its module (window.__packaging is not set)');
      await withTimeout(
        page.evaluate(() => window.__packaging.subscribed),
        WAIT_MS,
        `pusher:subscription_succeeded on ${channel}`,
      );
      const res = await state.sdk.trigger(channel, EVENT, EVENT_DATA);
      assert.equal(res.status, 200, `trigger ${EVENT} on ${channel}: HTTP ${res.status}`);
      const data = await withTimeout(
        page.evaluate(() => window.__packaging.event),
        WAIT_MS,
        `${EVENT} on ${channel}`,
      );
      const connection = await page.evaluate(() => window.__packaging.connection());
      // Read once the engine is up (it loads after the page's module ran).
      info.fromBase64Calls = await page.evaluate(() => window.__fromBase64Calls);
      return { info, data, connection, ...rec, workerSockets: rec.workerSockets.map((w) => w.url) };
    } catch (err) {
      err.message += detail();
      throw err;
    }
  } finally {
    await context.close().catch(() => {});
  }
}

function assertPageResult(result, app, { shared = false } = {}) {
  const ctx = `\n${JSON.stringify(result, null, 2)}`;
  assert.deepEqual(result.pageErrors, [], `page errors${ctx}`);
  assert.deepEqual(result.consoleErrors, [], `console errors${ctx}`);
  assert.equal(result.info.app, app);
  // Constructed synchronously right after the import, and already connecting (as pusher-js).
  assert.equal(result.info.initialState, 'connecting', `state right after new Pusher()${ctx}`);
  assert.equal(result.info.windowPusherIsDefaultExport, true, `window.Pusher is the default export${ctx}`);
  assert.deepEqual(result.data, EVENT_DATA, `event data${ctx}`);
  assert.equal(result.connection.state, 'connected', `connection state${ctx}`);
  assert.match(String(result.connection.socketId), /^\d+\.\d+$/, `socket_id${ctx}`);
  // Nothing but 127.0.0.1: no CDN, no stats, no wasm fetched from elsewhere.
  assert.deepEqual(result.blocked, [], `requests off 127.0.0.1${ctx}`);
  for (const u of [...result.requests, ...result.websockets]) {
    assert.ok(isAllowedUrl(u), `request off 127.0.0.1: ${u}`);
  }
  // One WebSocket, to sockudo: the page's own, or with `shared`, its SharedWorker's (the
  // bundler shipped the worker; a page that fell back to its own engine would fail here).
  // (The Vite dev server's own socket, for its client, is not the package's.)
  const ours = (list) => list.filter((u) => new URL(u).port === String(state.sockudo.port));
  const [sockets, none] = shared
    ? [result.workerSockets, ours(result.websockets)]
    : [ours(result.websockets), result.workerSockets];
  assert.equal(sockets.length, 1, `one WebSocket, to sockudo${ctx}`);
  assert.deepEqual(none, [], `no WebSocket ${shared ? 'in the page' : 'in a worker'}${ctx}`);
  assert.equal(new URL(sockets[0]).port, String(state.sockudo.port), `WebSocket port${ctx}`);
  // The wasm is inlined: the page fetched no .wasm.
  assert.ok(!result.requests.some((u) => /\.wasm(\?|$)/i.test(u)), `a .wasm was requested${ctx}`);
}

/**
 * Has Vite's dev server hold a shared worker's script until DevTools observes the worker, as
 * `serve` does with the static server (tests/support/worker-cdp.mjs says why).
 */
function observeSharedWorkersInVite() {
  const gate = sharedWorkerGate(state.browser);
  return {
    name: 'observe-shared-workers',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!isSharedWorkerScript(req)) return next();
        gate(`http://${req.headers.host}${req.url}`).then(() => next());
      });
    },
  };
}

async function serve(root) {
  const server = await startHttpServer({ root });
  observeSharedWorkers(state.browser, server);
  state.servers.push(server);
  return server;
}

// ---------------------------------------------------------------------------------------------

describe('packaging: pusher-wasm as installed from its npm tarball', { timeout: 120000 }, () => {
  before(async () => {
    const entry = path.join(PKG_DIR, 'index.js');
    if (!fs.existsSync(entry)) {
      throw new Error(`${path.relative(REPO_ROOT, entry)} is missing: build the package first (scripts/build.sh)`);
    }
    state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pusher-wasm-packaging-'));

    // Start the server and the browser while packing, installing and building.
    const sockudo = startSockudo().then((s) => (state.sockudo = s));
    const browser = launchBrowser().then((b) => (state.browser = b));
    sockudo.catch(() => {});
    browser.catch(() => {});

    const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', state.tmp], {
      cwd: PKG_DIR,
    });
    const [info] = JSON.parse(packed.stdout);
    state.tarball = path.join(state.tmp, info.filename);
    state.packFiles = info.files.map((f) => f.path).sort();
    console.log(
      `[packaging] npm pack: ${info.filename} ${info.size} B packed, ${info.unpackedSize} B unpacked, ` +
        `files: ${state.packFiles.join(', ')}`,
    );

    state.installs = { vite: installTarball(VITE_APP), webpack: installTarball(WEBPACK_APP) };
    state.builds = {
      vite: buildVite(),
      webpack: buildWebpack(),
      'script-tag': assembleScriptTagSite(),
    };
    // Each test awaits its own build; keep a failure from being an unhandled rejection meanwhile.
    for (const p of [...Object.values(state.installs), ...Object.values(state.builds)]) p.catch(() => {});

    await Promise.all([sockudo, browser]);
    state.sdk = new PusherServer({
      appId: state.sockudo.appId,
      key: state.sockudo.key,
      secret: state.sockudo.secret,
      host: state.sockudo.host,
      port: String(state.sockudo.port),
      useTLS: false,
    });
  });

  after(async () => {
    // Let builds still running finish (or fail) before removing the tarball they use.
    await Promise.allSettled(Object.values(state.builds));
    await closeBrowser(state.browser).catch(() => {});
    await Promise.allSettled(state.servers.map((s) => s.close()));
    await state.sockudo?.stop().catch(() => {});
    if (state.tmp) fs.rmSync(state.tmp, { recursive: true, force: true });
  });

  test('the tarball holds every file package.json points at', async (t) => {
    await state.builds['script-tag']; // the tarball, extracted
    const manifest = JSON.parse(
      fs.readFileSync(path.join(SCRIPT_TAG, 'dist', 'js', 'pusher-wasm', 'package.json'), 'utf8'),
    );
    const referenced = new Set();
    const add = (p) => typeof p === 'string' && referenced.add(path.posix.normalize(p));
    add(manifest.main);
    add(manifest.module);
    add(manifest.types);
    const walk = (v) => {
      if (typeof v === 'string') add(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(manifest.exports);
    const missing = [...referenced].filter((p) => !state.packFiles.includes(p));
    if (missing.length === 1 && missing[0] === 'index.d.ts' && !fs.existsSync(path.join(PKG_DIR, 'index.d.ts'))) {
      t.todo('pkg/index.d.ts is not built yet');
    }
    assert.deepEqual(missing, [], `package.json points at files missing from the tarball: ${missing.join(', ')}`);
  });

  test(
    'Vite build (no config) receives an event in Chromium, with the engine in the page and shared',
    { timeout: 90000 },
    async () => {
      const { output } = await state.builds.vite;
      assert.equal(output, '', 'vite build printed warnings');
      const dist = path.join(VITE_APP, 'dist');
      console.log(
        `[packaging] vite dist: ${filesUnder(dist)
          .map((f) => path.relative(dist, f))
          .join(', ')}`,
      );
      assertNoWasmAsset(dist);
      reportSizes('vite', dist);

      const http = await serve(dist);
      for (const shared of [false, true]) {
        const channel = `packaging-vite${shared ? '-shared' : ''}`;
        const result = await receiveEventInPage(
          `${http.url}/index.html?wsPort=${state.sockudo.port}&channel=${channel}${shared ? '&shared' : ''}`,
          channel,
        );
        assertPageResult(result, 'vite', { shared });
      }
    },
  );

  test(
    'Vite dev server (no config) serves an app that receives an event, with the engine in the page and shared',
    { timeout: 90000 },
    async () => {
      await state.installs.vite;
      const { createServer } = await import(path.join(REPO_ROOT, 'node_modules', 'vite', 'dist', 'node', 'index.js'));
      fs.rmSync(path.join(VITE_APP, 'node_modules', '.vite'), { recursive: true, force: true });
      const warnings = [];
      const server = await createServer({
        root: VITE_APP,
        configFile: false,
        logLevel: 'warn',
        customLogger: {
          info() {},
          warn: (m) => warnings.push(m),
          warnOnce: (m) => warnings.push(m),
          error: (m) => warnings.push(m),
          clearScreen() {},
          hasWarned: false,
          hasErrorLogged: () => false,
        },
        server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
        // The test's own eyes, not the app's config: the worker's socket must be recorded.
        plugins: [observeSharedWorkersInVite()],
      });
      try {
        await server.listen();
        const url = server.resolvedUrls.local[0].replace(/\/$/, '');
        for (const shared of [false, true]) {
          const channel = `packaging-vite-dev${shared ? '-shared' : ''}`;
          const result = await receiveEventInPage(
            `${url}/index.html?wsPort=${state.sockudo.port}&channel=${channel}${shared ? '&shared' : ''}`,
            channel,
          );
          assertPageResult(result, 'vite', { shared });
        }
        assert.deepEqual(warnings, [], 'the dev server warned');
      } finally {
        await server.close();
      }
    },
  );

  test(
    'webpack 5 build (entry/output/mode only) receives an event in Chromium, with the engine in the page and shared',
    { timeout: 90000 },
    async () => {
      const { output } = await state.builds.webpack;
      assert.match(output, /compiled successfully/, `webpack did not compile cleanly:\n${output}`);
      assert.doesNotMatch(output, /WARNING|ERROR/, `webpack printed warnings:\n${output}`);
      const dist = path.join(WEBPACK_APP, 'dist');
      console.log(
        `[packaging] webpack dist: ${filesUnder(dist)
          .map((f) => path.relative(dist, f))
          .join(', ')}`,
      );
      assertNoWasmAsset(dist);
      reportSizes('webpack', dist);

      // The app's own index.html loads dist/main.js.
      const http = await serve(WEBPACK_APP);
      for (const shared of [false, true]) {
        const channel = `packaging-webpack${shared ? '-shared' : ''}`;
        const result = await receiveEventInPage(
          `${http.url}/index.html?wsPort=${state.sockudo.port}&channel=${channel}${shared ? '&shared' : ''}`,
          channel,
        );
        assertPageResult(result, 'webpack', { shared });
      }
    },
  );

  test(
    'plain <script type="module"> page importing /js/pusher-wasm/index.js receives an event, with the engine in the page and shared',
    { timeout: 90000 },
    async () => {
      await state.builds['script-tag'];
      const dist = path.join(SCRIPT_TAG, 'dist');
      assertNoWasmAsset(path.join(dist, 'js', 'pusher-wasm'));
      reportSizes('script-tag (/js/pusher-wasm/)', path.join(dist, 'js', 'pusher-wasm'));

      const http = await serve(dist);
      // Counts the package's calls of Uint8Array.fromBase64, its fast way back to the wasm bytes.
      const countFromBase64 = () => {
        const native = Uint8Array.fromBase64;
        window.__fromBase64Calls = 0;
        Uint8Array.fromBase64 = function (...args) {
          window.__fromBase64Calls++;
          return native.apply(this, args);
        };
      };
      const result = await receiveEventInPage(
        `${http.url}/index.html?wsPort=${state.sockudo.port}&channel=packaging-script-tag`,
        'packaging-script-tag',
        countFromBase64,
      );
      assertPageResult(result, 'script-tag');
      assert.equal(result.info.fromBase64Calls, 1, 'the inlined wasm is decoded by Uint8Array.fromBase64');
      // The facade, then the engine, asynchronously (a dynamic import).
      const paths = (r) => r.requests.map((u) => new URL(u).pathname);
      assert.deepEqual(paths(result), ['/index.html', '/js/pusher-wasm/index.js', '/js/pusher-wasm/engine.js']);

      const shared = await receiveEventInPage(
        `${http.url}/index.html?wsPort=${state.sockudo.port}&channel=packaging-script-tag-shared&shared`,
        'packaging-script-tag-shared',
      );
      assertPageResult(shared, 'script-tag', { shared: true });
      // The page loads the facade and starts the worker; the engine loads in the worker.
      assert.deepEqual(paths(shared), ['/index.html', '/js/pusher-wasm/index.js', '/js/pusher-wasm/worker.js']);
    },
  );

  test(
    'the same page in a browser without Uint8Array.fromBase64 (before Chrome 140, Safari 18.2) receives an event',
    { timeout: 90000 },
    async () => {
      await state.builds['script-tag'];
      const http = await serve(path.join(SCRIPT_TAG, 'dist'));
      const result = await receiveEventInPage(
        `${http.url}/index.html?wsPort=${state.sockudo.port}&channel=packaging-script-tag-old`,
        'packaging-script-tag-old',
        () => {
          delete Uint8Array.fromBase64;
        },
      );
      assertPageResult(result, 'script-tag');
      assert.equal(result.info.fromBase64Calls, undefined);
    },
  );
});

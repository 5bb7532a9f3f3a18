// Every README snippet marked `<!-- snippet: NAME -->` runs here, as written, against sockudo:
// - `echo.js`: the Laravel 11/12 resources/js/echo.js, built by Vite with VITE_REVERB_* from .env;
// - `blade`: the Blade template, with its {{ ... }} expressions filled in as Laravel would;
// - `socket-id`: the X-Socket-ID helpers, with window.Echo from pusher-wasm and a stand-in axios
//   (axios is not a dependency here; the stand-in has just what the snippet touches).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';
import PusherServer from 'pusher';
import { startSockudo, APP } from '../support/sockudo.mjs';
import { startHttpServer, REPO_ROOT } from '../support/http-server.mjs';
import { launchBrowser, closeBrowser } from '../support/browser.mjs';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const SNIPPETS = Object.fromEntries(
  [...README.matchAll(/<!-- snippet: ([\w.-]+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]),
);
const CSRF = 'readme-csrf-token';
const USER_ID = '7';

let sockudo;
let sdk;
let http;
let browser;
const requests = [];

before(async () => {
  sockudo = await startSockudo();
  sdk = new PusherServer({ ...APP, host: sockudo.host, port: String(sockudo.port), useTLS: false });
  http = await startHttpServer();
  http.route('POST', '/broadcasting/auth', (req, res, body) => {
    const form = new URLSearchParams(body);
    const ok =
      req.headers['x-csrf-token'] === CSRF && form.get('channel_name') === `private-App.Models.User.${USER_ID}`;
    res.writeHead(ok ? 200 : 403, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(ok ? sdk.authorizeChannel(form.get('socket_id'), form.get('channel_name')) : {}));
  });
  http.route('POST', '/messages', (req, res) => {
    requests.push({ socketId: req.headers['x-socket-id'] ?? null });
    res.writeHead(201).end();
  });
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await http?.close();
  await sockudo?.stop();
});

async function openPage(url) {
  const page = await browser.newPage();
  const problems = [];
  const consoleLines = [];
  const waiting = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') return problems.push(m.text());
    consoleLines.push(m.text());
    for (const w of waiting) if (w.line === m.text()) w.resolve();
  });
  await page.goto(url);
  /** Resolves when the page logs `line` (at once if it already did). */
  const logged = (line) =>
    consoleLines.includes(line) ? Promise.resolve() : new Promise((resolve) => waiting.push({ line, resolve }));
  return { page, problems, logged };
}

/** The page's Echo connects, a public channel subscribes, and an SDK-triggered event arrives. */
async function echoReceives(page, channel) {
  await page.waitForFunction(() => window.Echo?.connector?.pusher?.connection.state === 'connected');
  const received = page.evaluate(
    (channel) =>
      new Promise((resolve) => {
        window.Echo.channel(channel).listen('.ev', (data) => resolve(data));
      }),
    channel,
  );
  await page.waitForFunction((c) => window.Echo.connector.pusher.channel(c)?.subscribed, channel);
  await sdk.trigger(channel, 'ev', { from: 'the server' });
  assert.deepEqual(await received, { from: 'the server' });
}

test('every snippet is found', () => {
  assert.deepEqual(Object.keys(SNIPPETS).sort(), ['blade', 'echo.js', 'socket-id']);
});

test('README echo.js: a Vite build with VITE_REVERB_* connects and receives', async () => {
  // One folder per mode: the two modes' suites never share a build folder, even when run at once.
  const dir = `tests/.readme-app-${process.env.PUSHER_WASM_MODE || 'page'}`;
  const app = path.join(REPO_ROOT, dir);
  fs.rmSync(app, { recursive: true, force: true });
  fs.mkdirSync(path.join(app, 'resources/js'), { recursive: true });
  fs.writeFileSync(
    path.join(app, '.env'),
    `VITE_REVERB_APP_KEY=${APP.key}\nVITE_REVERB_HOST=127.0.0.1\nVITE_REVERB_PORT=${sockudo.port}\nVITE_REVERB_SCHEME=http\n`,
  );
  fs.writeFileSync(path.join(app, 'resources/js/echo.js'), SNIPPETS['echo.js']);
  fs.writeFileSync(path.join(app, 'resources/js/app.js'), "import './echo.js';\n");
  fs.writeFileSync(
    path.join(app, 'index.html'),
    '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/resources/js/app.js"></script>\n',
  );
  await build({
    root: app,
    logLevel: 'warn',
    // The package as installed: `pusher-wasm` is pkg/ (tests/packaging/ installs the real tarball).
    resolve: { alias: { 'pusher-wasm': path.join(REPO_ROOT, 'pkg/index.js') } },
    base: './',
    build: { outDir: 'dist', emptyOutDir: true },
  });
  const { page, problems } = await openPage(`${http.url}/${dir}/dist/index.html`);
  await echoReceives(page, 'readme-vite');
  assert.equal(await page.evaluate(() => typeof window.Pusher), 'function');
  assert.deepEqual(problems, []);
  await page.close();
});

test('README blade: one import gives Echo, a private notification and X-Socket-ID on fetch', async () => {
  const laravel = {
    "config('broadcasting.connections.reverb.key')": APP.key,
    "config('broadcasting.connections.reverb.options.host')": '127.0.0.1',
    "config('broadcasting.connections.reverb.options.port')": String(sockudo.port),
    'csrf_token()': CSRF,
    'auth()->id()': USER_ID,
  };
  const blade = SNIPPETS.blade.replace(/\{\{ (.+?) \}\}/g, (_, expression) => {
    assert.ok(expression in laravel, `no value for {{ ${expression} }}`);
    return laravel[expression];
  });
  http.route('GET', '/readme/blade', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body>${blade}</body></html>`);
  });
  // The package's three files copied to public/js/pusher-wasm/, as the README says.
  for (const file of ['index.js', 'engine.js', 'worker.js']) {
    http.route('GET', `/js/pusher-wasm/${file}`, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(fs.readFileSync(path.join(REPO_ROOT, 'pkg', file)));
    });
  }
  const { page, problems, logged } = await openPage(`${http.url}/readme/blade`);
  await page.waitForFunction(
    (user) => window.Echo?.connector?.pusher?.channel(`private-App.Models.User.${user}`)?.subscribed,
    USER_ID,
  );
  await sdk.trigger(
    `private-App.Models.User.${USER_ID}`,
    'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated',
    {
      type: 'App\\Notifications\\InvoicePaid',
    },
  );
  await logged('notification App\\Notifications\\InvoicePaid');
  const socketId = await page.evaluate(async () => {
    await fetch('/messages', { method: 'POST', body: '{}' });
    return window.Echo.socketId();
  });
  assert.match(socketId, /^\d+\.\d+$/);
  assert.deepEqual(requests.at(-1), { socketId });
  assert.deepEqual(problems, []);
  await page.close();
});

test('README socket-id: fetch and an axios instance made later both carry X-Socket-ID', async () => {
  const code = SNIPPETS['socket-id'].replace("from 'pusher-wasm'", "from '/pkg/index.js'");
  http.route('GET', '/readme/socket-id', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body>
<script type="module">
  import { Echo } from '/pkg/index.js';
  // A stand-in for axios: create() and an instance's request interceptors, what the snippet uses.
  window.axios = {
    create: (defaults) => {
      const chain = [];
      return { defaults, interceptors: { request: { use: (fn) => chain.push(fn) } }, run: (config) => chain.reduce((c, fn) => fn(c), config) };
    },
  };
  window.Echo = new Echo({ broadcaster: 'reverb', key: '${APP.key}', wsHost: '127.0.0.1', wsPort: ${sockudo.port}, forceTLS: false, enabledTransports: ['ws', 'wss'] });
  await new Promise((resolve) => window.Echo.connector.pusher.connection.bind('connected', resolve));
</script>
<script type="module">
  await new Promise((resolve) => (window.Echo.socketId() ? resolve() : window.Echo.connector.pusher.connection.bind('connected', resolve)));
${code}
  window.api = api;
  window.uninstall = uninstall;
  window.snippetRan = true;
</script></body></html>`);
  });
  const { page, problems } = await openPage(`${http.url}/readme/socket-id`);
  await page.waitForFunction(() => window.snippetRan === true);
  const result = await page.evaluate(async () => {
    await fetch('/messages', { method: 'POST' });
    const viaAxios = window.api.run({ url: '/messages', headers: {} }).headers['X-Socket-ID'];
    const crossOrigin = window.api.run({ url: 'https://elsewhere.example/x', headers: {} }).headers['X-Socket-ID'];
    window.uninstall();
    await fetch('/messages', { method: 'POST' });
    return { socketId: window.Echo.socketId(), viaAxios, crossOrigin: crossOrigin ?? null };
  });
  assert.match(result.socketId, /^\d+\.\d+$/);
  assert.equal(result.viaAxios, result.socketId);
  assert.equal(result.crossOrigin, null);
  assert.deepEqual(requests.slice(-2), [{ socketId: result.socketId }, { socketId: null }], 'uninstall() stops it');
  assert.deepEqual(problems, []);
  await page.close();
});

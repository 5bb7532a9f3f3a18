// Headless Chromium for the e2e tests (playwright-core, the system's /usr/bin/chromium).
//
//   const browser = await launchBrowser();
//   const session = await openClientPage(browser, http.url, 'pusher-js', { handlers });
//   await session.page.evaluate(...);
//   session.pageErrors / session.consoleErrors / session.websockets / session.offHostRequests
//   await session.close();
//   await closeBrowser(browser);
//
// Every page gets its own browser context (no shared localStorage: pusher-js caches its transport
// choice there). Requests to any host but 127.0.0.1/localhost are aborted and recorded, so a client
// that tries to phone home (stats, CDN) shows up in `offHostRequests` instead of reaching out.

import net from 'node:net';
import { chromium } from 'playwright-core';
import { WorkerObserver, contextIdOf } from './worker-cdp.mjs';

export const CLIENT_NAMES = Object.freeze(['pusher-js', 'pusher-wasm']);

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where pusher-wasm's engine runs in the pages of this run: `PUSHER_WASM_MODE=shared` or page. */
export function engineMode() {
  return process.env.PUSHER_WASM_MODE === 'shared' ? 'shared' : 'page';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Headless Chromium, with a DevTools port that a WorkerObserver (tests/support/worker-cdp.mjs)
 * uses to see the WebSockets of SharedWorkers, which Playwright does not show.
 * @param {{ args?: string[], observer?: { attachDelayMs?: number } }} [opts]  `observer`: the
 *   WorkerObserver's options
 */
export async function launchBrowser({ args = [], observer = {} } = {}) {
  const port = await freePort();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...args, `--remote-debugging-port=${port}`],
  });
  try {
    workers.set(browser, await WorkerObserver.connect(port, observer));
  } catch (err) {
    await browser.close();
    throw err;
  }
  return browser;
}

const workers = new WeakMap();

/** The browser's observer of SharedWorkers. */
export function workerObserver(browser) {
  return workers.get(browser);
}

/**
 * Has `http` (tests/support/http-server.mjs) serve a shared worker's script only once the
 * browser's WorkerObserver sees the worker's network, so that no socket of it goes unrecorded.
 */
export function observeSharedWorkers(browser, http) {
  http.gateSharedWorkers(sharedWorkerGate(browser));
}

/**
 * What a server of shared workers' scripts waits for before it serves one: `(url) => Promise`,
 * resolved once the browser's WorkerObserver sees that worker's network. A worker not seen
 * within 10 s is served anyway, with a line saying so: its test then fails on the missing
 * records, not on a timeout here.
 */
export function sharedWorkerGate(browser) {
  const observer = workers.get(browser);
  return (url) =>
    withTimeout(observer.workerObserved(url), 10000, `DevTools to see the shared worker ${url}`).catch((err) =>
      console.error(`[worker-cdp] ${err.message}`),
    );
}

export async function closeBrowser(browser) {
  if (!browser) return;
  workers.get(browser)?.close();
  await browser.close();
}

function isLocalHost(hostname) {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * Opens tests/e2e/pages/harness.html?client=NAME and resolves once the page says it is ready
 * (window.Pusher is the class). Throws with the page's own error if the client failed to load.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {string} baseUrl   the static server's URL (serves the repo root)
 * @param {'pusher-js'|'pusher-wasm'} client
 * @param {{ handlers?: Record<string, Function>, readyTimeoutMs?: number, mode?: 'page'|'shared',
 *   build?: 'testing', context?: import('playwright-core').BrowserContext }} [opts]
 *   `handlers` are callable from the page as `await node(name, ...args)` (Node-side RPC);
 *   `mode` where pusher-wasm's engine runs (default: PUSHER_WASM_MODE); `build: 'testing'` the
 *   test build of the package; `context` a browser context to open the page in (its tabs share a
 *   SharedWorker), closed by the caller.
 */
export async function openClientPage(browser, baseUrl, client, opts = {}) {
  if (!CLIENT_NAMES.includes(client)) throw new Error(`unknown client ${client}`);
  const mode = client === 'pusher-wasm' ? (opts.mode ?? engineMode()) : 'page';
  const context = opts.context ?? (await browser.newContext());
  const page = await context.newPage();
  // In shared mode the socket is the SharedWorker's: its records come from DevTools.
  const contextId = mode === 'shared' ? await contextIdOf(context, page) : null;
  const observer = workers.get(browser);
  /** Checks waiting for a received frame (`session.received`). */
  const frameWaiters = new Set();
  const session = {
    client,
    mode,
    context,
    page,
    /** uncaught exceptions / unhandled rejections in the page */
    pageErrors: [],
    /** console.error messages (including Chromium's own, e.g. failed WebSocket connections) */
    consoleErrors: [],
    /** every console message: { type, text } */
    console: [],
    /** requests to hosts other than 127.0.0.1 (aborted) */
    offHostRequests: [],
    /** every WebSocket the page (or, in shared mode, its context's SharedWorker) opened:
     *  { url, openedAt, sent: [text], received: [text], closed } */
    websockets: contextId ? observer.socketsOf(contextId) : [],
    handlers: {
      // Network and page-lifecycle changes from the browser side, for the liveness tests.
      // The sockets the page (or its SharedWorker) opened so far: { url, openedAt } (Node's clock).
      'session.sockets': () => session.websockets.map(({ url, openedAt }) => ({ url, openedAt })),
      // Resolves once the page's socket `i` has received `count` frames (as DevTools saw them).
      'session.received': (i, count) =>
        new Promise((resolve) => {
          const check = () => {
            if ((session.websockets[i]?.received.length ?? 0) < count) return false;
            frameWaiters.delete(check);
            resolve(true);
            return true;
          };
          if (!check()) frameWaiters.add(check);
        }),
      // The memory of this page's SharedWorker (shared mode): { jsHeap, wasm } after a gc.
      'worker.memory': () => (contextId ? observer.memory(contextId) : null),
      'page.setOffline': async (offline) => {
        await context.setOffline(offline);
        if (contextId) await observer.setOffline(contextId, offline);
      },
      ...(opts.handlers ?? {}),
    },
    async close() {
      // The worker's socket records are complete before the test reads them.
      if (contextId) await observer.settle(contextId).catch(() => {});
      // (A shared-mode page without a single recorded socket: what DevTools said of its worker.)
      if (contextId && session.websockets.length === 0)
        console.error(`[worker-cdp] no socket recorded for context ${contextId}: ${observer.describe(contextId)}`);
      if (opts.context) await page.close().catch(() => {});
      else await context.close().catch(() => {});
    },
  };

  page.on('pageerror', (err) => session.pageErrors.push(String(err?.stack ?? err)));
  page.on('console', (msg) => {
    const entry = { type: msg.type(), text: msg.text() };
    session.console.push(entry);
    if (entry.type === 'error') session.consoleErrors.push(entry.text);
  });
  page.on('websocket', (ws) => {
    const rec = { url: ws.url(), openedAt: Date.now(), sent: [], received: [], closed: false };
    session.websockets.push(rec);
    if (!isLocalHost(new URL(ws.url()).hostname)) session.offHostRequests.push(ws.url());
    ws.on('framesent', (f) => rec.sent.push(typeof f.payload === 'string' ? f.payload : { binary: f.payload.length }));
    ws.on('framereceived', (f) => {
      rec.received.push(typeof f.payload === 'string' ? f.payload : { binary: f.payload.length });
      for (const check of [...frameWaiters]) check();
    });
    ws.on('close', () => (rec.closed = true));
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {}
    if (url.startsWith('data:') || isLocalHost(host)) return route.continue();
    session.offHostRequests.push(url);
    return route.abort('blockedbyclient');
  });
  await page.exposeFunction('__nodeCall', async (name, args) => {
    const fn = session.handlers[name];
    if (!fn) throw new Error(`no Node-side handler named ${JSON.stringify(name)}`);
    const result = await fn(...args);
    return result === undefined ? null : result;
  });

  const query = new URLSearchParams({ client });
  if (mode === 'shared') query.set('mode', 'shared');
  if (opts.build) query.set('build', opts.build);
  const url = `${baseUrl}/tests/e2e/pages/harness.html?${query}`;
  try {
    await page.goto(url, { waitUntil: 'load' });
    const info = await withTimeout(
      page.evaluate(() => window.__harness.ready),
      opts.readyTimeoutMs ?? 15000,
      `${client} harness ready`,
    );
    session.info = info;
  } catch (err) {
    const detail = session.pageErrors.concat(session.consoleErrors).join('\n');
    await session.close();
    throw new Error(`could not load ${client} in the harness page: ${err.message}\n${detail}`, { cause: err });
  }
  return session;
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

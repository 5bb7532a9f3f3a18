// The bench's web server: serves the bench page and the libraries' files, and carries the control
// WebSocket over which the driver commands a page and the page reports its own measurements.
//
//   const ctl = await startControlServer();
//   ctl.url                                   // http://127.0.0.1:PORT
//   ctl.onPageSocket(id, fn)                  // fn() as the page's control socket opens
//   ctl.requests                              // every request served: { method, path, found }
//   const page = await ctl.waitForPage(id)    // the page with ?id=… connected
//   await page.call('subscribe', { … })       // RPC into the page; resolves with its answer
//   page.closed                               // a promise
//
// It also answers the page's clock probes ({type:'time'} -> {type:'time', ts}) with the same
// wall clock the blaster stamps events with, so the page can convert its times to ours.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { wallNow } from './blaster.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The only files a bench page may load: the page, pusher-js, pusher-wasm's three files (the
// facade, the engine it imports on the first `new Pusher()`, and the SharedWorker of
// `shared: true`), and the bench's wrapper of that worker (for the shared mode's memory runs).
const FILES = new Map([
  ['/bench/page.html', 'text/html; charset=utf-8'],
  ['/bench/shared-worker.js', 'text/javascript; charset=utf-8'],
  ['/pkg/index.js', 'text/javascript; charset=utf-8'],
  ['/pkg/engine.js', 'text/javascript; charset=utf-8'],
  ['/pkg/worker.js', 'text/javascript; charset=utf-8'],
  ['/node_modules/pusher-js/dist/web/pusher.min.js', 'text/javascript; charset=utf-8'],
]);

/**
 * The files are read once, here: a build running meanwhile (others rebuild pkg/ as they work)
 * cannot hand a page half a package, and every round measures the same bytes.
 */
export function snapshotFiles() {
  const out = new Map();
  for (const [p, type] of FILES) out.set(p, { type, body: fs.readFileSync(path.join(REPO_ROOT, p)) });
  return out;
}

export async function startControlServer({ host = '127.0.0.1', files = snapshotFiles() } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${host}`);
    const file = files.get(url.pathname);
    requests.push({ method: req.method, path: url.pathname, found: Boolean(file) });
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const { type, body } = file;
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'no-store',
      // Cross-origin isolation: performance.now() at 5 µs instead of 100 µs. Same-origin
      // scripts and WebSockets are unaffected.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  const wss = new WebSocketServer({ server, path: '/control', perMessageDeflate: false });
  const pages = new Map();
  const waiters = new Map();
  const openHooks = new Map();

  wss.on('connection', (ws, req) => {
    const query = new URL(req.url, `http://${host}`).searchParams;
    const id = query.get('id') ?? '';
    const hook = query.has('lobby') ? undefined : openHooks.get(id);
    if (hook) {
      openHooks.delete(id);
      hook();
    }
    let seq = 0;
    const pending = new Map();
    let resolveClosed;
    const page = {
      id,
      ws,
      messages: [],
      closed: new Promise((r) => (resolveClosed = r)),
      /** Calls `cmd` in the page; rejects on the page's error, on close or after timeoutMs. */
      call(cmd, args = {}, timeoutMs = 120000) {
        const callId = ++seq;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            pending.delete(callId);
            reject(new Error(`page ${id}: ${cmd} timed out after ${timeoutMs} ms`));
          }, timeoutMs);
          pending.set(callId, { resolve, reject, timer, cmd });
          ws.send(JSON.stringify({ type: 'call', callId, cmd, args }));
        });
      },
    };
    ws.on('message', (raw) => {
      let msg;
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (msg.type === 'time') {
        ws.send(JSON.stringify({ type: 'time', n: msg.n, ts: wallNow() }));
        return;
      }
      if (msg.type === 'reply') {
        const p = pending.get(msg.callId);
        if (!p) return;
        pending.delete(msg.callId);
        clearTimeout(p.timer);
        if (msg.error) p.reject(new Error(`page ${id}: ${p.cmd}: ${msg.error}`));
        else p.resolve(msg.result);
        return;
      }
      page.messages.push(msg);
      if (msg.type === 'hello' || msg.type === 'lobby') {
        const key = `${msg.type} ${id}`;
        if (msg.type === 'hello') page.hello = msg;
        pages.set(key, page);
        const w = waiters.get(key);
        if (w) {
          waiters.delete(key);
          w(page);
        }
      }
    });
    ws.on('close', () => {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`page ${id}: control socket closed during ${p.cmd}`));
      }
      pending.clear();
      for (const [key, p] of pages) if (p === page) pages.delete(key);
      resolveClosed();
    });
    ws.on('error', () => {});
  });

  await new Promise((resolve) => server.listen(0, host, resolve));
  const port = server.address().port;
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    files,
    /** Calls `fn` synchronously when the page `id` (not its lobby) opens its control socket:
     *  the moment a main run's page reaches `connected` (it opens the socket right after). */
    onPageSocket(id, fn) {
      openHooks.set(id, fn);
    },
    /** Resolves with the page once it has said `type` ('hello', or 'lobby' from the lobby page),
     *  or rejects after timeoutMs. */
    waitForPage(id, timeoutMs = 30000, type = 'hello') {
      const key = `${type} ${id}`;
      if (pages.has(key)) return Promise.resolve(pages.get(key));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          reject(new Error(`page ${id} did not say ${type} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(key, (page) => {
          clearTimeout(timer);
          resolve(page);
        });
      });
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

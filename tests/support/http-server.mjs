// A tiny static file server (node:http only) for the e2e pages.
//
// Serves the repository root read-only (GET/HEAD), so a page can load `/pkg/index.js` (the built
// pusher-wasm package) and `/node_modules/pusher-js/dist/web/pusher.js`. A test can register extra
// routes (auth endpoints, ...) with `server.route(method, path, handler)`; routes win over files.
//
//   const http = await startHttpServer();
//   http.route('POST', '/pusher/auth', async (req, res, body) => { res.end('...') });
//   http.url            // 'http://127.0.0.1:PORT'
//   http.requests       // every request seen: { method, url, headers, body }
//   await http.close();

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const MIME = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

export function mimeType(file) {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * @param {{ root?: string, host?: string, port?: number }} [opts]
 */
export async function startHttpServer(opts = {}) {
  const root = path.resolve(opts.root ?? REPO_ROOT);
  const host = opts.host ?? '127.0.0.1';
  /** @type {Map<string, Function>} key: `${METHOD} ${pathname}` */
  const routes = new Map();
  const requests = [];
  /** `(url) => Promise`: what a shared worker's script waits for before it is served. */
  let sharedWorkerGate = null;
  /** pathname → the promise `hold(pathname)`'s `release()` resolves. */
  const holds = new Map();

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host ?? host}`);
    let body;
    try {
      body = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    requests.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (sharedWorkerGate && isSharedWorkerScript(req)) await sharedWorkerGate(url.href);
    await holds.get(url.pathname);
    if (ENGINE_DELAY_MS > 0 && url.pathname.endsWith('/engine.js')) await delay(ENGINE_DELAY_MS);

    const handler = routes.get(`${req.method} ${url.pathname}`) ?? routes.get(`* ${url.pathname}`);
    if (handler) {
      try {
        await handler(req, res, body, url);
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err?.stack ?? err));
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      res.end('method not allowed');
      return;
    }
    serveFile(root, url.pathname, req, res);
  });
  // Keep-alive sockets from Chromium must not hold close() up.
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = server.address().port;

  return {
    host,
    port,
    url: `http://${host}:${port}`,
    root,
    requests,
    /** Registers `handler(req, res, body, url)` for METHOD (or '*') and an exact pathname. */
    route(method, pathname, handler) {
      routes.set(`${method.toUpperCase()} ${pathname}`, handler);
      return this;
    },
    /**
     * Holds every shared worker's own script (not the modules it imports) until `gate(url)`
     * resolves: tests/support/browser.mjs's `observeSharedWorkers` waits there for DevTools.
     */
    gateSharedWorkers(gate) {
      sharedWorkerGate = gate;
      return this;
    },
    /**
     * Holds every request for `pathname` until `release()` (the early-connect tests hold the
     * engine, to see what the page does before it is up).
     */
    hold(pathname) {
      let release;
      const released = new Promise((resolve) => (release = resolve));
      holds.set(pathname, released);
      return {
        release() {
          if (holds.get(pathname) === released) holds.delete(pathname);
          release();
        },
      };
    },
    unroute(method, pathname) {
      routes.delete(`${method.toUpperCase()} ${pathname}`);
      return this;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * `PUSHER_WASM_ENGINE_DELAY_MS`: serve the engine's script that much later, so that a page's
 * first connection's handshake comes before its engine is up (the facade shows it at once).
 */
const ENGINE_DELAY_MS = Number(process.env.PUSHER_WASM_ENGINE_DELAY_MS ?? 0);
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A shared worker's own script; the modules it imports are `sharedworker` too, with mode `cors`. */
export function isSharedWorkerScript(req) {
  return req.headers['sec-fetch-dest'] === 'sharedworker' && req.headers['sec-fetch-mode'] === 'same-origin';
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function serveFile(root, pathname, req, res) {
  let rel;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return notFound(res);
  }
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return notFound(res);
  let stat;
  let served = file;
  try {
    stat = fs.statSync(file);
    if (stat.isDirectory()) {
      // A directory serves its index.html (the demo lives at /www/).
      served = path.join(file, 'index.html');
      stat = fs.statSync(served);
    }
  } catch {
    return notFound(res);
  }
  if (!stat.isFile()) return notFound(res);
  res.writeHead(200, {
    'Content-Type': mimeType(served),
    'Content-Length': stat.size,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(served).pipe(res);
}

function notFound(res) {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found');
}

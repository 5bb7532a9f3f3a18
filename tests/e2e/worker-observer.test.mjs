// The test harness's own eyes in shared mode: tests/support/worker-cdp.mjs records the sockets of
// SharedWorkers over DevTools, and the shared-mode tests read those records. Under load the
// observer used to attach too late now and then (a test found no socket at all). This file makes
// it late on purpose, with a delay before it turns each worker's network on, and checks that the
// static server's gate still keeps every worker from running before it is observed.
//
// Not pusher-wasm: a plain worker that opens one socket to a plain WebSocket echo server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { closeBrowser, launchBrowser, observeSharedWorkers, workerObserver } from '../support/browser.mjs';
import { contextIdOf } from '../support/worker-cdp.mjs';
import { startHttpServer } from '../support/http-server.mjs';

/** Without the gate, 6 of 10 workers ran unseen with this delay (measured 2026-12-07). */
const ATTACH_DELAY_MS = 500;
const CONTEXTS = 5;

const WORKER = `
onconnect = (e) => {
  const port = e.ports[0];
  const ws = new WebSocket(self.name);
  ws.onopen = () => ws.send('hello');
  ws.onmessage = (m) => port.postMessage(m.data);
};`;

let echo;
let http;
let browser;
before(async () => {
  echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  echo.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${data}`)));
  await new Promise((resolve) => echo.once('listening', resolve));
  const socketUrl = `ws://127.0.0.1:${echo.address().port}`;
  http = await startHttpServer();
  http.route('GET', '/observed-worker.js', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
    res.end(WORKER);
  });
  http.route('GET', '/observed-worker.html', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
    res.end(`<script>
      const worker = new SharedWorker('/observed-worker.js', { name: ${JSON.stringify(socketUrl)} });
      window.echoed = new Promise((resolve) => (worker.port.onmessage = (e) => resolve(e.data)));
    </script>`);
  });
  browser = await launchBrowser({ observer: { attachDelayMs: ATTACH_DELAY_MS } });
  observeSharedWorkers(browser, http);
});
after(async () => {
  await closeBrowser(browser);
  await http?.close();
  await new Promise((resolve) => (echo ? echo.close(resolve) : resolve()));
});

test(`a shared worker's socket is recorded, frames and all, when DevTools attaches ${ATTACH_DELAY_MS} ms late`, async () => {
  const observer = workerObserver(browser);
  for (let i = 0; i < CONTEXTS; i++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const contextId = await contextIdOf(context, page);
      await page.goto(`${http.url}/observed-worker.html`);
      assert.equal(await page.evaluate(() => window.echoed), 'echo hello');
      await observer.settle(contextId);
      const records = observer.socketsOf(contextId).map(({ url, sent, received }) => ({ url, sent, received }));
      assert.deepEqual(
        records,
        [{ url: `ws://127.0.0.1:${echo.address().port}/`, sent: ['hello'], received: ['echo hello'] }],
        `context ${i}: ${observer.describe(contextId)}`,
      );
    } finally {
      await context.close();
    }
  }
});
